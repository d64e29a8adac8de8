/**
 * Text processing takes time linear in its input, whatever a moderator puts in the corpus:
 * for each input that once took quadratic time (a backtracking regex, `Intl.Segmenter` on a long
 * string, the stemmer on a long word), the time grows with the input's size with a fitted
 * log-log slope of about 1, not 2 (tests/support/complexity.ts: CPU time, least of several
 * timings, three or four sizes, measured again before failing), and a 1 MiB file of it is
 * processed in well under Discord's 3 seconds. The helper itself is shown to report a quadratic
 * as one.
 */
import { describe, expect, it } from 'vitest';
import { textFragmentUrl } from '../../src/answers/attribution.js';
import { slugify } from '../../src/corpus/parseCorpusFile.js';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { splitIntoPassages } from '../../src/passages/splitIntoPassages.js';
import { analyze } from '../../src/text/analyze.js';
import { cpuMilliseconds, logLogSlope, MAX_LINEAR_SLOPE, measureScaling, type ScalingOptions } from '../support/complexity.js';

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

const ENGLISH =
  'The partnerships feature several politically connected companies, as well as a state owned consortium. Earlier this year the government put out a notice to banks requiring them to remove components of foreign technology by 2020. ';

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

/** `count` sizes from `from` characters, each twice the last. */
function sizes(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from * 2 ** i);
}

/**
 * Characters each input is timed at: sizes where the time a character is steady for today's code
 * (fitted slopes of 0.8–1.3, measured), and where the old code's quadratic term dominated.
 *
 * The time a character is not steady everywhere. V8 allocates a string or array over 128 KiB on
 * pages of its own (its large-object space), at a higher cost a byte: slugify's time a character
 * steps up about 4× from 64 to 128 KiB, the segmented inputs' 1.5–1.7×. And analysing a whole
 * body as one text costs more a character the longer it is, up to about 1 MiB (11 µs a KiB of
 * English at 16 KiB, 56 at 1 MiB: more garbage collection, all its tokens being kept to the end).
 * A slope fitted across such a step reads 1.25–1.45 for linear code, too close to the limit, so:
 * - the segmented inputs are timed past 128 KiB, where the old segmenter's time a character had
 *   jumped 30-fold (English, from 64 to 128 KiB) and abbreviations took 20 s at 128 KiB; plain
 *   English from 256 KiB, past its own step;
 * - the others below 128 KiB, 8–64 KiB, where the old heading regex, stemmer and segmenter of
 *   Chinese took a second or more at the larger sizes (which stops the measurement: see
 *   maxRunMilliseconds in tests/support/complexity.ts), and 4–32 KiB for quotes and slugs,
 *   whose old regexes fitted a slope of 2 there.
 * The slowest inputs, 20–160 ms a run, are timed 3 times at each size rather than 5.
 */
const TIMED_AT: Record<string, ScalingOptions> = {
  'a heading line with a long run of spaces': { sizes: sizes(8 * KiB, 4) },
  'a paragraph of plain English': { sizes: sizes(256 * KiB, 3), rounds: 3 },
  'a paragraph of abbreviations': { sizes: sizes(64 * KiB, 3), rounds: 3 },
  'an unclosed code fence': { sizes: sizes(128 * KiB, 3) },
  // 16–64 Ki characters of 2 bytes: the step at 128 KiB is lost in the dictionary's 1.5 µs a character.
  'a run of Chinese without punctuation': { sizes: sizes(16 * KiB, 3), rounds: 3 },
  'a line without spaces': { sizes: sizes(8 * KiB, 4) },
  'one very long list item': { sizes: sizes(128 * KiB, 3) },
};

function documentOf(body: string): CorpusDocument {
  return {
    id: 'doc',
    title: 'Title',
    author: 'A',
    publisher: 'P',
    published: '2020-01-01',
    url: 'https://example.com/',
    file: 'doc.md',
    body,
    bodyLine: 8,
    hash: '',
  };
}

/** What indexing does with an article: split it into passages and analyse each. */
function indexText(body: string): void {
  for (const passage of splitIntoPassages(documentOf(body))) analyze(passage.text);
}

