/**
 * Text processing takes time linear in its input, whatever a moderator puts in the corpus:
 * for each input that once took quadratic time (a backtracking regex, `Intl.Segmenter` on a long
 * string, the stemmer on a long word), doubling the input at most about doubles the time, and a
 * 1 MiB file of it is processed in well under Discord's 3 seconds.
 */
import { describe, expect, it } from 'vitest';
import { textFragmentUrl } from '../src/answers/attribution.js';
import { slugify } from '../src/corpus/parseCorpusFile.js';
import type { CorpusDocument } from '../src/corpus/types.js';
import { splitIntoPassages } from '../src/passages/splitIntoPassages.js';
import { analyze } from '../src/text/analyze.js';

const KiB = 1024;

/** `unit` repeated to exactly `chars` characters. */
function fill(unit: string, chars: number): string {
  return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

/** Letters a–z in a fixed pseudo-random order: every passage's one long word differs, so no cache hides the work. */
function randomLetters(chars: number): string {
  let state = 7;
  return Array.from({ length: chars }, () => String.fromCharCode(97 + ((state = (state * 1103515245 + 12345) % 2147483648) % 26))).join('');
}

const ENGLISH = 'The partnerships feature several politically connected companies, as well as a state owned consortium. Earlier this year the government put out a notice to banks requiring them to remove components of foreign technology by 2020. ';

/** Article bodies that took time quadratic in their size, each made `chars` long. */
const PATHOLOGICAL: Record<string, (chars: number) => string> = {
  'a heading line with a long run of spaces': (chars) => `# x${' '.repeat(chars)}y`,
  'a paragraph of plain English': (chars) => fill(ENGLISH, chars),
  'a paragraph of abbreviations': (chars) => fill('Mr. A. B. e.g. U.S. ', chars),
  'an unclosed code fence': (chars) => `\`\`\`\n${fill('const value = compute(input, 42); // a line of code\n', chars)}`,
  'a run of Chinese without punctuation': (chars) => fill('我们今天去北京大学学习中文因为中文很有意思', chars),
  'a line without spaces': randomLetters,
  'one very long list item': (chars) => `- ${fill('item words go on and on ', chars)}`,
};

/**
 * Characters of each input timed (and twice that): where the old code's quadratic term dominates
 * (64 KiB for the segmenter), and no more where it dominated sooner, so that a regression fails
 * in seconds rather than hanging the suite. Chinese is segmented with a dictionary, about 1 µs a
 * character: a smaller size keeps the test short.
 */
const SIZE: Record<string, number> = {
  'a heading line with a long run of spaces': 16 * KiB,
  'a run of Chinese without punctuation': 32 * KiB,
  'a line without spaces': 16 * KiB,
};

function documentOf(body: string): CorpusDocument {
  return { id: 'doc', title: 'Title', author: 'A', publisher: 'P', published: '2020-01-01', url: 'https://example.com/', file: 'doc.md', body, bodyLine: 8, hash: '' };
}

/** What indexing does with an article: split it into passages and analyse each. */
function indexText(body: string): void {
  for (const passage of splitIntoPassages(documentOf(body))) analyze(passage.text);
}

/**
 * CPU milliseconds this process spends on `work` run `repeats` times. CPU time, not wall time:
 * the suite shares the machine with other test files, and time spent waiting for a core is not
 * the code's.
 */
function millisecondsFor(work: () => void, repeats: number): number {
  const start = process.cpuUsage();
  for (let run = 0; run < repeats; run += 1) work();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

/**
 * How much longer `work` takes on an input twice as large: the best of 5 interleaved runs of
 * each (the least disturbed by garbage collection), each repeated until the
 * smaller takes 20 ms, so timer resolution does not matter.
 */
function doublingRatio(work: (input: string) => void, make: (chars: number) => string, chars: number): number {
  const small = make(chars);
  const large = make(chars * 2);
  const once = millisecondsFor(() => work(small), 1);
  expect(once, `${chars} characters took ${once.toFixed(0)} ms`).toBeLessThan(1000);
  let repeats = 1;
  while (millisecondsFor(() => work(small), repeats) < 20) repeats *= 2;
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let run = 0; run < 5; run += 1) {
    bestSmall = Math.min(bestSmall, millisecondsFor(() => work(small), repeats));
    bestLarge = Math.min(bestLarge, millisecondsFor(() => work(large), repeats));
  }
  return bestLarge / bestSmall;
}

/** Linear time doubles (2); quadratic time quadruples (4). The margin absorbs noise on a busy machine. */
const MAX_DOUBLING_RATIO = 3;

describe('text processing takes linear time', () => {
  for (const [name, make] of Object.entries(PATHOLOGICAL)) {
    it(`splits and analyses ${name}: twice as long takes at most about twice as long`, () => {
      // The whole body is analysed too, as a long title would be: one long token, no passages.
      const ratio = doublingRatio((body) => (indexText(body), analyze(body)), make, SIZE[name] ?? 64 * KiB);
      expect(ratio).toBeLessThanOrEqual(MAX_DOUBLING_RATIO);
    });
  }

  it('splits and analyses each of them within 2 ms a KiB, up to 1 MiB in under 2 s', () => {
    // Growing sizes: code that is not linear fails at a small one instead of running for minutes.
    for (const [name, make] of Object.entries(PATHOLOGICAL)) {
      for (let chars = 16 * KiB; chars <= 1024 * KiB; chars *= 2) {
        const milliseconds = millisecondsFor(() => indexText(make(chars)), 1);
        expect(milliseconds, `${name}, ${chars / KiB} KiB`).toBeLessThan(Math.max(100, (2000 * chars) / (1024 * KiB)));
      }
    }
  });

  it('links to a quote and slugs a name in linear time, whatever runs of spaces or hyphens they hold', () => {
    const quote = (chars: number) => `a${' '.repeat(chars)}…b`;
    expect(doublingRatio((text) => textFragmentUrl('https://example.com/', text), quote, 64 * KiB)).toBeLessThanOrEqual(MAX_DOUBLING_RATIO);
    const name = (chars: number) => `a${'-'.repeat(chars)}a`;
    expect(doublingRatio(slugify, name, 64 * KiB)).toBeLessThanOrEqual(MAX_DOUBLING_RATIO);
  });
});
