/** Sentence and word boundaries, for splitting long paragraphs and trimming quotes. */

const WHITESPACE = /\s/;

/**
 * Longest text given to `Intl.Segmenter` in one call, in characters. V8's segmenter spends time
 * proportional to the whole string on each segment it returns, so one long string with many
 * segments takes quadratic time (128 KiB of "Mr. A. B. e.g. U.S. " as one paragraph: 3.5 s).
 * Ordinary paragraphs fit in one window, and segment exactly as they would whole.
 */
export const SEGMENT_WINDOW_CHARS = 4096;

/** One segment: its text and, for word segmentation, whether it is a word (not spaces or punctuation). */
export interface Segment {
  segment: string;
  isWordLike?: boolean;
}

/**
 * The segments of `text`, as `segmenter.segment(text)` would give them, in time linear in its
 * length: a long text is segmented in windows of `windowChars`. A window's last quarter
 * is segmented again at the start of the next window, because the rules look past a boundary
 * (after "etc. ", whether a lower-case word follows) and the window's end is a boundary only for
 * the segmenter. A segment longer than three quarters of a window (a sentence without a full stop,
 * a run of letters) is cut, between words where it has spaces.
 */
export function* boundedSegments(segmenter: Intl.Segmenter, text: string, windowChars = SEGMENT_WINDOW_CHARS): Generator<Segment> {
  let start = 0;
  while (text.length - start > windowChars) {
    const trusted = start + Math.floor((windowChars * 3) / 4);
    let next = start;
    for (const { segment, index, isWordLike } of segmenter.segment(text.slice(start, start + windowChars))) {
      if (start + index + segment.length > trusted) {
        if (next === start) {
          next = wordCut(text, start, trusted - start);
          yield { segment: text.slice(start, next), isWordLike };
        }
        break;
      }
      yield { segment, isWordLike };
      next = start + index + segment.length;
    }
    start = next;
  }
  if (start === 0) yield* segmenter.segment(text);
  else if (start < text.length) yield* segmenter.segment(text.slice(start));
}

let sentenceSegmenter: Intl.Segmenter | undefined;

/**
 * The sentences of one paragraph, verbatim (each keeps its trailing space trimmed off), so that
 * joining them with a space gives back the paragraph. A sentence longer than a few KiB comes back
 * in pieces cut between words (see `boundedSegments`).
 */
export function splitSentences(paragraph: string): string[] {
  sentenceSegmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' });
  const sentences: string[] = [];
  for (const { segment } of boundedSegments(sentenceSegmenter, paragraph)) {
    const sentence = segment.trim();
    if (sentence !== '') sentences.push(sentence);
  }
  return sentences;
}

/**
 * Cuts `text` to at most `maxChars` characters at a word boundary, marking the cut with "…".
 * Never cuts inside a word (unless a single word is longer than the limit) or a surrogate pair.
 */
export function truncateAtWord(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, wordCut(text, 0, maxChars - 1)).trimEnd()}…`;
}

/** Splits `text` into pieces of at most `maxChars`, between words, losing nothing but the spaces cut at. */
export function splitAtWords(text: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > maxChars) {
    const cut = wordCut(text, start, maxChars);
    pieces.push(text.slice(start, cut).trimEnd());
    start = cut;
    while (start < text.length && WHITESPACE.test(text[start]!)) start += 1;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

/**
 * Where to end a piece of at most `maxChars` starting at `start` (which the caller has checked
 * is followed by more than `maxChars` characters): at the last whitespace within reach, else
 * after `maxChars` characters; never between the halves of a surrogate pair (an emoji), and
 * always at least one character forward. Looks only at the piece, so cutting a text is linear.
 */
function wordCut(text: string, start: number, maxChars: number): number {
  let cut = start + maxChars;
  for (let at = start + maxChars; at > start; at -= 1) {
    if (WHITESPACE.test(text[at]!)) {
      cut = at;
      break;
    }
  }
  if (cut > start + 1 && /[\uD800-\uDBFF]/.test(text.charAt(cut - 1)) && /[\uDC00-\uDFFF]/.test(text.charAt(cut))) cut -= 1;
  return Math.max(cut, start + 1);
}

/**
 * Where each of `pieces` stands in `text`, as [start, end) offsets. `pieces` are consecutive
 * verbatim parts of `text` (sentences, word-cut pieces): quoting `text.slice(start of one, end of
 * another)` keeps the text as written, where rejoining pieces with spaces would add a space where
 * a sentence ends without one ("2020.The").
 */
export function spansOf(text: string, pieces: readonly string[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let position = 0;
  for (const piece of pieces) {
    const at = text.indexOf(piece, position);
    const start = at === -1 ? position : at; // not verbatim (never expected): keep offsets monotonic
    position = start + piece.length;
    spans.push([start, position]);
  }
  return spans;
}
