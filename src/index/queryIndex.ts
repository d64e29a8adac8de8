/**
 * Querying a `SearchIndex`: query analysis, term weights, the bounded expansion of words the
 * corpus lacks (typos, words still being typed), and the minisearch call.
 *
 * Every query is made for a scope (the asking server, or none): it sees the base and that
 * server's own articles only, and so do the words it is expanded to or suggested. Term weights
 * (idf) are the whole index's: another server's articles may shift how much a word weighs, never
 * what is matched, quoted or shown.
 */
import type { SearchResult } from 'minisearch';
import { isVisibleIn } from '../corpus/types.js';
import { analyze } from '../text/analyze.js';
import { FIELD_BOOSTS, MINISEARCH_OPTIONS, type SearchIndex } from './buildSearchIndex.js';
import { internalsOf, type TermDictionary } from './minisearchInternals.js';
import { scoreTerms, type TermScores } from './scoreTerms.js';

/** A corpus term searched for in place of a query term the corpus lacks. */
export interface Expansion {
  term: string;
  /** What a match on it is worth against a match on the query term itself (below 1). */
  weight: number;
  /** One edit (or one swap of neighbouring letters) away: the query term is likely a typo of it. */
  typo: boolean;
}

export interface QueryTerm {
  term: string;
  /** Whether the corpus has this exact term. Unknown terms are searched through `expansions`. */
  known: boolean;
  /** BM25 inverse passage frequency: rare terms say more about what is asked. */
  weight: number;
  /** For an unknown term (or a word still being typed): the closest corpus terms, at most MAX_EXPANSIONS. */
  expansions: Expansion[];
}

/**
 * BM25's idf. A term the corpus lacks weighs as much as its rarest terms (frequency 1), not more:
 * on a small corpus, idf at frequency 0 would let one unfamiliar word (often a synonym) outweigh
 * everything the question shares with a passage.
 */
export function termWeight(index: SearchIndex, term: string): number {
  const total = index.passageAt.size;
  const frequency = passageFrequency(index, term) || 1;
  return Math.log(1 + (total - frequency + 0.5) / (frequency + 0.5));
}

/**
 * In how many passages `term` occurs in the text or heading (not the title, which every passage
 * of a document shares): read from minisearch's postings, so no statistics are kept besides the
 * index. An updated index is vacuumed before it serves, so discarded passages no longer count.
 */
export function passageFrequency(index: SearchIndex, term: string): number {
  const fields = vocabulary(index).get(term);
  const text = fields?.get(FIELD_IDS.text);
  const section = fields?.get(FIELD_IDS.section);
  if (!text || !section) return text?.size ?? section?.size ?? 0;
  let both = 0;
  for (const id of section.keys()) if (text.has(id)) both += 1;
  return text.size + section.size - both;
}

/**
 * How many corpus terms an unknown word is searched as, at most. A typo has one intended word,
 * almost always among the few nearest; every extra term costs a posting list to score, and on a
 * large vocabulary an unbounded fuzzy search reaches hundreds ("tell me about wezat" was 10× the
 * median query). Four keeps the intended word when the nearest ties are common words.
 */
export const MAX_EXPANSIONS = 4;

/** Most completions of a prefix looked at before choosing the closest: bounds short prefixes ("par"). */
const MAX_PREFIX_CANDIDATES = 200;

/** What fuzzy and prefix matches weigh, as minisearch weighs them (closer words weigh more). */
const FUZZY_WEIGHT = 0.6;
const PREFIX_WEIGHT = 0.5;

/**
 * Edit distance allowed for a term the corpus lacks: 1 from four letters, 2 from eight, none below
 * four, where a typo is indistinguishable from another word. A swap of two neighbouring letters
 * ("biadu") counts as one edit. Known terms are never fuzzy: that keeps results precise.
 */
function fuzzyDistance(term: string): number {
  return term.length >= 8 ? 2 : term.length >= 4 ? 1 : 0;
}

/** The fields in the order minisearch scores them (its `boost` option's key order). */
const FIELD_ORDER = Object.keys(FIELD_BOOSTS) as Array<keyof typeof FIELD_BOOSTS>;

function vocabulary(index: SearchIndex): TermDictionary {
  return internalsOf(index.miniSearch)._index;
}

/** minisearch's field ids are positions in its `fields` option. */
const FIELD_IDS = Object.fromEntries(MINISEARCH_OPTIONS.fields.map((field, id) => [field, id])) as Record<(typeof MINISEARCH_OPTIONS.fields)[number], number>;

