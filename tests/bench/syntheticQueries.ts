/**
 * Deterministic questions about a synthetic corpus: content words taken from one random passage,
 * set in question templates full of stop words (the shape members really ask in), some with a
 * typo, a few about what the corpus doesn't contain. The same list is run against the engine
 * and the baseline.
 */
import type { CorpusDocument } from '../../src/corpus/types.js';
import { integer, mulberry32, pick, type Random } from './random.js';
import { COMMON_WORDS } from './syntheticCorpus.js';

/** Each uses the first one to three content words; the rest are common English or question words. */
const TEMPLATES: ReadonlyArray<(words: string[]) => string> = [
  ([a, b]) => `what did ${a} do with the ${b}`,
  ([a, b]) => `why is the ${a} of ${b} so good`,
  ([a, b, c]) => `how did the ${a} of ${b} make ${c}`,
  ([a]) => `who said that ${a} was there`,
  ([a, b]) => `when was the ${a} in ${b}`,
  ([a, b]) => `is there anything about ${a} and ${b}`,
  ([a]) => `tell me about ${a}`,
  ([a, b]) => `${a} ${b}`,
  ([a, b, c]) => `${a} ${b} ${c}`,
];

/** Share of queries with one misspelt word. */
const TYPO_RATE = 0.15;
/**
 * Share of queries about things the corpus doesn't contain (a quarter of the evaluation set is
 * such questions): their words are unknown, so the engine looks them up by prefix and fuzzily.
 */
const OFF_CORPUS_RATE = 0.1;
const OFF_CORPUS_WORDS = [
  'capital',
  'france',
  'google',
  'weather',
  'election',
  'football',
  'recipe',
  'vaccine',
  'bitcoin',
  'president',
  'airport',
  'salary',
  'password',
  'camera',
  'insurance',
  'concert',
];

/** One typing slip inside a word: two letters swapped, one dropped, or one doubled. */
function misspell(random: Random, word: string): string {
  const at = integer(random, 1, word.length - 2);
  switch (integer(random, 0, 2)) {
    case 0:
      return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
    case 1:
      return word.slice(0, at) + word.slice(at + 1);
    default:
      return word.slice(0, at) + word[at] + word.slice(at);
  }
}

export function syntheticQueries(documents: readonly CorpusDocument[], count: number, seed: number): string[] {
  const random = mulberry32(seed);
  const common = new Set(COMMON_WORDS);
  const queries: string[] = [];
  while (queries.length < count) {
    const paragraph = pick(random, pick(random, documents).body.split('\n\n'));
    const words = paragraph
      .toLowerCase()
      .split(/[^a-z]+/)
      .filter((word) => word !== '' && !common.has(word));
    if (words.length < 3) continue;
    const source = random() < OFF_CORPUS_RATE ? OFF_CORPUS_WORDS : words;
    const chosen = [pick(random, source), pick(random, source), pick(random, source)];
    if (random() < TYPO_RATE) {
      const long = chosen.findIndex((word) => word.length >= 5);
      if (long !== -1) chosen[long] = misspell(random, chosen[long]!);
    }
    queries.push(pick(random, TEMPLATES)(chosen));
  }
  return queries;
}
