/**
 * The searchable form of a corpus: its passages in a minisearch index (whose postings also give
 * the term statistics answering needs: see queryIndex.ts). Built once per corpus,
 * then either served as is or brought up to date with `updateSearchIndex` before it is served:
 * an index that is answering questions is never changed.
 */
import MiniSearch from 'minisearch';
import { documentKey, isVisibleIn, scopedKey, type CorpusDocument, type DocumentInfo } from '../corpus/types.js';
import { parsePassageRef, splitIntoPassages, type Passage } from '../passages/splitIntoPassages.js';
import { analyze } from '../text/analyze.js';
import { MiniSearchBulkLoader } from './bulkLoad.js';

/** What each indexed field is worth relative to the passage text. */
export const FIELD_BOOSTS = {
  text: 1,
  /** Headings name what their paragraphs are about ("About the author"). */
  section: 1.5,
  /** Titles tell documents apart, but every passage of a document shares one. */
  title: 0.5,
} as const;

type Field = keyof typeof FIELD_BOOSTS;
const FIELDS = Object.keys(FIELD_BOOSTS) as Field[];

/** The form minisearch indexes: fields already analysed into terms. */
interface IndexedPassage extends Record<Field, string[]> {
  id: number;
}

export interface SearchIndex {
  /**
   * The served documents in corpus order, without their bodies (the passages hold the text): the
   * base and every server's own articles, in one index; each passage knows its scope, and every
   * query filters by the asking server's.
   */
  documents: DocumentInfo[];
  /** By `documentKey` (ids are unique only within a scope). */
  documentsById: Map<string, DocumentInfo>;
  /** The passages in corpus order. */
  passages: Passage[];
  /** By passage id, prefixed with the scope like `documentKey` (`scopedKey(passage.scope, passage.id)`). */
  passagesById: Map<string, Passage>;
  /** minisearch over passages, by a numeric id that is never reused (see `passageAt`). */
  miniSearch: MiniSearch<IndexedPassage>;
  /** The passage behind each minisearch id. */
  passageAt: Map<number, Passage>;
  /** Each document's minisearch ids (by `documentKey`), so that an update can take its passages out. */
  minisearchIdsByDocument: Map<string, number[]>;
  /** The next minisearch id to hand out. */
  nextId: number;
  /** Milliseconds spent building (or updating) it. */
  buildMs: number;
}

/**
 * Terms arrive pre-analysed (see `analyze`): indexing and querying share one analyser. Passages
 * hand minisearch their term arrays as they are (no joining into text to be split again);
 * queries arrive as space-separated terms.
 */
export const MINISEARCH_OPTIONS = {
  fields: FIELDS,
  idField: 'id',
  // minisearch passes a field through stringifyField, then tokenize: both keep an array as is.
  stringifyField: (value: unknown) => value as string,
  tokenize: (value: string | string[]) => (Array.isArray(value) ? value : value.split(' ')),
  processTerm: (term: string) => term || null,
};

/** A document's metadata as the index keeps it: everything but the body. */
export function documentInfo({ body: _body, ...info }: CorpusDocument): DocumentInfo {
  return info;
}

function emptyIndex(): SearchIndex {
  return {
    documents: [],
    documentsById: new Map(),
    passages: [],
    passagesById: new Map(),
    miniSearch: new MiniSearch<IndexedPassage>(MINISEARCH_OPTIONS),
    passageAt: new Map(),
    minisearchIdsByDocument: new Map(),
    nextId: 0,
    buildMs: 0,
  };
}

/** The document a passage is from. */
export function documentOf(index: SearchIndex, passage: Passage): DocumentInfo {
  return index.documentsById.get(scopedKey(passage.scope, passage.documentId))!;
}

/**
 * The passage or document a plain id names among what `scope` sees (the server's own first, then
 * the base's), as a button or a typed reference carries it. Checked against the scope: a key of
 * the whole index (`<server>/<id>`) passed as an id would otherwise name another server's.
 */
function visibleById<T extends { scope?: string }>(byKey: ReadonlyMap<string, T>, id: string, scope: string | undefined): T | undefined {
  const found = (scope === undefined ? undefined : byKey.get(scopedKey(scope, id))) ?? byKey.get(id);
  return found && isVisibleIn(found.scope, scope) ? found : undefined;
}

