/** Passage lookup for search boxes: ranked matches for a few words, including a word being typed. */
import type { DocumentInfo } from '../corpus/types.js';
import type { SearchIndex } from '../index/buildSearchIndex.js';
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
}

/**
 * Best-matching passages for `query`, without abstaining: a search box shows what is there.
 * An empty query lists passages in corpus order, so an empty search box still offers choices.
 */
export function searchPassages(index: SearchIndex, query: string, options: SearchPassagesOptions): PassageHit[] {
  const terms = analyzeQuery(index, query, { lastTermIsPartial: options.partial });
  const hit = (passage: Passage, score: number): PassageHit => ({ passage, document: index.documentsById.get(passage.documentId)!, score });
  if (terms.length === 0) return index.passages.slice(0, options.limit).map((passage) => hit(passage, 0));
  return queryIndex(index, terms)
    .slice(0, options.limit)
    .map((result) => hit(index.passageAt.get(result.id as number)!, result.score));
}
