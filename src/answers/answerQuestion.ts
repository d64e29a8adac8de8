/** Answers a question by quoting the corpus, or says the corpus doesn't answer it. */
import type { SearchResult } from 'minisearch';
import type { DocumentInfo } from '../corpus/types.js';
import { documentOf, type SearchIndex } from '../index/buildSearchIndex.js';
import { MIN_CLOSEST_COVERAGE, MIN_COVERAGE } from '../index/coverage.js';
import { analyzeQuery, firstPassageWith, queryIndex, termWeight, type QueryTerm } from '../index/queryIndex.js';
import { sentencesOf, type Passage } from '../passages/splitIntoPassages.js';
import { textFragmentUrl } from './attribution.js';
import { answerAskedBy, givesAnswer, givesCount, sentenceGiving, type AskedAnswer } from './answerKind.js';
import { selectQuote, type Span } from './selectQuote.js';
import { analyze, analyzeWithSurfaces, normalizeText, toTerm, tokenize } from '../text/analyze.js';
import { isEnglish } from '../text/englishWords.js';

/**
 * Results after the first must also score at least this share of the first's score, so that
 * "more passages" doesn't pad the answer with passages that merely mention a common word.
 */
export const MIN_RELATIVE_SCORE = 0.2;

/**
 * A sentence shown in public must contain one of the question's terms weighing at least this share
 * of its heaviest (or close meaning, in the hybrid path): the words that say what is asked, not
 * the common ones a question shares with every passage ("Microsoft" in an article about it).
 */
export const CARRIED_TERM_SHARE = 0.5;

/** Default number of results. */
export const DEFAULT_TOP = 3;

export interface AnswerResult {
  /** Passage id. */
  id: string;
  passage: Passage;
  document: DocumentInfo;
  /** minisearch's relevance score (BM25+ with boosts); comparable only within one question. */
  score: number;
  /** Share of the question's weight this passage matches, 0–1. */
  coverage: number;
  /** What to show: the passage, or its most relevant sentences. */
  quote: string;
  quoteTrimmed: boolean;
  /** [start, end) in `quote` of its most relevant sentence, when one stands out (see `selectQuote`). */
  quoteHighlight?: Span;
  /** The article's URL with a text fragment that highlights that sentence, else the quote. */
  link: string;
}

export type AbstainReason =
  /** The question has no searchable words (only stop words or punctuation). */
  | 'no-terms'
  /** Nothing in the corpus matches any of its words. */
  | 'no-match'
  /** Passages are about the question's subject, but none answers it. */
  | 'weak-match'
  /**
   * The best passage matched, but the sentence it would show carries neither the question's rare
   * words nor its meaning: not quoted to the channel, only offered to the asker as the closest.
   */
  | 'not-sure';

/** What a question about an article itself asks: who wrote it, when, or what it is about. */
export type ArticleIntent = 'author' | 'published' | 'topic';

export interface Answer {
  question: string;
  /** The question as the engine read it (chat spellings spelled out, typos corrected, a follow-up's context added), when that differs. */
  understood?: string;
  answered: boolean;
  reason?: AbstainReason;
  /** Best first; empty when not answered. */
  results: AnswerResult[];
  /**
   * When declined: passages about the question's subject that may still be what a reworded
   * question was after (at most 3). Shown as related, never as the answer. Empty when nothing
   * in the corpus is about what was asked.
   */
  related: AnswerResult[];
  /** When declined: corpus words the question's unknown words are likely typos of. */
  didYouMean: string[];
  /**
   * Set when the question asks about an article itself (who wrote it, when it was published,
   * what it is about): the article, answered from its metadata, with the passage that names
   * its author (for who wrote it), else its opening passage.
   */
  about?: { intent: ArticleIntent; document: DocumentInfo; passage: AnswerResult };
}

export interface AnswerOptions {
  /** How many results at most (default 3; at least 1). */
  top?: number;
  /** The server asking: answers come from the base and its own articles (none: the base only). */
  scope?: string;
  /**
   * The question this one follows up (a *Follow up* button): when this one names little on its
   * own, the previous question's subject and the passages it was answered with carry over.
   */
  previous?: FollowUpContext;
}

/** What a follow-up carries over from the answer it follows. */
export interface FollowUpContext {
  /** The previous question, as asked. */
  question: string;
  /** References (`passageRef`) of the passages the previous answer quoted, best first. */
  passageRefs: string[];
}

/**
 * How much a term matched only by prefix or fuzzily counts towards coverage: an edit-distance
 * match is as likely a different word ("bake" → "wake") as a typo ("Biadu" → "Baidu").
 * The same discount minisearch applies to such matches' scores.
 */
const APPROXIMATE_MATCH_WEIGHT = 0.6;