export function visiblePassage(index: SearchIndex, passageId: string, scope: string | undefined): Passage | undefined {
  return visibleById(index.passagesById, passageId, scope);
}

/** The passage a `passageRef` points to among those `scope` sees, if it still has the text the reference was made from. */
export function visiblePassageByRef(index: SearchIndex, ref: string, scope: string | undefined): Passage | undefined {
  const parsed = parsePassageRef(ref);
  const passage = parsed && visiblePassage(index, parsed.id, scope);
  return passage && passage.fingerprint === parsed!.fingerprint ? passage : undefined;
}

export function visibleDocument(index: SearchIndex, documentId: string, scope: string | undefined): DocumentInfo | undefined {
  return visibleById(index.documentsById, documentId, scope);
}

/**
 * Records one document's passages in `index` (the document is not yet in it) and hands each,
 * analysed, to `indexPassage`: minisearch's `add`, or the bulk loader of a first build.
 */
function addDocument(index: SearchIndex, document: CorpusDocument, indexPassage: (passage: IndexedPassage) => void): void {
  const title = analyze(document.title);
  const ids: number[] = [];
  for (const passage of splitIntoPassages(document)) {
    const id = index.nextId++;
    indexPassage({ id, text: analyze(passage.text), section: analyze(passage.section), title });
    index.passageAt.set(id, passage);
    index.passagesById.set(scopedKey(passage.scope, passage.id), passage);
    ids.push(id);
  }
  index.minisearchIdsByDocument.set(documentKey(document), ids);
  index.documentsById.set(documentKey(document), documentInfo(document));
}

/** Takes one document's passages out of the index (`key`: its `documentKey`). */
function removeDocument(index: SearchIndex, key: string): void {
  for (const id of index.minisearchIdsByDocument.get(key) ?? []) {
    const passage = index.passageAt.get(id)!;
    index.miniSearch.discard(id);
    index.passageAt.delete(id);
    index.passagesById.delete(scopedKey(passage.scope, passage.id));
  }
  index.minisearchIdsByDocument.delete(key);
  index.documentsById.delete(key);
}

/** Lays out the corpus-order lists after documents were added or removed. */
function orderBy(index: SearchIndex, documents: readonly CorpusDocument[]): void {
  index.documents = documents.map((document) => index.documentsById.get(documentKey(document))!);
  index.passages = documents.flatMap((document) => index.minisearchIdsByDocument.get(documentKey(document))!.map((id) => index.passageAt.get(id)!));
}

/** Builds the index of `documents` in one go. */
export function buildSearchIndex(documents: readonly CorpusDocument[]): SearchIndex {
  const started = performance.now();
  const index = emptyIndex();
  const loader = new MiniSearchBulkLoader(FIELDS);
  for (const document of documents) addDocument(index, document, (passage) => loader.add(passage));
  index.miniSearch = loader.finish(MINISEARCH_OPTIONS);
  orderBy(index, documents);
  index.buildMs = performance.now() - started;
  return index;
}

/** What an update did, by `documentKey`. */
export interface IndexUpdate {
  added: string[];
  removed: string[];
  changed: string[];
  /** Documents analysed and indexed: the added and changed ones, none other. */
  analysed: number;
}

/**
 * Brings `index` (which must not be serving questions) to `documents`, analysing only the
 * documents that are new or whose file changed (by hash): a one-article change costs that
 * article, not the corpus.
 */
export function updateSearchIndex(index: SearchIndex, documents: readonly CorpusDocument[]): IndexUpdate {
  const started = performance.now();
  const wanted = new Map(documents.map((document) => [documentKey(document), document]));
  const update: IndexUpdate = { added: [], removed: [], changed: [], analysed: 0 };
  for (const [key, served] of index.documentsById) {
    const next = wanted.get(key);
    if (!next) update.removed.push(key);
    else if (next.hash !== served.hash) update.changed.push(key);
  }
  const changed = new Set(update.changed);
  for (const key of [...update.removed, ...update.changed]) removeDocument(index, key);
  for (const document of documents) {
    const key = documentKey(document);
    if (index.documentsById.has(key)) continue;
    if (!changed.has(key)) update.added.push(key);
    addDocument(index, document, (passage) => index.miniSearch.add(passage));
    update.analysed++;
  }
  orderBy(index, documents);
  index.buildMs = performance.now() - started;
  return update;
}
