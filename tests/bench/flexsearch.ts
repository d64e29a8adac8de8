/**
 * flexsearch, the speed anchor at scale: a search library built for speed, with its default
 * options (its own tokenizer and normaliser, no stemming or stop words), one entry per passage
 * (the same passages the engine indexes). Queries return partial matches too (`suggest`), as
 * minisearch's do, not only passages holding every word.
 */
import { Index } from 'flexsearch';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { splitIntoPassages } from '../../src/passages/splitIntoPassages.js';

/** Results asked for: as many as the engine quotes. */
const LIMIT = 3;

export function buildFlexsearch(documents: readonly CorpusDocument[]): Index {
  const index = new Index();
  let id = 0;
  for (const document of documents) for (const passage of splitIntoPassages(document)) index.add(id++, passage.text);
  return index;
}

/** The ids of the best passages. */
export function flexsearchAnswer(index: Index, question: string): unknown {
  return index.search(question, { limit: LIMIT, suggest: true });
}