/**
 * Share of the question's weight a search result matches in passage text or heading (a match in
 * the title alone doesn't count: every passage of a document shares it). A term the corpus lacks
 * counts, discounted, when one of its expansions (a likely typo's intended word) matched.
 */
export function coverageOf(terms: readonly QueryTerm[], result: SearchResult): number {
  // Own keys only: a query term can be any word, "constructor" included.
  const inContent = (term: string) => Object.hasOwn(result.match, term) && result.match[term]!.some((field) => field !== 'title');
  let total = 0;
  let covered = 0;
  for (const { term, weight, expansions } of terms) {
    total += weight;
    if (inContent(term)) covered += weight;
    else if (expansions.some((expansion) => inContent(expansion.term))) covered += weight * APPROXIMATE_MATCH_WEIGHT;
  }
  return total === 0 ? 0 : covered / total;
}

/** Weights of the corpus terms a result matched, for choosing its most relevant sentences. */
function matchedTermWeights(index: SearchIndex, result: SearchResult): Map<string, number> {
  return new Map(result.terms.map((term) => [term, termWeight(index, term)]));
}

/** For a question that `asked` for a kind of answer: the sentence of a result's passage that gives it and holds the most of the question's weight. */
function sentenceGivingByWords(index: SearchIndex, result: SearchResult, asked: AskedAnswer): number {
  const weights = matchedTermWeights(index, result);
  const sentences = sentencesOf(index.passageAt.get(result.id as number)!);
  const scores = sentences.map((sentence) => analyze(sentence).reduce((sum, term) => sum + (weights.get(term) ?? 0), 0));
  return sentenceGiving(asked, sentences, scores, scores.indexOf(Math.max(...scores)));
}

/** Related passages a decline may show, at most. */
export const MAX_RELATED = 3;

/** The lexical stages' output for one question: its terms and the passages matching them, best first. */
export interface Retrieval {
  question: string;
  /** The server asking (none: the base only). */
  scope?: string;
  terms: QueryTerm[];
  candidates: SearchResult[];
}

/** Stage 1, retrieve: the question's terms and the passages that match them (BM25, best first). */
export function retrieve(index: SearchIndex, question: string, scope?: string): Retrieval {
  const terms = analyzeQuery(index, question, { scope });
  return { question, scope, terms, candidates: terms.length === 0 ? [] : queryIndex(index, terms, scope) };
}

/** The sentence a result shows in bold (its whole quote when none stands out). */
function shownSentence(result: AnswerResult): string {
  return result.quoteHighlight ? result.quote.slice(...result.quoteHighlight) : result.quote;
}

/**
 * Whether `result`'s shown sentence (its whole quote with `wholeQuote`) has one of the question's
 * rare terms (or a likely typo's intended word): see CARRIED_TERM_SHARE.
 */
export function carriesQuestion(terms: readonly QueryTerm[], result: AnswerResult, wholeQuote = false): boolean {
  const heaviest = Math.max(0, ...terms.map(({ weight }) => weight));
  const shown = new Set(analyze(wholeQuote ? result.quote : shownSentence(result)));
  return terms.some((term) => term.weight >= heaviest * CARRIED_TERM_SHARE && isIn(term, shown));
}

/** Whether a text's terms hold a question term, or the word a likely typo of it stands for. */
export function isIn({ term, expansions }: QueryTerm, present: ReadonlySet<string>): boolean {
  return present.has(term) || expansions.some((expansion) => expansion.typo && present.has(expansion.term));
}

/** An answer not shown in public (see 'not-sure'): its results offered to the asker as the closest passages. */
export function notSure({ question }: Retrieval, results: AnswerResult[]): Answer {
  return { question, answered: false, reason: 'not-sure', results: [], related: results.slice(0, MAX_RELATED), didYouMean: [] };
}

/** A declined answer; `related` are passages about the subject, if any. */
export function decline(index: SearchIndex, { question, scope, terms, candidates }: Retrieval, related: AnswerResult[]): Answer {
  const reason: AbstainReason = terms.length === 0 ? 'no-terms' : candidates.length === 0 ? 'no-match' : 'weak-match';
  return { question, answered: false, reason, results: [], related, didYouMean: didYouMean(index, question, terms, scope) };
}

/**
 * Answers from words alone: the best passage must match at least MIN_COVERAGE of the question's
 * weight; further ones too, and MIN_RELATIVE_SCORE of the best's score. A decline shows the best
 * passage as related when it matched MIN_CLOSEST_COVERAGE.
 */
