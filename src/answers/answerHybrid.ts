/**
 * Answers a question with both signals: words (BM25, coverage of the question's rare words) and
 * meaning (sentence embeddings). The stages: retrieve (lexical candidates, plus every passage of a
 * small corpus) → score by meaning → one fused rank → decide (answer, decline with related
 * passages, decline with nothing related) → quote (verbatim, centred on and highlighting the
 * sentence closest in meaning). Questions about an article itself (who wrote it, when, what it
 * is about) are recognised by meaning and answered from the article's metadata.
 */
import type { SearchResult } from 'minisearch';
import { RecentlyUsed } from '../cache/RecentlyUsed.js';
import type { IntentMatch } from '../semantic/articleIntent.js';
import { RANKING, rankAndDecide, type LexicalCandidate } from '../semantic/rank.js';
import { isVisibleIn } from '../corpus/types.js';
import { documentOf, type SearchIndex } from '../index/buildSearchIndex.js';
import type { QueryTerm } from '../index/queryIndex.js';
import { sentencesOf, type Passage } from '../passages/splitIntoPassages.js';
import { analyze } from '../text/analyze.js';
import { answerAbout, articleAskedAbout, documentOfRefs } from './answerAbout.js';
import { answerAskedBy, sentenceGiving } from './answerKind.js';
import {
  DEFAULT_TOP,
  MAX_RELATED,
  coverageOf,
  decline,
  isIn,
  retrieve,
  shownInPublic,
  toResult,
  unmatched,
  type Answer,
  type AnswerResult,
  type AnswerOptions,
} from './answerQuestion.js';

/** What the semantic stage needs from the model besides the question's vector (see src/semantic/SemanticIndex.ts). */
export interface SemanticSignals {
  /** The question's cosine with each sentence of `passage`; undefined before it is embedded. */
  sentenceCosines(passage: Passage, question: Float32Array): readonly number[] | undefined;
  /** Whether the question asks about an article itself, by meaning. */
  articleIntent(question: Float32Array): IntentMatch | undefined;
}

/**
 * A corpus of at most this many passages is also compared by meaning in full, not only the
 * lexical candidates: a paraphrase that shares no word with its passage is found all the same.
 * At a few microseconds a passage, this stays under ~10 ms; larger corpora rely on the lexical
 * candidates.
 */
export const FULL_SCAN_PASSAGES = 2_000;

/** How much of the corpus the asking server sees (the base and its own articles). */
export interface VisibleSize {
  documents: number;
  passages: number;
}

/** What the lexical stage knows of a search result, for the semantic stage. */
export function lexicalCandidate(terms: readonly QueryTerm[], result: SearchResult, passage: Passage): LexicalCandidate {
  const shares = sentenceShares(terms, passage);
  return {
    passageId: passage.id,
    bm25Score: result.score,
    coverage: coverageOf(terms, result),
    sentenceCoverage: Math.max(0, ...shares),
    sentenceShares: shares,
  };
}

/**
 * The terms of each sentence of the passages candidates come from most often, kept rather than
 * split and analysed again for every question that finds them (bounded: a corpus holds far more
 * passages than are ever candidates). Keyed by the passage itself, so a reloaded text is new.
 */
const sentenceTerms = new RecentlyUsed<Passage, ReadonlySet<string>[]>(4_096);

function sentenceTermsOf(passage: Passage): ReadonlySet<string>[] {
  let terms = sentenceTerms.get(passage);
  if (!terms) {
    terms = sentencesOf(passage).map((sentence) => new Set(analyze(sentence)));
    sentenceTerms.set(passage, terms);
  }
  return terms;
}

/** The share of the question's weight each sentence of `passage` holds. */
function sentenceShares(terms: readonly QueryTerm[], passage: Passage): number[] {
  const total = terms.reduce((sum, { weight }) => sum + weight, 0);
  return sentenceTermsOf(passage).map((present) => (total === 0 ? 0 : terms.reduce((sum, term) => sum + (isIn(term, present) ? term.weight : 0), 0) / total));
}

/**
 * `vector`: the question's, from the same model as the passages'. `visible`: what the asking
 * server sees, which decides whether it is compared by meaning in full (so that other servers'
 * uploads never change what a server is answered).
 */
export function answerHybrid(
  index: SearchIndex,
  question: string,
  vector: Float32Array,
  semantic: SemanticSignals,
  visible: VisibleSize,
  options: AnswerOptions = {},
): Answer {
  const top = Math.max(1, Math.floor(options.top ?? DEFAULT_TOP));
  const retrieval = retrieve(index, question, options.scope);

  const results = new Map<string, { result: SearchResult; passage: Passage }>();
  const candidates: LexicalCandidate[] = retrieval.candidates.slice(0, RANKING.candidatePool).map((result) => {
    const passage = index.passageAt.get(result.id as number)!;
    results.set(passage.id, { result, passage });
    return lexicalCandidate(retrieval.terms, result, passage);
  });
  if (visible.passages <= FULL_SCAN_PASSAGES) {
    for (const [id, passage] of index.passageAt) {
      if (results.has(passage.id) || !isVisibleIn(passage.scope, options.scope)) continue;
      results.set(passage.id, { result: unmatched(id), passage });
      candidates.push({ passageId: passage.id, bm25Score: 0, coverage: 0, sentenceCoverage: 0 });
    }
  }
  // Each candidate's cosines, computed once for this question: a question of a kind reads its
  // answer's again to pick the sentence to show.
  const cosines = new Map<string, readonly number[] | undefined>();
  const cosinesOf = (passageId: string) => {
    if (!cosines.has(passageId)) cosines.set(passageId, semantic.sentenceCosines(results.get(passageId)!.passage, vector));
    return cosines.get(passageId);
  };
  const outcome = rankAndDecide(candidates, cosinesOf, top, {
    ...RANKING,
    candidatePool: candidates.length,
  });
  const quoted = (passageId: string, coverage: number, focusSentence?: number) => toResult(index, results.get(passageId)!.result, coverage, focusSentence);

  const intent = semantic.articleIntent(vector);
  if (intent) {
    const closest = outcome.ranked[0] && documentOf(index, results.get(outcome.ranked[0].passageId)!.passage);
    const document = articleAskedAbout(index, options.scope, {
      followed: options.previous && documentOfRefs(index, options.previous.passageRefs, options.scope),
      closest,
    });
    if (document) return answerAbout(index, question, intent.intent, document);
  }

  if (outcome.decision === 'answer') {
    const asked = answerAskedBy(question);
    const closeInMeaning = new Set<AnswerResult>();
    const answers = outcome.results.map((candidate) => {
      let shown = candidate.shownSentence;
      let cosine = candidate.shownSentenceCosine;
      if (asked) {
        const sentenceCosines = cosinesOf(candidate.passageId)!;
        shown = sentenceGiving(asked, sentencesOf(results.get(candidate.passageId)!.passage), sentenceCosines, shown);
        cosine = sentenceCosines[shown]!;
      }
      const answer = quoted(candidate.passageId, candidate.coverage, shown);
      if (cosine >= RANKING.publicSentenceCosine) closeInMeaning.add(answer);
      return answer;
    });
    return shownInPublic(retrieval, asked, answers, (answer) => closeInMeaning.has(answer));
  }
  return decline(
    index,
    retrieval,
    outcome.related.slice(0, MAX_RELATED).map((candidate) => quoted(candidate.passageId, candidate.coverage, candidate.shownSentence)),
  );
}
