/**
 * One version of the corpus, ready to answer from: the documents of a folder and their index.
 * A Library never changes once opened; a reload opens a new one (in the bot, in a new engine
 * worker: see src/engine/) and the adapters swap to it only when it opened cleanly.
 * Adapters (the bot, the CLI) talk to this, never to minisearch.
 */
import { answerAbout } from '../answers/answerAbout.js';
import { answerHybrid } from '../answers/answerHybrid.js';
import { answerQuestion, type Answer, type AnswerOptions } from '../answers/answerQuestion.js';
import { searchPassages, type PassageHit, type SearchPassagesOptions } from '../answers/searchPassages.js';
import { understandQuestion } from '../answers/understandQuestion.js';
import { RecentlyUsed } from '../cache/RecentlyUsed.js';
import { findDuplicate, type Duplicate } from '../corpus/findDuplicate.js';
import { loadCorpus, type LoadCorpusOptions } from '../corpus/loadCorpus.js';
import { documentKey, isVisibleIn, type CorpusDocument, type CorpusProblem, type DocumentInfo } from '../corpus/types.js';
import { buildSearchIndex, documentOf, updateSearchIndex, visibleDocument, visiblePassageByRef, type SearchIndex } from '../index/buildSearchIndex.js';
import { SnapshotUnusable, loadSavedCatalog, loadSnapshot, saveSnapshot } from '../index/snapshot.js';
import { articleFingerprint, type Passage } from '../passages/splitIntoPassages.js';
import { foldAccents } from '../text/analyze.js';
import type { SemanticIndex } from '../semantic/SemanticIndex.js';

export interface ReloadReport {
  /** Whether this corpus is the one served now: refused only when no file at all could be served. */
  applied: boolean;
  /** What is wrong, file by file: files left out when applied (or kept at their served version: see `strict`), why not otherwise. */
  problems: CorpusProblem[];
  /** Folder entries that were not read (subfolders, other file types), and why. */
  skipped: CorpusProblem[];
  /** Document keys (`documentKey`: the id, `<server>/<id>` for a server's own article; see `reportForScope`). */
  added: string[];
  removed: string[];
  changed: string[];
  /** The title of each key in added, removed and changed (a removed one's from the previous corpus). */
  titles: Record<string, string>;
  documents: number;
  passages: number;
  /** Documents and passages per scope: the base under "", each server's own articles under its id. */
  scopeSizes: Record<string, ScopeSize>;
  /** Documents analysed (the added and changed ones): a one-article change costs one article. */
  analysed: number;
  ms: number;
}

export interface ScopeSize {
  documents: number;
  passages: number;
}

export interface LibraryOptions extends Omit<LoadCorpusOptions, 'served'> {
  dir: string;
  /** Where the index is saved between runs (see src/index/snapshot.ts); none: always build it. */
  cacheDir?: string;
  /**
   * For reloads, when a corpus is served: a file that is broken now but was served keeps its
   * served version (from the saved index), since a failed edit must not take an article away.
   * Either way a broken file fails alone: every other file is served, and the problems returned
   * for whoever owns each file (one broken file must not freeze every server's changes).
   */
  strict?: boolean;
  /**
   * Serve the saved index as it is, without reading the folder, when there is one: a worker that
   * replaces a lost one must serve what was served (a reload may have been refused since).
   */
  preferSaved?: boolean;
  /** Told how the saved index was used, or why it was not (for the log). */
  onCache?(event: { loaded: boolean; saved: boolean; reason?: string }): void;
}

export interface OpenedLibrary {
  /** Undefined when the corpus was refused (see `report.problems`). */
  library?: Library;
  /** Whether it is the saved index as it was, the folder unread (`preferSaved`). */
  fromSaved?: boolean;
  /** What changed since the saved index (everything is "added" without one). */
  report: ReloadReport;
}

/** Whether a document matches what someone typed into a picker: in its title or its id. */
export function documentMatches(document: DocumentInfo, typed: string): boolean {
  const wanted = foldAccents(typed.trim().toLowerCase());
  return foldAccents(document.title.toLowerCase()).includes(wanted) || document.id.includes(wanted);
}

/**
 * Answers remembered, the least recently asked forgotten first: the same questions come back
 * (buttons, popular questions, a channel repeating one), and a library's index never changes.
 */