/**
 * The corpus terms nearest `term` that `scope` sees: within its edit distance, one swap of
 * neighbouring letters away, or (with `prefix`) starting with it; closest first, then most frequent.
 */
export function nearTerms(index: SearchIndex, term: string, options: { fuzzy: boolean; prefix: boolean; scope?: string }): Expansion[] {
  const terms = vocabulary(index);
  const candidates = new Map<string, { weight: number; typo: boolean }>();
  const consider = (candidate: string, weight: number, typo: boolean) => {
    if (candidate === term) return;
    const known = candidates.get(candidate);
    candidates.set(candidate, { weight: Math.max(weight, known?.weight ?? 0), typo: typo || (known?.typo ?? false) });
  };
  // A number is never a typo of another: "2022" is not "2020".
  if (options.fuzzy && !/^\p{N}+$/u.test(term)) {
    const maxDistance = fuzzyDistance(term);
    const fuzzyWeight = (candidate: string, distance: number) => (FUZZY_WEIGHT * candidate.length) / (candidate.length + distance);
    if (maxDistance > 0) for (const candidate of oneEditAway(terms, term)) consider(candidate, fuzzyWeight(candidate, 1), true);
    // Two edits only for a long word with no word one edit away: searching the whole vocabulary
    // within two edits is the costly part of a query.
    if (maxDistance > 1 && candidates.size === 0) {
      for (const [candidate, [, distance]] of terms.fuzzyGet(term, maxDistance)) consider(candidate, fuzzyWeight(candidate, distance), distance === 1);
    }
  }
  if (options.prefix) {
    let seen = 0;
    for (const [candidate] of terms.atPrefix(term)) {
      if (++seen > MAX_PREFIX_CANDIDATES) break;
      const distance = candidate.length - term.length;
      consider(candidate, (PREFIX_WEIGHT * candidate.length) / (candidate.length + 0.3 * distance), false);
    }
  }
  const nearest: Expansion[] = [];
  // Frequencies counted once per candidate, not in every comparison.
  const frequency = new Map([...candidates.keys()].map((candidate) => [candidate, passageFrequency(index, candidate)]));
  const sorted = [...candidates].sort(([a, x], [b, y]) => y.weight - x.weight || frequency.get(b)! - frequency.get(a)! || (a < b ? -1 : 1));
  for (const [candidate, { weight, typo }] of sorted) {
    if (nearest.length === MAX_EXPANSIONS) break;
    if (occursInScope(index, candidate, options.scope)) nearest.push({ term: candidate, weight, typo });
  }
  return nearest;
}

/** The characters index terms are made of, for generating a word's one-edit neighbours. */
const TERM_CHARACTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The vocabulary's words one edit from `term`: a letter dropped, added, changed, or two
 * neighbours swapped (Damerau). Generating the few hundred candidates and looking each up is
 * far cheaper than walking the vocabulary within an edit distance; terms in other scripts use
 * minisearch's fuzzy search.
 */
function oneEditAway(terms: TermDictionary, term: string): Set<string> {
  const found = new Set<string>();
  if (!/^[a-z0-9]+$/.test(term)) {
    for (const [candidate, [, distance]] of terms.fuzzyGet(term, 1)) if (distance === 1) found.add(candidate);
    return found;
  }
  const check = (candidate: string) => {
    if (candidate !== term && terms.has(candidate)) found.add(candidate);
  };
  for (let i = 0; i <= term.length; i++) {
    const [before, after] = [term.slice(0, i), term.slice(i)];
    for (const character of TERM_CHARACTERS) check(before + character + after);
    if (i === term.length) break;
    check(before + after.slice(1));
    for (const character of TERM_CHARACTERS) check(before + character + after.slice(1));
    if (i + 1 < term.length) check(before + after[1] + after[0] + after.slice(2));
  }
  return found;
}

export interface QueryOptions {
  /** Treat the last term as the start of a word still being typed (autocomplete). */
  lastTermIsPartial?: boolean;
  /** The server asking: it sees the base and its own articles (none: the base only). */
  scope?: string;
}

/**
 * The distinct terms of a query, in order, each with its weight and, when the corpus lacks it
 * (or it is still being typed), the corpus terms to search instead.
 */
export function analyzeQuery(index: SearchIndex, text: string, options: QueryOptions = {}): QueryTerm[] {
  const distinct = [...new Set(analyze(text))];
  return distinct.map((term, position) => {
    // A word only another server's articles have is unknown here.
    const known = passageFrequency(index, term) > 0 && occursInScope(index, term, options.scope);
    const partial = options.lastTermIsPartial === true && position === distinct.length - 1;
    const expansions = known && !partial ? [] : nearTerms(index, term, { fuzzy: !known, prefix: partial || term.length >= 3, scope: options.scope });
    return { term, known, weight: termWeight(index, term), expansions };
  });
}

