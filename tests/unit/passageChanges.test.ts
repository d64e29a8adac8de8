import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { passageChanges } from '../../src/passages/passageChanges.js';

describe('passageChanges', () => {
  it('finds nothing changed between the same texts', () => {
    expect(passageChanges(['a', 'b', 'c'], ['a', 'b', 'c'])).toEqual({ unchanged: 3, changed: 0, added: 0, removed: 0 });
    expect(passageChanges([], [])).toEqual({ unchanged: 0, changed: 0, added: 0, removed: 0 });
  });

  it('counts a text that only moved as unchanged', () => {
    expect(passageChanges(['a', 'b', 'c'], ['c', 'a', 'b'])).toEqual({ unchanged: 3, changed: 0, added: 0, removed: 0 });
  });

  it('pairs edited texts as changed, the surplus as added or removed', () => {
    expect(passageChanges(['a', 'b', 'c'], ['a', 'B', 'c'])).toEqual({ unchanged: 2, changed: 1, added: 0, removed: 0 });
    expect(passageChanges(['a', 'b'], ['A', 'B', 'C', 'b'])).toEqual({ unchanged: 1, changed: 1, added: 2, removed: 0 });
    expect(passageChanges(['a', 'b', 'c', 'd'], ['x', 'd'])).toEqual({ unchanged: 1, changed: 1, added: 0, removed: 2 });
    expect(passageChanges([], ['a', 'b'])).toEqual({ unchanged: 0, changed: 0, added: 2, removed: 0 });
    expect(passageChanges(['a', 'b'], [])).toEqual({ unchanged: 0, changed: 0, added: 0, removed: 2 });
  });

  it('matches a repeated text as many times as it is in both, not more', () => {
    expect(passageChanges(['a', 'a', 'b'], ['a', 'b', 'b'])).toEqual({ unchanged: 2, changed: 1, added: 0, removed: 0 });
    expect(passageChanges(['a'], ['a', 'a', 'a'])).toEqual({ unchanged: 1, changed: 0, added: 2, removed: 0 });
  });

  it('tells texts apart by every character', () => {
    expect(passageChanges(['The bridge is 140 metres long.'], ['The bridge is 160 metres long.'])).toEqual({ unchanged: 0, changed: 1, added: 0, removed: 0 });
    expect(passageChanges(['Text.'], ['Text. '])).toEqual({ unchanged: 0, changed: 1, added: 0, removed: 0 });
  });

  it('accounts for every passage of both versions, whatever they hold', () => {
    const texts = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 12 });
    fc.assert(
      fc.property(texts, texts, (before, after) => {
        const { unchanged, changed, added, removed } = passageChanges(before, after);
        expect(unchanged + changed + removed).toBe(before.length);
        expect(unchanged + changed + added).toBe(after.length);
        // Only one side has a surplus, and a version compared with itself has no change.
        expect(added === 0 || removed === 0).toBe(true);
        expect(passageChanges(after, after)).toEqual({ unchanged: after.length, changed: 0, added: 0, removed: 0 });
        // Symmetric: the changes back are the same, added and removed swapped.
        expect(passageChanges(after, before)).toEqual({ unchanged, changed, added: removed, removed: added });
      }),
    );
  });
});