export const ANSWER_CACHE_SIZE = 1000;

export class Library {
  readonly #index: SearchIndex;
  /** Final answers by question, scope, count and follow-up context (see `answer`). */
  readonly #answers = new RecentlyUsed<string, Answer>(ANSWER_CACHE_SIZE);
  /** Documents and passages per scope, counted once: the index never changes once opened. */
  readonly #sizes: Record<string, ScopeSize>;
  /** The meaning side of the same passages, when answers use it (see `withMeaning`). */
  readonly #semantic: SemanticIndex | undefined;

  private constructor(
    readonly options: LibraryOptions,
    index: SearchIndex,
    semantic?: SemanticIndex,
    sizes = scopeSizes(index),
  ) {
    this.#index = index;
    this.#semantic = semantic;
    this.#sizes = sizes;
  }

  /**
   * Reads the folder and indexes it: from the saved index when there is one, analysing only the
   * files that changed since it was saved, and saving the result for next time.
   */
  static async open(options: LibraryOptions): Promise<OpenedLibrary> {
    const started = performance.now();
    const report = (fields: Partial<ReloadReport>): ReloadReport => ({
      applied: false,
      problems: [],
      skipped: [],
      added: [],
      removed: [],
      changed: [],
      titles: {},
      documents: 0,
      passages: 0,
      scopeSizes: {},
      analysed: 0,
      ...fields,
      ms: performance.now() - started,
    });
    if (options.preferSaved && options.cacheDir) {
      const saved = await loadSnapshot(options.cacheDir, { corpusDir: options.dir }).catch(() => undefined);
      if (saved) {
        options.onCache?.({ loaded: true, saved: false });
        return {
          library: new Library(options, saved),
          fromSaved: true,
          report: report({ applied: true, documents: saved.documents.length, passages: saved.passages.length, scopeSizes: scopeSizes(saved) }),
        };
      }
    }
    // What was served last (the saved index's documents): a duplicate id is blamed on the file
    // that is not serving it yet, and a removed article is named by its title.
    const previous = options.cacheDir ? await loadSavedCatalog(options.cacheDir) : undefined;
    const served = previous && new Map(previous.map((document) => [documentKey(document), document.file]));
    const { documents, problems, skipped } = await loadCorpus(options.dir, { ...options, ...(served && { served }) });
    // An empty folder (last file removed, or a wrong mount) would leave nothing to answer from.
    if (documents.length === 0 && (options.strict || problems.length === 0)) {
      problems.push({ file: options.dir, message: 'the corpus folder has no articles; keeping the current ones' });
    }
    if (documents.length === 0) return { report: report({ problems, skipped }) };

    let index: SearchIndex | undefined;
    if (options.cacheDir) {
      try {
        index = await loadSnapshot(options.cacheDir);
      } catch (error) {
        if (!(error instanceof SnapshotUnusable)) throw error;
        options.onCache?.({ loaded: false, saved: false, reason: error.message });
      }
    }
    const removedTitles = new Map(index?.documents.map((document) => [documentKey(document), document.title]));
    if (index && options.strict) documents.push(...lastGoodVersions(index, problems, documents));
    const change = index ? updateSearchIndex(index, documents) : { added: documents.map(documentKey), removed: [], changed: [], analysed: documents.length };
    const loaded = index !== undefined;
    // Discarded passages leave their postings behind until minisearch vacuums them, and queries
    // would count them in term frequencies: vacuumed now, before this index serves or is saved.
    if (change.removed.length + change.changed.length > 0) await index!.miniSearch.vacuum();
    index ??= buildSearchIndex(documents);
    let saved = false;
    if (options.cacheDir && (!loaded || change.added.length + change.removed.length + change.changed.length > 0)) {
      await saveSnapshot(options.cacheDir, index, options.dir).then(
        () => (saved = true),
        (error: Error) => options.onCache?.({ loaded, saved: false, reason: `the index could not be saved (${error.message})` }),
      );
    }
    if (options.cacheDir) options.onCache?.({ loaded, saved });
    const titles: Record<string, string> = {};
    for (const id of [...change.added, ...change.changed]) titles[id] = index.documentsById.get(id)!.title;
    for (const id of change.removed) titles[id] = removedTitles.get(id) ?? id;
    return {
      library: new Library(options, index),
      report: report({
        applied: true,
        problems,
        skipped,
        ...change,
        titles,
        documents: index.documents.length,
        passages: index.passages.length,
        scopeSizes: scopeSizes(index),
      }),
    };
  }

