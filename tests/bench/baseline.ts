/**
 * The naive baseline the engine is compared with: minisearch with its default options (no
 * stemming, no stop words, default tokenizer, no prefix or fuzzy search), one entry per
 * paragraph, raw text, no abstention, the whole passage as the quote.
 */
import MiniSearch from 'minisearch';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { splitIntoPassages, type Passage } from '../../src/passages/splitIntoPassages.js';

export interface Baseline {
  miniSearch: MiniSearch<{ id: number; text: string }>;
  /** Its ids are positions here. */
  passages: Passage[];
}

export function buildBaseline(documents: readonly CorpusDocument[]): Baseline {
  const miniSearch = new MiniSearch<{ id: number; text: string }>({ fields: ['text'] });
  const passages = documents.flatMap((document) => splitIntoPassages(document));
  miniSearch.addAll(passages.map((passage, id) => ({ id, text: passage.text })));
  return { miniSearch, passages };
}

/** The best `top` passages for a question; none only when nothing matches a single word. */
export function baselineAnswer(baseline: Baseline, question: string, top: number): Passage[] {
  return baseline.miniSearch
    .search(question)
    .slice(0, top)
    .map((result) => baseline.passages[result.id as number]!);
}
