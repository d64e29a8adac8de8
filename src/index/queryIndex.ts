/** Querying a `SearchIndex`: query analysis, term weights, and the minisearch call. */
import type { SearchResult } from 'minisearch';
import { analyze } from '../text/analyze.js';
import { FIELD_BOOSTS, type SearchIndex } from './buildSearchIndex.js';

export interface QueryTerm {
  term: string;
  /** Whether the corpus has this exact term. Unknown terms are looked up by prefix and fuzzily. */
  known: boolean;
  /** BM25 inverse passage frequency: rare terms say more about what is asked. */
  weight: number;
}

/**
 * BM25's idf. A term the corpus lacks weighs as much as its rarest terms (frequency 1), not more:
 * on a small corpus, idf at frequency 0 would let one unfamiliar word (often a synonym) outweigh
 * everything the question shares with a passage.
 */
export function termWeight(index: SearchIndex, term: string): number {
  const total = index.passageAt.size;
  const frequency = index.passageFrequency.get(term) ?? 1;
  return Math.log(1 + (total - frequency + 0.5) / (frequency + 0.5));
}

/** The distinct terms of a query, in order. */
export function analyzeQuery(index: SearchIndex, text: string): QueryTerm[] {
  return [...new Set(analyze(text))].map((term) => ({
    term,
    known: index.passageFrequency.has(term),
    weight: termWeight(index, term),
  }));
}

/**
 * Edit distance allowed for a term the corpus lacks (a typo): 2 from five letters on, since a
 * swapped pair of letters ("biadu") costs two edits; none below four letters, where a typo
 * is indistinguishable from another word. Known terms are never fuzzy: that keeps results
 * precise and keeps fuzzy search, the slow path on large corpora, off most queries.
 */
function fuzzyDistance(term: string): number | false {
  return term.length >= 5 ? 2 : term.length === 4 ? 1 : false;
}

export interface QueryOptions {
  /** Treat the last term as the start of a word still being typed (autocomplete). */
  lastTermIsPartial?: boolean;
}

/**
 * Passages matching any of the terms (OR), best first, scored by minisearch's BM25+ with field
 * boosts. Unknown terms match by prefix ("partnersh") and fuzzily ("micrsoft"), at lower weight.
 */
export function queryIndex(index: SearchIndex, terms: QueryTerm[], options: QueryOptions = {}): SearchResult[] {
  if (terms.length === 0) return [];
  const unknown = new Set(terms.filter((term) => !term.known).map((term) => term.term));
  const last = terms.at(-1)!.term;
  const isPartial = (term: string) => options.lastTermIsPartial === true && term === last;
  return index.miniSearch.search(terms.map((term) => term.term).join(' '), {
    boost: FIELD_BOOSTS,
    combineWith: 'OR',
    prefix: (term) => isPartial(term) || (unknown.has(term) && term.length >= 3),
    fuzzy: (term) => (unknown.has(term) ? fuzzyDistance(term) : false),
    maxFuzzy: 2,
    weights: { fuzzy: 0.6, prefix: 0.5 },
  });
}

/** minisearch's postings (internal, stable through minisearch 7): term → field id → passage id → frequency. */
interface MiniSearchPostings {
  _index?: { get(term: string): Map<number, Map<number, number>> | undefined };
}

/**
 * The id of some passage containing `term` exactly, without scoring every passage that has it (a
 * search would): for showing a term as the word it came from.
 */
export function firstPassageWith(index: SearchIndex, term: string): number | undefined {
  const fields = (index.miniSearch as unknown as MiniSearchPostings)._index?.get(term);
  for (const postings of fields?.values() ?? []) {
    for (const id of postings.keys()) if (index.passageAt.has(id)) return id;
  }
  return undefined;
}