export function answerQuestion(index: SearchIndex, question: string, options: AnswerOptions = {}): Answer {
  const top = Math.max(1, Math.floor(options.top ?? DEFAULT_TOP));
  const retrieval = retrieve(index, question, options.scope);
  const [best] = retrieval.candidates;
  const bestCoverage = best ? coverageOf(retrieval.terms, best) : 0;
  if (!best || bestCoverage < MIN_COVERAGE) {
    return decline(index, retrieval, best && bestCoverage >= MIN_CLOSEST_COVERAGE ? [toResult(index, best, bestCoverage)] : []);
  }
  const results: AnswerResult[] = [];
  const asked = answerAskedBy(question);
  for (const candidate of retrieval.candidates) {
    if (results.length >= top) break;
    const coverage = candidate === best ? bestCoverage : coverageOf(retrieval.terms, candidate);
    if (coverage < MIN_COVERAGE || candidate.score < best.score * MIN_RELATIVE_SCORE) continue;
    results.push(toResult(index, candidate, coverage, asked && sentenceGivingByWords(index, candidate, asked)));
  }
  return shownInPublic(retrieval, asked, results, () => false);
}

/**
 * An answer as it may be quoted in public: its first result gives the kind of answer the question
 * `asked` for (a time for "when", a number for "how many"), a further result that does going
 * first instead (and before it, one that counts what "how many" asks about: "11 million
 * customers"), and carries what was asked: its shown sentence is close in meaning (`closeInMeaning`)
 * or has the question's rare words (for a question of a kind, anywhere in the quote: the shown
 * sentence is the one giving the kind). Else the results go to the asker alone, as the closest
 * passages.
 */
export function shownInPublic(
  retrieval: Retrieval,
  asked: AskedAnswer | undefined,
  results: AnswerResult[],
  closeInMeaning: (result: AnswerResult) => boolean,
): Answer {
  const counting = asked === undefined ? -1 : results.findIndex((result) => givesCount(asked, result.quote));
  const giving = asked === undefined ? 0 : counting >= 0 ? counting : results.findIndex((result) => givesAnswer(asked, result.quote));
  if (giving < 0) return notSure(retrieval, results);
  const shown = giving === 0 ? results : [results[giving]!, ...results.filter((_, i) => i !== giving)];
  if (!closeInMeaning(shown[0]!) && !carriesQuestion(retrieval.terms, shown[0]!, asked !== undefined)) return notSure(retrieval, shown);
  return { question: retrieval.question, answered: true, results: shown, related: [], didYouMean: [] };
}

/** A passage as a search result that matched no word (found by meaning, or quoted about its article). */
export function unmatched(id: number): SearchResult {
  return { id, score: 0, terms: [], queryTerms: [], match: {} };
}

/** A search result as an answer: its passage, document, quote and link. */
export function toResult(index: SearchIndex, candidate: SearchResult, coverage: number, focusSentence?: number): AnswerResult {
  const passage = index.passageAt.get(candidate.id as number)!;
  const quote = selectQuote(passage, matchedTermWeights(index, candidate), { focusSentence });
  const document = documentOf(index, passage);
  return {
    id: passage.id,
    passage,
    document,
    score: candidate.score,
    coverage,
    quote: quote.text,
    quoteTrimmed: quote.trimmed,
    ...(quote.highlight && { quoteHighlight: quote.highlight }),
    link: textFragmentUrl(document.url, quote.highlight ? quote.text.slice(...quote.highlight) : quote.text),
  };
}

/** How many words "did you mean" offers, at most. */
const MAX_DID_YOU_MEAN = 3;

/**
 * For each question word the corpus lacks, the corpus word it is most likely a typo of: its
 * nearest expansion, when that is one edit away (a neighbour swap included) rather than merely a
 * word starting the same way. Nothing for words the corpus has, nor for English words ("cost" is
 * not a typo of "coast").
 */
function didYouMean(index: SearchIndex, question: string, terms: QueryTerm[], scope: string | undefined): string[] {
  const english = new Set(analyzeWithSurfaces(question).flatMap(({ term, surface }) => (isEnglish(surface) ? [term] : [])));
  const words = terms.flatMap(({ term, known, expansions }) => {
    const [nearest] = expansions;
    return !known && !english.has(term) && nearest?.typo ? [surfaceOf(index, nearest.term, scope)] : [];
  });
  return [...new Set(words)].slice(0, MAX_DID_YOU_MEAN);
}

/**
 * The word `term` stands for in the corpus ("partnerships" for "partnership"), read from a passage
 * that contains it: stems are not always words. Looked up only for the few terms shown to people,
 * instead of keeping a surface form for every term of the corpus.
 */
export function surfaceOf(index: SearchIndex, term: string, scope: string | undefined): string {
  const passage = index.passageAt.get(firstPassageWith(index, term, scope) ?? -1);
  for (const text of passage ? [passage.text, passage.section] : []) {
    for (const token of tokenize(normalizeText(text))) if (toTerm(token) === term) return token;
  }
  return term;
}
