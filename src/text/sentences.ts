/** Sentence and word boundaries, for splitting long paragraphs and trimming quotes. */

let sentenceSegmenter: Intl.Segmenter | undefined;

/**
 * The sentences of one paragraph, verbatim (each keeps its trailing space trimmed off), so that
 * joining them with a space gives back the paragraph. Call it per paragraph: `Intl.Segmenter`
 * is superlinear on long strings.
 */
export function splitSentences(paragraph: string): string[] {
  sentenceSegmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' });
  const sentences: string[] = [];
  for (const { segment } of sentenceSegmenter.segment(paragraph)) {
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
  return `${splitAtWords(text, maxChars - 1)[0]}…`;
}

/** Splits `text` into pieces of at most `maxChars`, between words, losing nothing but the spaces cut at. */
export function splitAtWords(text: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const head = rest.slice(0, maxChars + 1);
    const lastSpace = head.search(/\s\S*$/u);
    let cut = lastSpace > 0 ? lastSpace : maxChars;
    // Never between the halves of a surrogate pair (an emoji), and always forward.
    if (cut > 1 && /[\uD800-\uDBFF]/.test(rest.charAt(cut - 1)) && /[\uDC00-\uDFFF]/.test(rest.charAt(cut))) cut -= 1;
    cut = Math.max(cut, 1);
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
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
