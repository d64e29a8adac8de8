/**
 * The index a first build makes in one go (src/index/bulkLoad.ts) is the one minisearch's own
 * `add` makes passage by passage, so answers don't depend on how the index was built, and an
 * index built in bulk takes updates like any other.
 */
import { describe, expect, it } from 'vitest';
import type MiniSearch from 'minisearch';
import { loadCorpus } from '../src/corpus/loadCorpus.js';
import { buildSearchIndex, updateSearchIndex } from '../src/index/buildSearchIndex.js';

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
