/**
 * The index and its scoring stand in for minisearch's own without changing a result:
 * - the index a first build makes in one go (src/index/bulkLoad.ts) is the one minisearch's
 *   `add` makes passage by passage, and takes updates like any other;
 * - scoring over its postings (src/index/scoreTerms.ts) gives minisearch's `search` results:
 *   the same passages, scores to the last bit, matched terms and fields, and order among ties.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type MiniSearch from 'minisearch';
import { loadCorpus } from '../../src/corpus/loadCorpus.js';
import { buildSearchIndex, FIELD_BOOSTS, updateSearchIndex } from '../../src/index/buildSearchIndex.js';
import { analyzeQuery, MAX_CANDIDATES, queryIndex } from '../../src/index/queryIndex.js';
import { Library } from '../../src/library/Library.js';
import { loadSquadQuestions } from '../support/questionSets.js';

/** An index's content, independent of the order its radix tree was filled in. */
function content(miniSearch: MiniSearch) {
  const { index, averageFieldLength, ...rest } = miniSearch.toJSON();
  return { ...rest, terms: new Map(index), averageFieldLength: averageFieldLength.map((length) => length.toFixed(9)) };
}

/** The same documents, indexed by minisearch's `add` one passage at a time (an update of an empty index). */
function builtByAdd(documents: Parameters<typeof buildSearchIndex>[0]) {
  const index = buildSearchIndex([]);
  updateSearchIndex(index, documents);
  return index;
}

describe('the bulk-built index', () => {
  it('equals the index minisearch builds passage by passage', async () => {
    const { documents } = await loadCorpus('tests/fixtures/squad-dev/corpus');
    const bulk = buildSearchIndex(documents);
    const added = builtByAdd(documents);
    expect(bulk.passages.length).toBeGreaterThan(50);
    expect(content(bulk.miniSearch)).toEqual(content(added.miniSearch));
  });

  it('takes updates (an article added, one removed) like one built by add', async () => {
    const { documents } = await loadCorpus('tests/fixtures/squad-dev/corpus');
    expect(documents.length).toBeGreaterThanOrEqual(2);
    const before = documents.slice(1);
    const after = documents.slice(0, -1);
    const bulk = buildSearchIndex(before);
    const added = builtByAdd(before);
    expect(updateSearchIndex(bulk, after)).toEqual(updateSearchIndex(added, after));
    expect(content(bulk.miniSearch)).toEqual(content(added.miniSearch));
  });
});

/** Asks every SQuAD question of `index` and expects minisearch's own search results; how many were tied. */
function expectMinisearchResults(index: ReturnType<typeof buildSearchIndex>): { compared: number; tied: number } {
  const questions = loadSquadQuestions();
  let compared = 0;
  let tied = 0;
  for (const { q } of questions) {
    const terms = analyzeQuery(index, q);
    if (terms.length === 0) continue;
    const boosts = new Map<string, number>();
    for (const { term, expansions } of terms) {
      boosts.set(term, 1);
      for (const expansion of expansions) boosts.set(expansion.term, Math.max(expansion.weight, boosts.get(expansion.term) ?? 0));
    }
    const expected = index.miniSearch
      .search([...boosts.keys()].join(' '), {
        boost: FIELD_BOOSTS,
        combineWith: 'OR',
        prefix: false,
        fuzzy: false,
        boostTerm: (term: string) => boosts.get(term) ?? 1,
      })
      .slice(0, MAX_CANDIDATES);
    const actual = queryIndex(index, terms);
    expect(actual).toEqual(expected.map(({ id, score, terms, queryTerms, match }) => ({ id, score, terms, queryTerms, match })));
    compared += 1;
    tied += actual.filter((result, i) => i > 0 && result.score === actual[i - 1]!.score).length;
  }
  return { compared, tied };
}

describe('scoring over minisearch postings', () => {
  it("returns minisearch's own search results for every SQuAD question, ties in its order", async () => {
    const { documents } = await loadCorpus('tests/fixtures/squad-dev/corpus');
    const { compared, tied } = expectMinisearchResults(buildSearchIndex(documents));
    expect(compared).toBeGreaterThan(400);
    expect(tied).toBeGreaterThan(0);
  });

  it('still does after an update (an article removed, another added) and the vacuum that follows it', async () => {
    const { documents } = await loadCorpus('tests/fixtures/squad-dev/corpus');
    const index = buildSearchIndex(documents.slice(1));
    queryIndex(index, analyzeQuery(index, 'Normandy')); // scoring arrays made for the index before the update
    updateSearchIndex(index, documents.slice(0, -1));
    await index.miniSearch.vacuum();
    expect(expectMinisearchResults(index).compared).toBeGreaterThan(400);
  });
});

describe('an index brought up to date from the saved one', () => {
  it('is vacuumed before it serves: no discarded passage is left in the postings', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-vacuum-'));
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-vacuum-cache-'));
    await cp('tests/fixtures/squad-dev/corpus', dir, { recursive: true });
    await cp('corpus/microsoft-china-partnerships.md', path.join(dir, 'microsoft-china-partnerships.md'));
    await Library.open({ dir, cacheDir });
    // Its 10 passages are too few for minisearch to vacuum by itself (at 20 discarded, and 10 %).
    await rm(path.join(dir, 'microsoft-china-partnerships.md'));
    const { library, report } = await Library.open({ dir, cacheDir });
    expect(report).toMatchObject({ applied: true, removed: [expect.any(String)] });
    expect(library!.index.miniSearch.dirtCount).toBe(0);
    expect(library!.index.miniSearch.documentCount).toBe(library!.index.passages.length);
  });
});
