/**
 * Answers a question with both signals: words (BM25, coverage of the question's rare words) and
 * meaning (sentence embeddings). The stages: retrieve (lexical candidates, plus every passage of a
 * small corpus) → score by meaning → one fused rank → decide (answer, decline with related
 * passages, decline with nothing related) → quote (verbatim, centred on and highlighting the
 * sentence closest in meaning). Questions about an article itself (who wrote it, when, what it
 * is about) are recognised by meaning and answered from the article's metadata.
 */
import type { SearchResult } from 'minisearch';
import type { IntentMatch } from '../semantic/articleIntent.js';
import { RANKING, rankAndDecide, type LexicalCandidate } from '../semantic/rank.js';
import { documentKey, isVisibleIn, type DocumentInfo } from '../corpus/types.js';
import { documentOf, type SearchIndex } from '../index/buildSearchIndex.js';
import type { Passage } from '../passages/splitIntoPassages.js';
import { analyze } from '../text/analyze.js';
import { DEFAULT_TOP, MAX_RELATED, coverageOf, decline, retrieve, toResult, type Answer, type AnswerOptions } from './answerQuestion.js';

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

/** A passage found by meaning alone, as a search result that matched no word. */
function unmatched(id: number): SearchResult {
  return { id, score: 0, terms: [], queryTerms: [], match: {} };
}

/** How much of the corpus the asking server sees (the base and its own articles). */
export interface VisibleSize {
  documents: number;
  passages: number;
}

/** The article a question about "the article" means: the only one the server sees, else the one whose passage came closest to the question. */
function askedAbout(index: SearchIndex, scope: string | undefined, visible: VisibleSize, closest: Passage | undefined): DocumentInfo | undefined {
  if (visible.documents === 1) return index.documents.find((document) => isVisibleIn(document.scope, scope));
  return closest && documentOf(index, closest);
}

/**
 * `vector`: the question's, from the same model as the passages'. `visible`: what the asking
 * server sees, which decides whether it is compared by meaning in full (so that other servers'
 * uploads never change what a server is answered).
 */
export function answerHybrid(index: SearchIndex, question: string, vector: Float32Array, semantic: SemanticSignals, visible: VisibleSize, options: AnswerOptions = {}): Answer {
  const top = Math.max(1, Math.floor(options.top ?? DEFAULT_TOP));
  const retrieval = retrieve(index, question, options.scope);

  const results = new Map<string, { result: SearchResult; passage: Passage }>();
  const candidates: LexicalCandidate[] = retrieval.candidates.slice(0, RANKING.candidatePool).map((result) => {
    const passage = index.passageAt.get(result.id as number)!;
    results.set(passage.id, { result, passage });
    return { passageId: passage.id, bm25Score: result.score, coverage: coverageOf(retrieval.terms, result) };
  });
  if (visible.passages <= FULL_SCAN_PASSAGES) {
    for (const [id, passage] of index.passageAt) {
      if (results.has(passage.id) || !isVisibleIn(passage.scope, options.scope)) continue;
      results.set(passage.id, { result: unmatched(id), passage });
      candidates.push({ passageId: passage.id, bm25Score: 0, coverage: 0 });
    }
  }
  const outcome = rankAndDecide(candidates, (passageId) => semantic.sentenceCosines(results.get(passageId)!.passage, vector), top, { ...RANKING, candidatePool: candidates.length });
  const quoted = (passageId: string, coverage: number, focusSentence?: number) => toResult(index, results.get(passageId)!.result, coverage, focusSentence);

  const intent = semantic.articleIntent(vector);
  const document = intent && askedAbout(index, options.scope, visible, outcome.ranked[0] && results.get(outcome.ranked[0].passageId)!.passage);
  if (intent && document) {
    const ids = index.minisearchIdsByDocument.get(documentKey(document))!;
    // Who wrote it: the passage that names the author (a bio), if the article has one; else how it opens.
    const authorTerms = new Set(analyze(document.author));
    const naming = intent.intent === 'author' ? ids.find((id) => analyze(index.passageAt.get(id)!.text).some((term) => authorTerms.has(term))) : undefined;
    const passage = toResult(index, unmatched(naming ?? ids[0]!), 0);
    return { question, answered: true, results: [passage], related: [], didYouMean: [], about: { intent: intent.intent, document, passage } };
  }

  if (outcome.decision === 'answer') {
    return { question, answered: true, results: outcome.results.map((candidate) => quoted(candidate.passageId, candidate.coverage, candidate.bestSentence)), related: [], didYouMean: [] };
  }
  return decline(index, retrieval, outcome.related.slice(0, MAX_RELATED).map((candidate) => quoted(candidate.passageId, candidate.coverage, candidate.bestSentence)));
}