/**
 * Passages `scope` sees matching any of the terms (OR), best first, scored by minisearch's BM25+
 * with field boosts; an unknown term matches through its expansions, at their lower weight.
 */
export function queryIndex(index: SearchIndex, terms: QueryTerm[], scope?: string): SearchResult[] {
  if (terms.length === 0) return [];
  const boosts = new Map<string, number>();
  for (const { term, expansions } of terms) {
    // Unknown terms too: a word found only in titles is not "known" (titles don't count towards
    // coverage), but still matches there.
    boosts.set(term, 1);
    for (const expansion of expansions) boosts.set(expansion.term, Math.max(expansion.weight, boosts.get(expansion.term) ?? 0));
  }
  const searched = [...boosts.keys()];
  return scoreTerms(
    internalsOf(index.miniSearch),
    searched,
    (term) => boosts.get(term)!,
    FIELD_BOOSTS,
    (scores) => bestResults(index, searched, scores, scope),
  );
}

/**
 * Candidates kept per query, best first: the meaning stage re-ranks the first 30 (RANKING's
 * candidate pool), answering by words stops at the first few that answer, search boxes show 25.
 * Only these get a result object: keeping 100 made an answer at 100,000 passages 1.6× slower.
 */
export const MAX_CANDIDATES = 30;

/**
 * The MAX_CANDIDATES best matches that `scope` sees, as minisearch's `search` would return them:
 * scored as it scores (times the number of query terms matched), best first, ties in its order.
 */
function bestResults(
  index: SearchIndex,
  searched: readonly string[],
  { shortIds, score: scoreOf, termsMatched }: TermScores,
  scope: string | undefined,
): SearchResult[] {
  const internals = internalsOf(index.miniSearch);
  // Ascending by score, so the weakest kept is at the front: most matches are weaker still, and skipped.
  const kept: Array<{ shortId: number; score: number }> = [];
  for (const shortId of shortIds) {
    const score = scoreOf[shortId]! * termsMatched[shortId]!;
    if (kept.length === MAX_CANDIDATES && score <= kept[0]!.score) continue;
    const id = internals._documentIds.get(shortId);
    if (id === undefined || !isVisibleIn(index.passageAt.get(id)?.scope, scope)) continue;
    // Before equal scores already kept: reversed below, ties come out first-matched first, as minisearch sorts them.
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (kept[middle]!.score < score) low = middle + 1;
      else high = middle;
    }
    kept.splice(low, 0, { shortId, score });
    if (kept.length > MAX_CANDIDATES) kept.shift();
  }
  const postingsOf = searched.map((term) => [term, internals._index.get(term)] as const);
  return kept.reverse().map(({ shortId, score }) => {
    // Which fields each term matched, in query order (as minisearch's `match` lists them).
    const match: Record<string, string[]> = {};
    const queryTerms: string[] = [];
    for (const [term, byField] of postingsOf) {
      if (!byField) continue;
      const fields: string[] = [];
      for (const field of FIELD_ORDER) if (byField.get(FIELD_IDS[field])?.has(shortId)) fields.push(field);
      if (fields.length === 0) continue;
      match[term] = fields;
      queryTerms.push(term);
    }
    return { id: internals._documentIds.get(shortId)!, score, terms: Object.keys(match), queryTerms, match };
  });
}

/**
 * The id of some passage `scope` sees containing `term` exactly, without scoring every passage
 * that has it (a search would): for showing a term as the word it came from.
 */
export function firstPassageWith(index: SearchIndex, term: string, scope?: string): number | undefined {
  // Postings are by minisearch's own short ids, which it maps to ours.
  const ids = internalsOf(index.miniSearch)._documentIds;
  for (const postings of vocabulary(index).get(term)?.values() ?? []) {
    for (const shortId of postings.keys()) {
      const id = ids.get(shortId);
      const passage = id === undefined ? undefined : index.passageAt.get(id);
      if (passage && isVisibleIn(passage.scope, scope)) return id;
    }
  }
  return undefined;
}

/** Whether a passage `scope` sees contains `term`: a term only other servers' articles have must never be suggested or shown. */
export function occursInScope(index: SearchIndex, term: string, scope: string | undefined): boolean {
  return firstPassageWith(index, term, scope) !== undefined;
}