describe('text processing takes linear time', () => {
  for (const [name, make] of Object.entries(PATHOLOGICAL)) {
    it(`splits and analyses ${name} in time linear in its size`, () => {
      // The whole body is analysed too, as a long title would be: one long token, no passages.
      const scaling = measureScaling((body: string) => (indexText(body), analyze(body)), make, TIMED_AT[name]!);
      expect(scaling.slope, scaling.summary).toBeLessThan(MAX_LINEAR_SLOPE);
    });
  }

  it('splits and analyses each of them within 2 ms a KiB, up to 1 MiB in under 2 s', () => {
    // Growing sizes (16, 64, 256 and 1,024 KiB): code that is not linear fails at a small one instead of running for minutes.
    for (const [name, make] of Object.entries(PATHOLOGICAL)) {
      for (let chars = 16 * KiB; chars <= 1024 * KiB; chars *= 4) {
        const body = make(chars);
        const milliseconds = cpuMilliseconds(() => indexText(body));
        expect(milliseconds, `${name}, ${chars / KiB} KiB`).toBeLessThan(Math.max(100, (2000 * chars) / (1024 * KiB)));
      }
    }
  });

  it('links to a quote in linear time, whatever runs of spaces it holds', () => {
    const quote = (chars: number) => `a${' '.repeat(chars)}…b`;
    const scaling = measureScaling((text: string) => textFragmentUrl('https://example.com/', text), quote, { sizes: sizes(4 * KiB, 4) });
    expect(scaling.slope, scaling.summary).toBeLessThan(MAX_LINEAR_SLOPE);
  });

  it('slugs a name in linear time, whatever runs of hyphens it holds', () => {
    const name = (chars: number) => `a${'-'.repeat(chars)}a`;
    const scaling = measureScaling(slugify, name, { sizes: sizes(4 * KiB, 4) });
    expect(scaling.slope, scaling.summary).toBeLessThan(MAX_LINEAR_SLOPE);
  });
});

describe('the complexity helper (tests/support/complexity.ts)', () => {
  it('fits the exponent of a power law', () => {
    const ns = [1000, 2000, 4000, 8000];
    expect(
      logLogSlope(
        ns,
        ns.map((n) => 3 * n),
      ),
    ).toBeCloseTo(1, 10);
    expect(
      logLogSlope(
        ns,
        ns.map((n) => 0.5 * n * n),
      ),
    ).toBeCloseTo(2, 10);
  });

  it('reports a linear loop as linear', () => {
    const sum = (n: number) => {
      let total = 0;
      for (let i = 0; i < n; i += 1) total += i % 7;
      return total;
    };
    const scaling = measureScaling(sum, (n) => n, { sizes: sizes(250_000, 4), minMilliseconds: 5 });
    expect(scaling.slope, scaling.summary).toBeLessThan(MAX_LINEAR_SLOPE);
    expect(scaling.slope, scaling.summary).toBeGreaterThan(0.5);
  });

  it('reports a naive quadratic loop as superlinear, every time it measures', () => {
    // Compares every pair of characters: n²/2 steps.
    const pairs = (text: string) => {
      let equal = 0;
      for (let i = 0; i < text.length; i += 1) for (let j = 0; j < i; j += 1) if (text.charCodeAt(i) === text.charCodeAt(j)) equal += 1;
      return equal;
    };
    const scaling = measureScaling(pairs, randomLetters, { sizes: sizes(500, 4), minMilliseconds: 5, rounds: 3, attempts: 2 });
    expect(scaling.slope, scaling.summary).toBeGreaterThan(MAX_LINEAR_SLOPE);
    expect(scaling.attempts, 'measured again before reporting it').toBe(2);
  });

  it('reports a backtracking regex as superlinear: the kind of quadratic these tests once caught', () => {
    // A run of spaces not at the end: /\s+$/ tries it from each of its positions.
    const trailingSpaces = (text: string) => /\s+$/.test(text);
    const scaling = measureScaling(trailingSpaces, (chars) => `a${' '.repeat(chars)}b`, { sizes: sizes(512, 4), minMilliseconds: 5, rounds: 3, attempts: 1 });
    expect(scaling.slope, scaling.summary).toBeGreaterThan(MAX_LINEAR_SLOPE);
  });

  it('stops at a size where one run takes too long, rather than time larger ones', () => {
    // Spends 30 ms of CPU from size 4 on; 1 and 2 are instant.
    const slowAtLarge = (n: number) => {
      const start = process.cpuUsage();
      while (n >= 4 && process.cpuUsage(start).user < 30_000);
    };
    expect(() => measureScaling(slowAtLarge, (n) => n, { sizes: [1, 2, 4, 8], maxRunMilliseconds: 20 })).toThrow(/size 4 took .* ms CPU/);
  });
});
