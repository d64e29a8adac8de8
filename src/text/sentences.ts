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
    if (/[\uD800-\uDBFF]/.test(rest.charAt(cut - 1))) cut -= 1;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}
