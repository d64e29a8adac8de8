/** Chooses what to show of a passage: all of it when short, else its most relevant sentences. */
import { sentencesOf, type Passage } from '../passages/splitIntoPassages.js';
import { analyze } from '../text/analyze.js';
import { spansOf, splitAtWords } from '../text/sentences.js';

/**
 * Longest quote, in characters. Short enough to read in a chat message and to fit a Discord
 * embed field (1024) with its markup; whole paragraphs are usually shorter.
 */
export const MAX_QUOTE_CHARS = 500;

/** A [start, end) range of characters. */
export type Span = [number, number];

export interface Quote {
  text: string;
  /** Whether sentences were left out (the text then starts and/or ends with "…"). */
  trimmed: boolean;
  /**
   * Where, in `text`, the sentence that carries most of the question's weight stands, for
   * front ends to emphasise. Absent when it would mark nothing out: the quote is that one
   * sentence, or no sentence matched a question term (the match was in the heading or title).
   */
  highlight?: Span;
}

/** Room for the "… " and " …" that mark left-out text. */
const ELLIPSIS_ROOM = 4;

export interface QuoteOptions {
  maxChars?: number;
  /**
   * The sentence (index into `sentencesOf(passage)`) known to answer best, e.g. the one closest in
   * meaning to the question: the quote is centred on it and highlights it, whatever its words.
   */
  focusSentence?: number;
}

/**
 * The passage's text if it fits, else the contiguous run of sentences around the best one (the
 * focus sentence, else the one that carries most of the weight of `termWeights`), grown towards
 * the better neighbour while it fits. A sentence too long to quote whole is treated as several
 * pieces cut between words. Either way the best sentence (or piece) is the quote's highlight.
 */
export function selectQuote(passage: Passage, termWeights: Map<string, number>, { maxChars = MAX_QUOTE_CHARS, focusSentence }: QuoteOptions = {}): Quote {
  const sentenceOfUnit: number[] = [];
  const units = sentencesOf(passage).flatMap((sentence, index) => {
    const pieces = splitAtWords(sentence, maxChars - ELLIPSIS_ROOM);
    for (const _piece of pieces) sentenceOfUnit.push(index);
    return pieces;
  });
  // One sentence: nothing to choose or to mark out.
  if (units.length < 2 && passage.text.length <= maxChars) return { text: passage.text, trimmed: false };
  const scores = units.map((unit) => [...new Set(analyze(unit))].reduce((sum, term) => sum + (termWeights.get(term) ?? 0), 0));
  const spans = spansOf(passage.text, units);
  // The focus sentence's best-scoring piece wins, marked out even without a matched word.
  const focusUnits = units.flatMap((_unit, unit) => (sentenceOfUnit[unit] === focusSentence ? [unit] : []));
  const best = focusUnits.length > 0 ? focusUnits.reduce((top, unit) => (scores[unit]! > scores[top]! ? unit : top)) : scores.indexOf(Math.max(0, ...scores));
  const marked = focusUnits.length > 0 || scores[best]! > 0;
  const highlightWithin = (quoteStart: number, offset: number, unitCount: number): Span | undefined => {
    if (!marked || unitCount < 2) return undefined;
    const [start, end] = spans[best]!;
    return [start - quoteStart + offset, end - quoteStart + offset];
  };
  if (passage.text.length <= maxChars) return { text: passage.text, trimmed: false, ...optional(highlightWithin(0, 0, units.length)) };

  const textOf = (from: number, to: number) => passage.text.slice(spans[from]![0], spans[to - 1]![1]);
  let start = best;
  let end = start + 1;
  const lengthOf = (from: number, to: number) => textOf(from, to).length + (from > 0 ? 2 : 0) + (to < units.length ? 2 : 0);

  for (;;) {
    const canGrowBefore = start > 0 && lengthOf(start - 1, end) <= maxChars;
    const canGrowAfter = end < units.length && lengthOf(start, end + 1) <= maxChars;
    if (!canGrowBefore && !canGrowAfter) break;
    if (canGrowAfter && (!canGrowBefore || scores[end]! >= scores[start - 1]!)) end += 1;
    else start -= 1;
  }

  const before = start > 0 ? '… ' : '';
  const after = end < units.length ? ' …' : '';
  return { text: `${before}${textOf(start, end)}${after}`, trimmed: true, ...optional(highlightWithin(spans[start]![0], before.length, end - start)) };
}

/** `{ highlight }` when there is one: absent rather than undefined, so results compare and serialise cleanly. */
function optional(highlight: Span | undefined): { highlight?: Span } {
  return highlight ? { highlight } : {};
}
