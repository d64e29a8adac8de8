/**
 * English words (the `an-array-of-english-words` package), loaded on first use: a word in it is
 * never "corrected" to an article word, nor offered a "did you mean". Kept as one sorted string
 * searched by halves, a fraction of the memory of a Set of its words.
 */
import { createRequire } from 'node:module';
import { foldAccents } from './analyze.js';

let englishWords: { text: string; starts: Uint32Array } | undefined;

/** Loads the English word list now, so that no member's question waits for it (an engine worker calls this before it serves). */
export function loadEnglishWords(): void {
  if (!englishWords) {
    const words = (createRequire(import.meta.url)('an-array-of-english-words') as string[]).slice().sort();
    const starts = new Uint32Array(words.length + 1);
    words.forEach((entry, i) => (starts[i + 1] = starts[i]! + entry.length + 1));
    englishWords = { text: words.join('\n'), starts };
  }
}

/** Whether a word, as typed (any case, accents or not: "Café"), is an English word. */
export function isEnglish(typed: string): boolean {
  loadEnglishWords();
  const word = foldAccents(typed.toLowerCase());
  const { text, starts } = englishWords!;
  for (let low = 0, high = starts.length - 2; low <= high; ) {
    const middle = (low + high) >>> 1;
    const entry = text.slice(starts[middle], starts[middle + 1]! - 1);
    if (entry === word) return true;
    if (entry < word) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}
