/**
 * `/corpus refresh` compares an article's old passages with its new ones on the thread that talks
 * to Discord: the comparison's time grows linearly with the number of passages (see
 * tests/support/complexity.ts), whether the versions share most passages or none.
 */
import { describe, expect, it } from 'vitest';
import { passageChanges } from '../../src/passages/passageChanges.js';
import { MAX_LINEAR_SLOPE, measureScaling } from '../support/complexity.js';

// Up to the 2,000 passages a server’s own articles make at most by default (SERVER_MAX_PASSAGES).
const SIZES = [250, 500, 1_000, 2_000];
const passage = (i: number, version: string) => `Paragraph ${i} of the article says something about the council, ${version}.`;

describe('passageChanges', () => {
  it.each([
    ['every other passage edited', (i: number) => (i % 2 === 0 ? passage(i, 'as before') : passage(i, 'edited'))],
    ['every passage edited', (i: number) => passage(i, 'edited')],
    ['the passages in reverse order', (i: number, count: number) => passage(count - 1 - i, 'as before')],
  ])('compares in linear time with %s', (_name, after) => {
    const versions = (count: number) => ({
      before: Array.from({ length: count }, (_, i) => passage(i, 'as before')),
      after: Array.from({ length: count }, (_, i) => after(i, count)),
    });
    const scaling = measureScaling(({ before, after }: ReturnType<typeof versions>) => passageChanges(before, after), versions, { sizes: SIZES });
    expect(scaling.slope, scaling.summary).toBeLessThan(MAX_LINEAR_SLOPE);
  });
});
