/** Chooses what to show of a passage: all of it when short, else its most relevant sentences. */
import type { Passage } from '../passages/splitIntoPassages.js';
import { analyze } from '../text/analyze.js';
import { truncateAtWord } from '../text/sentences.js';

/**
 * Longest quote, in characters. Short enough to read in a chat message and to fit a Discord
 * embed field (1024) with its markup; whole paragraphs are usually shorter.
 */
export const MAX_QUOTE_CHARS = 500;

export interface Quote {
  text: string;
  /** Whether sentences were left out (the text then starts and/or ends with "…"). */
  trimmed: boolean;
}

/**
 * The passage's text if it fits, else the contiguous run of sentences around the one that
 * carries most of the weight of `termWeights`, grown towards the better neighbour while it fits.
 */
export function selectQuote(passage: Passage, termWeights: Map<string, number>, maxChars = MAX_QUOTE_CHARS): Quote {
  if (passage.text.length <= maxChars) return { text: passage.text, trimmed: false };
  const { sentences } = passage;
  const scores = sentences.map((sentence) => [...new Set(analyze(sentence))].reduce((sum, term) => sum + (termWeights.get(term) ?? 0), 0));
  let start = scores.indexOf(Math.max(...scores));
  let end = start + 1;
  const lengthOf = (from: number, to: number) =>
    sentences.slice(from, to).join(' ').length + (from > 0 ? 2 : 0) + (to < sentences.length ? 2 : 0);

  for (;;) {
    const canGrowBefore = start > 0 && lengthOf(start - 1, end) <= maxChars;
    const canGrowAfter = end < sentences.length && lengthOf(start, end + 1) <= maxChars;
    if (!canGrowBefore && !canGrowAfter) break;
    if (canGrowAfter && (!canGrowBefore || scores[end]! >= scores[start - 1]!)) end += 1;
    else start -= 1;
  }

  const core = sentences.slice(start, end).join(' ');
  const before = start > 0 ? '… ' : '';
  const after = end < sentences.length ? ' …' : '';
  return { text: `${before}${truncateAtWord(core, maxChars - before.length - after.length)}${after}`, trimmed: true };
}