  get index(): SearchIndex {
    return this.#index;
  }

  /** Every document served, of every scope, in corpus order. */
  get documents(): readonly DocumentInfo[] {
    return this.#index.documents;
  }

  /** Size of the served corpus, for logs. */
  stats(): { documents: number; passages: number; buildMs: number } {
    return { documents: this.#index.documents.length, passages: this.#index.passages.length, buildMs: Math.round(this.#index.buildMs) };
  }

  /** Documents and passages per scope (the base under ""). */
  scopeSizes(): Record<string, ScopeSize> {
    return this.#sizes;
  }

  /**
   * This library with the meaning side of its passages (built from `index.passages`): its
   * answers use both words and meaning once a server's vectors are computed, words alone until
   * then. A new library, the same index: this one keeps answering by words.
   */
  withMeaning(semantic: SemanticIndex): Library {
    return new Library(this.options, this.#index, semantic, this.#sizes);
  }

  /**
   * By words and meaning once the vectors of the passages the asking server sees are ready; by
   * words alone before, and for a new question the encoder cannot get to in time (a burst: see
   * MEANING_WAIT_MS).
   */
  async answer(question: string, options: AnswerOptions = {}): Promise<Answer> {
    const key = JSON.stringify([question, options.scope ?? null, options.top ?? null, options.previous ?? null]);
    const remembered = this.#answers.get(key);
    if (remembered) return remembered;
    const { answer, final } = await this.#understoodAnswer(question, options);
    // Words alone while meaning is on (vectors not ready, the encoder busy) is not the last word.
    if (final) this.#answers.set(key, answer);
    return answer;
  }

  async #understoodAnswer(question: string, options: AnswerOptions): Promise<{ answer: Answer; final: boolean }> {
    // Read as members type (and a follow-up with its context) before either stage; about the article itself: from its front matter.
    const understood = understandQuestion(this.#index, question, options);
    if (understood.about) return { answer: answerAbout(this.#index, question, understood.about.intent, understood.about.document), final: true };
    const { answer, final } = await this.#answer(understood.text, options);
    return { answer: { ...answer, question, ...(understood.text !== question && { understood: understood.text }) }, final };
  }

  async #answer(question: string, options: AnswerOptions): Promise<{ answer: Answer; final: boolean }> {
    const semantic = this.#semantic;
    if (!semantic) return { answer: answerQuestion(this.#index, question, options), final: true };
    const vector = semantic.readyFor(options.scope) ? await semantic.questionVector(question) : undefined;
    if (!vector) return { answer: answerQuestion(this.#index, question, options), final: false };
    const base = this.#sizes['']!;
    const own = options.scope === undefined ? undefined : this.#sizes[options.scope];
    const visible = { documents: base.documents + (own?.documents ?? 0), passages: base.passages + (own?.passages ?? 0) };
    return { answer: answerHybrid(this.#index, question, vector, semantic, visible, options), final: semantic.intentsReady };
  }

  search(query: string, options: SearchPassagesOptions): PassageHit[] {
    return searchPassages(this.#index, query, options);
  }

  /** The documents `scope` sees (the base and its own; none: the base), in corpus order. */
  #visibleDocuments(scope?: string): DocumentInfo[] {
    return this.#index.documents.filter((document) => isVisibleIn(document.scope, scope));
  }

  /**
   * For `/sources`: the first `limit` documents `scope` sees (from `offset`; with `own`, only the
   * server's own articles), their passage counts (by `documentKey`: a base article and a server's
   * own may share an id), and how many it sees in all.
   */
  sources(
    scope: string | undefined,
    limit: number,
    { offset = 0, own = false }: { offset?: number; own?: boolean } = {},
  ): { documents: DocumentInfo[]; passageCounts: Map<string, number>; total: number } {
    const visible = own ? this.#index.documents.filter((document) => document.scope !== undefined && document.scope === scope) : this.#visibleDocuments(scope);
    const documents = visible.slice(offset, offset + limit);
    const passageCounts = new Map(documents.map((document) => [documentKey(document), this.#index.minisearchIdsByDocument.get(documentKey(document))!.length]));
    return { documents, passageCounts, total: visible.length };
  }

  /**
   * Documents `scope` sees whose title or id contains `typed`, in corpus order, at most `limit`;
   * with `own`, only the server's own articles (the ones it may remove).
   */
  findDocuments(typed: string, limit: number, options: { scope?: string; own?: boolean } = {}): DocumentInfo[] {
    const found: DocumentInfo[] = [];
    for (const document of this.#index.documents) {
      if (found.length >= limit) break;
      const inScope = options.own ? document.scope !== undefined && document.scope === options.scope : isVisibleIn(document.scope, options.scope);
      if (inScope && documentMatches(document, typed)) found.push(document);
    }
    return found;
  }

  /** The article `scope` sees that this one repeats (`findDuplicate`): an article added again under another name. */
  findDuplicate(url: string, fingerprint: string, scope?: string): Duplicate<DocumentInfo> | undefined {
    return findDuplicate(this.#index.documents, url, fingerprint, (document) => this.#fingerprint(document), scope);
  }

  /** Each document's `articleFingerprint`, worked out when first asked for: a library never changes. */
  readonly #fingerprints = new Map<string, string>();
  #fingerprint(document: DocumentInfo): string {
    const key = documentKey(document);
    let fingerprint = this.#fingerprints.get(key);
    if (fingerprint === undefined) {
      fingerprint = articleFingerprint(this.#index.minisearchIdsByDocument.get(key)!.map((id) => this.#index.passageAt.get(id)!));
      this.#fingerprints.set(key, fingerprint);
    }
    return fingerprint;
  }

  /**
   * The passage a reference (`passageRef`: `id~fingerprint`) points to among those `scope` sees,
   * if it still has the same text; undefined when it was removed or edited since the reference
   * was made. References carry no scope (they must fit a button's custom_id): within one scope a
   * passage id names one passage, a server's own before the base's.
   */
  passageByRef(ref: string, scope?: string): { passage: Passage; document: DocumentInfo } | undefined {
    const passage = visiblePassageByRef(this.#index, ref, scope);
    return passage && { passage, document: documentOf(this.#index, passage) };
  }

  /** The document `scope` sees with this id (its own before the base's) and its passages, in order. */
  documentPassages(documentId: string, scope?: string): { document: DocumentInfo; passages: Passage[] } | undefined {
    const document = visibleDocument(this.#index, documentId, scope);
    return document && { document, passages: this.#index.minisearchIdsByDocument.get(documentKey(document))!.map((id) => this.#index.passageAt.get(id)!) };
  }

  /** The passages of one paragraph of a document `scope` sees, in order (several when a long paragraph was split). */
  paragraph(documentId: string, paragraph: number, scope?: string): Passage[] {
    const document = visibleDocument(this.#index, documentId, scope);
    const ids = document ? this.#index.minisearchIdsByDocument.get(documentKey(document))! : [];
    return ids.map((id) => this.#index.passageAt.get(id)!).filter((passage) => passage.paragraph === paragraph);
  }
}

/**
 * The served versions of files that are broken now, as documents `updateSearchIndex` keeps as
 * they are (same key and hash: their body is never read again), unless their id is taken since.
 */
function lastGoodVersions(index: SearchIndex, problems: readonly CorpusProblem[], documents: readonly CorpusDocument[]): CorpusDocument[] {
  const broken = new Set(problems.map((problem) => problem.file));
  const taken = new Set(documents.map(documentKey));
  return index.documents.filter((served) => broken.has(served.file) && !taken.has(documentKey(served))).map((served) => ({ ...served, body: '' }));
}

/** Documents and passages per scope, the base under "". */
function scopeSizes(index: SearchIndex): Record<string, ScopeSize> {
  const sizes: Record<string, ScopeSize> = { '': { documents: 0, passages: 0 } };
  for (const document of index.documents) {
    const size = (sizes[document.scope ?? ''] ??= { documents: 0, passages: 0 });
    size.documents++;
    size.passages += index.minisearchIdsByDocument.get(documentKey(document))!.length;
  }
  return sizes;
}
