/**
 * A minisearch index built in one go, for the first build of a corpus.
 *
 * minisearch's `add` looks each token up in its radix tree and bumps a counter in that term's
 * posting map, token by token: at 100,000 passages that is most of the build, and the posting
 * maps of common terms grow one entry at a time, interleaved with every other term's. Here each
 * passage's terms are counted once, postings gather per term in flat arrays, and at the end each
 * term's maps are made in one pass and put in the radix tree once: about 3× faster. The result
 * is the index `add` would have built (tests/unit/index.test.ts compares them), so minisearch answers
 * from it, saves it and updates it (`add`, `discard`) as usual.
 */
import MiniSearch, { type Options } from 'minisearch';
import { internalsOf } from './minisearchInternals.js';

type PlainIndex = Parameters<typeof MiniSearch.loadJS>[0];

/**
 * One array per distinct combination of field lengths, shared by the passages that have it
 * (minisearch writes a lengths array only while adding its passage, and never reuses a short id): a document's
 * passages share a title and most have no heading, so 100,000 passages have a few thousand
 * combinations, and sharing saves an array per passage (17 MB of heap at 100,000).
 */
export function fieldLengthSharer(): (lengths: number[]) => number[] {
  const shared = new Map<string, number[]>();
  return (lengths) => {
    const key = lengths.join(',');
    const existing = shared.get(key);
    if (existing) return existing;
    shared.set(key, lengths);
    return lengths;
  };
}

export class MiniSearchBulkLoader<Field extends string> {
  /** Per term, per field (by position in `fields`): minisearch short ids and term frequencies, alternating. */
  private readonly postings = new Map<string, number[][]>();
  /** Per short id, each field's number of distinct terms (minisearch's field length). */
  private readonly fieldLength: Record<number, number[]> = {};
  private readonly shareLengths = fieldLengthSharer();
  private readonly totalFieldLength: number[];
  /** Per short id, the document's own id. */
  private readonly documentIds: Record<number, number> = {};
  private count = 0;
  /** Reused per field: the term frequencies of the field being added. */
  private readonly frequencies = new Map<string, number>();

  constructor(private readonly fields: readonly Field[]) {
    this.totalFieldLength = fields.map(() => 0);
  }

  /** Adds one document whose fields are already terms (as minisearch's `tokenize` would return them). */
  add(document: { id: number } & Record<Field, string[]>): void {
    const shortId = this.count++;
    this.documentIds[shortId] = document.id;
    const lengths: number[] = [];
    this.fields.forEach((field, fieldId) => {
      const frequencies = this.frequencies;
      frequencies.clear();
      for (const term of document[field]) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
      lengths[fieldId] = frequencies.size;
      this.totalFieldLength[fieldId]! += frequencies.size;
      for (const [term, frequency] of frequencies) {
        let byField = this.postings.get(term);
        if (!byField) this.postings.set(term, (byField = this.fields.map(() => [])));
        byField[fieldId]!.push(shortId, frequency);
      }
    });
    this.fieldLength[shortId] = this.shareLengths(lengths);
  }

  /** The index of every document added, with `options` (whose fields must be this loader's, in order). */
  finish<T>(options: Options<T>): MiniSearch<T> {
    const plain: PlainIndex = {
      documentCount: this.count,
      nextId: this.count,
      documentIds: this.documentIds,
      fieldIds: Object.fromEntries(this.fields.map((field, fieldId) => [field, fieldId])),
      fieldLength: this.fieldLength,
      averageFieldLength: this.totalFieldLength.map((total) => (this.count === 0 ? 0 : total / this.count)),
      storedFields: {},
      dirtCount: 0,
      index: [],
      serializationVersion: 2,
    };
    const miniSearch = MiniSearch.loadJS(plain, options);
    const termIndex = internalsOf(miniSearch)._index;
    for (const [term, byField] of this.postings) {
      const postings = new Map<number, Map<number, number>>();
      byField.forEach((flat, fieldId) => {
        if (flat.length === 0) return;
        const documents = new Map<number, number>();
        for (let i = 0; i < flat.length; i += 2) documents.set(flat[i]!, flat[i + 1]!);
        postings.set(fieldId, documents);
      });
      termIndex.set(term, postings);
    }
    this.postings.clear();
    return miniSearch;
  }
}
