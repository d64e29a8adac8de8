/**
 * The searchable form of a corpus: its passages in a minisearch index, plus the term statistics
 * that answering needs (document frequencies for weighing query terms, surface words for
 * suggestions). Built once per corpus version and never mutated: a reload builds a new one.
 */
import MiniSearch from 'minisearch';
import type { CorpusDocument } from '../corpus/types.js';
import { splitIntoPassages, type Passage } from '../passages/splitIntoPassages.js';
import { analyzeWithSurfaces } from '../text/analyze.js';

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

/** The form minisearch indexes: fields already analysed into space-separated terms. */
interface IndexedPassage extends Record<Field, string> {
  id: number;
}

export interface SearchIndex {
  documents: CorpusDocument[];
  documentsById: Map<string, CorpusDocument>;
  passages: Passage[];
  passagesById: Map<string, Passage>;
  /** minisearch over passages; its ids are positions in `passages`. */
  miniSearch: MiniSearch<IndexedPassage>;
  /** In how many passages each term occurs (text or section): weighs query terms like BM25's idf. */
  passageFrequency: Map<string, number>;
  /** The word each term was most recently seen as, to show terms to people. */
  surfaceForms: Map<string, string>;
  /** Milliseconds spent building. */
  buildMs: number;
}

/**
 * Terms arrive pre-analysed (see `analyze`), so minisearch only splits on spaces: indexing and
 * querying share one analyser that also feeds the term statistics.
 */
export const MINISEARCH_OPTIONS = {
  fields: FIELDS,
  idField: 'id',
  tokenize: (text: string) => text.split(' '),
  processTerm: (term: string) => term || null,
} as const;

/**
 * Indexes the documents one at a time, yielding after each so a caller can pause between them;
 * returns the finished index.
 */
function* indexDocuments(documents: CorpusDocument[]): Generator<void, SearchIndex> {
  const started = performance.now();
  const miniSearch = new MiniSearch<IndexedPassage>(MINISEARCH_OPTIONS);
  const passages: Passage[] = [];
  const passageFrequency = new Map<string, number>();
  const surfaceForms = new Map<string, string>();

  for (const document of documents) {
    const titleTerms = analyzeWithSurfaces(document.title);
    for (const passage of splitIntoPassages(document)) {
      const contentTerms = [passage.text, passage.section].map(analyzeWithSurfaces);
      for (const term of new Set(contentTerms.flat().map(({ term }) => term))) {
        passageFrequency.set(term, (passageFrequency.get(term) ?? 0) + 1);
      }
      for (const { term, surface } of [...contentTerms.flat(), ...titleTerms]) surfaceForms.set(term, surface);
      const [text, section] = contentTerms.map((terms) => terms.map(({ term }) => term).join(' '));
      miniSearch.add({ id: passages.length, text: text!, section: section!, title: titleTerms.map(({ term }) => term).join(' ') });
      passages.push(passage);
    }
    yield;
  }

  return {
    documents,
    documentsById: new Map(documents.map((document) => [document.id, document])),
    passages,
    passagesById: new Map(passages.map((passage) => [passage.id, passage])),
    miniSearch,
    passageFrequency,
    surfaceForms,
    buildMs: performance.now() - started,
  };
}

/** Builds the index in one go (CLI, start-up, benchmarks). */
export function buildSearchIndex(documents: CorpusDocument[]): SearchIndex {
  const steps = indexDocuments(documents);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Longest stretch, in milliseconds, that a background build runs before letting other work
 * (questions arriving during a reload) run: far below Discord's 3 s deadline.
 */
export const BUILD_SLICE_MS = 15;

/**
 * Builds the index without holding the event loop: it yields to other tasks every
 * `BUILD_SLICE_MS`, so a live bot keeps answering from its current index while a large corpus
 * is indexed. `buildMs` still counts only the time spent indexing.
 */
export async function buildSearchIndexInBackground(documents: CorpusDocument[]): Promise<SearchIndex> {
  const steps = indexDocuments(documents);
  let pausedMs = 0;
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return { ...step.value, buildMs: step.value.buildMs - pausedMs };
    if (performance.now() - sliceStart >= BUILD_SLICE_MS) {
      const pauseStart = performance.now();
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
      pausedMs += sliceStart - pauseStart;
    }
  }
}
