/** Passage lookup for search boxes: ranked matches for a few words, including a word being typed. */
import { isVisibleIn, type DocumentInfo } from '../corpus/types.js';
import { documentOf, type SearchIndex } from '../index/buildSearchIndex.js';
import { analyzeQuery, queryIndex } from '../index/queryIndex.js';
import type { Passage } from '../passages/splitIntoPassages.js';

export interface PassageHit {
  passage: Passage;
  document: DocumentInfo;
  score: number;
}

export interface SearchPassagesOptions {
  limit: number;
  /** The query is still being typed: its last word may be incomplete. */
  partial?: boolean;
  /** The server asking: it sees the base and its own articles (none: the base only). */
  scope?: string;
}

/**
 * Best-matching passages for `query`, without abstaining: a search box shows what is there.
 * An empty query lists passages in corpus order, so an empty search box still offers choices.
 */
export function searchPassages(index: SearchIndex, query: string, options: SearchPassagesOptions): PassageHit[] {
  const { scope } = options;
  const terms = analyzeQuery(index, query, { lastTermIsPartial: options.partial, scope });
  const hit = (passage: Passage, score: number): PassageHit => ({ passage, document: documentOf(index, passage), score });
  if (terms.length === 0) {
    const first: PassageHit[] = [];
    for (const passage of index.passages) {
      if (first.length >= options.limit) break;
      if (isVisibleIn(passage.scope, scope)) first.push(hit(passage, 0));
    }
    return first;
  }
  return queryIndex(index, terms, scope)
    .slice(0, options.limit)
    .map((result) => hit(index.passageAt.get(result.id as number)!, result.score));
}
