/**
 * The parts of a minisearch 7 index the engine reads or fills beyond its public API, described
 * once: the bulk loader fills the term dictionary, scoring reads postings and lengths, queries
 * look words up. tests/unit/index.test.ts compares the results with minisearch's own `add` and
 * `search`, so an upgrade that changes these fails loudly (the lock file pins the version).
 */
import type MiniSearch from 'minisearch';

/** minisearch's term dictionary (a radix tree): term → field id → short id → term frequency. */
export interface TermDictionary {
  get(term: string): Map<number, Map<number, number>> | undefined;
  set(term: string, postings: Map<number, Map<number, number>>): void;
  has(term: string): boolean;
  atPrefix(prefix: string): Iterable<[string, unknown]>;
  fuzzyGet(term: string, maxDistance: number): Map<string, [unknown, number]>;
}

export interface MiniSearchInternals {
  _index: TermDictionary;
  /** Live passages: short id → our id. */
  _documentIds: Map<number, number>;
  _documentCount: number;
  _nextId: number;
  /** Per short id, each field's length (distinct terms). */
  _fieldLength: Map<number, number[]>;
  _avgFieldLength: number[];
  _fieldIds: Record<string, number>;
}

export function internalsOf(miniSearch: MiniSearch<never> | MiniSearch<unknown>): MiniSearchInternals {
  return miniSearch as unknown as MiniSearchInternals;
}
