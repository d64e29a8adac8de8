/** The article-extraction benchmark's metric, on texts small enough to count by hand. */
import { describe, expect, it } from 'vitest';
import { scorePage, scorePages, shingles } from '../support/extractionMetric.js';

describe('shingles', () => {
  it('are runs of 4 \\w+ words (Unicode letters and digits, not punctuation), with counts', () => {
    expect([...shingles('Zoë’s café, 2019: a b c zoë s café').entries()]).toEqual([
      ['Zoë s café 2019', 1],
      ['s café 2019 a', 1],
      ['café 2019 a b', 1],
      ['2019 a b c', 1],
      ['a b c zoë', 1],
      ['b c zoë s', 1],
      ['c zoë s café', 1],
    ]);
    expect(shingles('one two three four one two three four').get('one two three four')).toBe(2);
  });

  it('make one shingle of a text shorter than 4 words, none of an empty one', () => {
    expect([...shingles('just three words').entries()]).toEqual([['just three words', 1]]);
    expect(shingles(' … ').size).toBe(0);
  });
});

describe('scorePage', () => {
  it('normalises counts of shared, extra and missing shingles per page', () => {
    // Expected: shingles w1..w4 (1), w2..w5 (2); predicted: w1..w4 (1), w2..w5 (2), w3..w6 (3). TP 2, FP 1, FN 0.
    expect(scorePage('w1 w2 w3 w4 w5 w6', 'w1 w2 w3 w4 w5')).toEqual({ precision: 2 / 3, recall: 1 });
    // A repeated shingle counts as often as it occurs: "a b c d" twice, and 3 others; TP 1, FP 0, FN 4.
    expect(scorePage('a b c d', 'a b c d a b c d')).toEqual({ precision: 1, recall: 1 / 5 });
  });

  it('scores 1 with neither false positives nor negatives, and 0 with nothing shared', () => {
    expect(scorePage('', '')).toEqual({ precision: 1, recall: 1 });
    expect(scorePage('Nothing of the kind at all', 'same text other punctuation here')).toEqual({ precision: 0, recall: 0 });
    // Words are compared as written, case included: one of the two shingles differs.
    expect(scorePage('Same text other punctuation here', 'same text other punctuation here')).toEqual({ precision: 0.5, recall: 0.5 });
    expect(scorePage('Same text, other punctuation here!', 'Same text other punctuation here')).toEqual({ precision: 1, recall: 1 });
    expect(scorePage('', 'a b c d')).toEqual({ precision: 0, recall: 0 });
  });
});

describe('scorePages', () => {
  it('is the F1 of the mean precision and the mean recall, not the mean of F1s', () => {
    const score = scorePages([
      { precision: 1, recall: 0.5 },
      { precision: 0.5, recall: 1 },
    ]);
    expect(score).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, pages: 2 });
  });
});
