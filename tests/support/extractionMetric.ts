/**
 * The scrapinghub article-extraction-benchmark's metric, as tests/fixtures/extraction-dev/README.md
 * states it: 4-word shingles over `\w+` Unicode words, with their counts; per page, true positives
 * (shared counts), false positives (extra in the prediction) and false negatives (missing from it),
 * each divided by their sum; precision and recall per page (1 when a page has neither false
 * positives nor false negatives); F1 of the mean precision and the mean recall over pages.
 */
/** Python's Unicode `\w`: letters, digits and numerals, and the underscore. */
const WORD = /[\p{L}\p{N}_]+/gu;
const SHINGLE = 4;

/**
 * Every run of 4 consecutive words of `text`, with how often it occurs; a text of 1 to 3 words is
 * one shingle of them all, as in the benchmark's code.
 */
export function shingles(text: string): Map<string, number> {
  const words = text.match(WORD) ?? [];
  const counts = new Map<string, number>();
  for (let start = 0; start === 0 ? words.length > 0 : start + SHINGLE <= words.length; start += 1) {
    const shingle = words.slice(start, start + SHINGLE).join(' ');
    counts.set(shingle, (counts.get(shingle) ?? 0) + 1);
  }
  return counts;
}

export interface PageScore {
  precision: number;
  recall: number;
}

/** One page: `predicted` (the extractor's body) against `expected` (the body people marked). */
export function scorePage(predicted: string, expected: string): PageScore {
  const got = shingles(predicted);
  const want = shingles(expected);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [shingle, count] of got) {
    const shared = Math.min(count, want.get(shingle) ?? 0);
    tp += shared;
    fp += count - shared;
  }
  for (const [shingle, count] of want) fn += Math.max(0, count - (got.get(shingle) ?? 0));
  if (fp === 0 && fn === 0) return { precision: 1, recall: 1 };
  const total = tp + fp + fn;
  const [t, p, n] = [tp / total, fp / total, fn / total];
  return { precision: t + p === 0 ? 0 : t / (t + p), recall: t + n === 0 ? 0 : t / (t + n) };
}

export interface SetScore {
  precision: number;
  recall: number;
  f1: number;
  pages: number;
}

/** Mean precision and mean recall over `pages`, and the F1 of those two means. */
export function scorePages(pages: readonly PageScore[]): SetScore {
  const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);
  const precision = mean(pages.map((page) => page.precision));
  const recall = mean(pages.map((page) => page.recall));
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, pages: pages.length };
}
