/** Answers a question by quoting the corpus, or says the corpus doesn't answer it. */
import type { SearchResult } from 'minisearch';
import type { DocumentInfo } from '../corpus/types.js';
import { documentOf, type SearchIndex } from '../index/buildSearchIndex.js';
import { analyzeQuery, queryIndex, termWeight, type QueryTerm } from '../index/queryIndex.js';
import type { Passage } from '../passages/splitIntoPassages.js';
import { textFragmentUrl } from './attribution.js';
import { selectQuote } from './selectQuote.js';
import { normalizeText, toTerm, tokenize } from '../text/analyze.js';
import { firstPassageWith, occursInScope } from '../index/queryIndex.js';

/**
 * Least share of the question's weight (each term weighted by its rarity) that the best passage
 * must match in its text or heading. Below it, the passage shares only common words with the
 * question ("Microsoft", "China") and not what was actually asked, and the engine abstains.
 * Measured on the question set (tests/fixtures/questions.json): 0.4 balances answering
 * paraphrases against declining questions the article doesn't answer; see the README.
 */
export const MIN_COVERAGE = 0.4;

/**
 * Results after the first must also score at least this share of the first's score, so that
 * "more passages" doesn't pad the answer with passages that merely mention a common word.
 */
export const MIN_RELATIVE_SCORE = 0.2;

/**
 * Below this coverage a declined question gets no "closest passage": it would be unrelated. On the
 * question set, at 0.3 the hint is the right paragraph for half the wrongly declined questions,
 * and never a wrong one.
 */
export const MIN_CLOSEST_COVERAGE = 0.3;

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
  /** The article's URL with a text fragment that highlights the quote. */
  link: string;
}

export type AbstainReason =
  /** The question has no searchable words (only stop words or punctuation). */
  | 'no-terms'
  /** Nothing in the corpus matches any of its words. */
  | 'no-match'
  /** Passages match only a minor part of what was asked. */
  | 'weak-match';

export interface Answer {
  question: string;
  answered: boolean;
  reason?: AbstainReason;
  /** Best first; empty when not answered. */
  results: AnswerResult[];
  /** When not answered: corpus words close to the question's, or what the corpus is about. */
  suggestions: string[];
  /**
   * When declined for a weak match: the passage that came closest, which may still be what a
   * reworded question was after. Shown as a hint, never as the answer.
   */
  closest?: AnswerResult;
}

export interface AnswerOptions {
  /** How many results at most (default 3; at least 1). */
  top?: number;
  /** The server asking: answers come from the base and its own articles (none: the base only). */
  scope?: string;
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
export function coverageOf(terms: QueryTerm[], result: SearchResult): number {
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

export function answerQuestion(index: SearchIndex, question: string, options: AnswerOptions = {}): Answer {
  const top = Math.max(1, Math.floor(options.top ?? DEFAULT_TOP));
  const { scope } = options;
  const terms = analyzeQuery(index, question, { scope });
  const abstain = (reason: AbstainReason, closest?: AnswerResult): Answer => ({
    question,
    answered: false,
    reason,
    results: [],
    suggestions: suggestTerms(index, terms, scope),
    ...(closest && { closest }),
  });
  if (terms.length === 0) return abstain('no-terms');

  const candidates = queryIndex(index, terms, scope);
  const [best] = candidates;
  if (!best) return abstain('no-match');
  const bestCoverage = coverageOf(terms, best);
  if (bestCoverage < MIN_COVERAGE) return abstain('weak-match', bestCoverage >= MIN_CLOSEST_COVERAGE ? toResult(index, best, bestCoverage) : undefined);

  const results: AnswerResult[] = [];
  for (const candidate of candidates) {
    if (results.length >= top) break;
    const coverage = candidate === best ? bestCoverage : coverageOf(terms, candidate);
    if (coverage < MIN_COVERAGE || candidate.score < best.score * MIN_RELATIVE_SCORE) continue;
    results.push(toResult(index, candidate, coverage));
  }
  return { question, answered: true, results, suggestions: [] };
}

/** A search result as an answer: its passage, document, quote and link. */
export function toResult(index: SearchIndex, candidate: SearchResult, coverage: number): AnswerResult {
  const passage = index.passageAt.get(candidate.id as number)!;
  const quote = selectQuote(passage, matchedTermWeights(index, candidate));
  const document = documentOf(index, passage);
  return {
    id: passage.id,
    passage,
    document,
    score: candidate.score,
    coverage,
    quote: quote.text,
    quoteTrimmed: quote.trimmed,
    link: textFragmentUrl(document.url, quote.text),
  };
}

/** How many words to suggest. */
const MAX_SUGGESTIONS = 5;

/**
 * Words to offer when abstaining: corpus words spelled like the question's unknown words (likely
 * typos: their expansions), else the corpus's most characteristic words (frequent, but not in
 * nearly every passage).
 */
export function suggestTerms(index: SearchIndex, terms: QueryTerm[], scope?: string): string[] {
  const near = new Set(terms.flatMap(({ expansions }) => expansions.map((expansion) => expansion.term)));
  const candidates = near.size > 0 ? [...near] : characteristicTerms(index, scope);
  return [...new Set(candidates.slice(0, MAX_SUGGESTIONS * 2).map((term) => surfaceOf(index, term, scope)))].slice(0, MAX_SUGGESTIONS);
}

/** Per index: the terms that could be characteristic, most frequent first; and per scope, the ones it sees. */
const characteristicTermsCache = new WeakMap<SearchIndex, { ranked: string[]; byScope: Map<string | undefined, string[]> }>();

function characteristicTerms(index: SearchIndex, scope: string | undefined): string[] {
  let cached = characteristicTermsCache.get(index);
  if (!cached) {
    const limit = Math.max(2, index.passageAt.size * 0.6);
    const ranked = [...index.passageFrequency.entries()]
      .filter(([term, frequency]) => frequency < limit && /\p{L}{3}/u.test(term))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([term]) => term);
    cached = { ranked, byScope: new Map() };
    characteristicTermsCache.set(index, cached);
  }
  let terms = cached.byScope.get(scope);
  if (!terms) {
    // Frequencies are the whole index's; the words shown are only ones this scope's articles have.
    terms = [];
    for (const term of cached.ranked) {
      if (terms.length === MAX_SUGGESTIONS) break;
      if (occursInScope(index, term, scope)) terms.push(term);
    }
    cached.byScope.set(scope, terms);
  }
  return terms;
}

/**
 * The word `term` stands for in the corpus ("partnerships" for "partnership"), read from a passage
 * that contains it: stems are not always words. Looked up only for the few terms shown to people,
 * instead of keeping a surface form for every term of the corpus.
 */
function surfaceOf(index: SearchIndex, term: string, scope: string | undefined): string {
  const passage = index.passageAt.get(firstPassageWith(index, term, scope) ?? -1);
  for (const text of passage ? [passage.text, passage.section] : []) {
    for (const token of tokenize(normalizeText(text))) if (toTerm(token) === term) return token;
  }
  return term;
}
