/**
 * The corpus the adapters serve: the current search index, and reloads that replace it only
 * when every file is valid. Adapters (the bot, the CLI) talk to this, never to minisearch.
 */
import { answerQuestion, type Answer, type AnswerOptions } from '../answers/answerQuestion.js';
import { searchPassages, type PassageHit, type SearchPassagesOptions } from '../answers/searchPassages.js';
import { loadCorpus, type LoadCorpusOptions } from '../corpus/loadCorpus.js';
import type { CorpusDocument, CorpusProblem } from '../corpus/types.js';
import { buildSearchIndex, buildSearchIndexInBackground, type SearchIndex } from '../index/buildSearchIndex.js';
import type { Passage } from '../passages/splitIntoPassages.js';

export interface ReloadReport {
  /** Whether the new corpus replaced the old one. */
  applied: boolean;
  /** Why not, file by file (empty when applied). */
  problems: CorpusProblem[];
  /** Folder entries that were not read (subfolders, other file types), and why. */
  skipped: CorpusProblem[];
  /** Document ids. */
  added: string[];
  removed: string[];
  changed: string[];
  /** The title of each id in added, removed and changed (a removed one's from the previous corpus). */
  titles: Record<string, string>;
  documents: number;
  passages: number;
  ms: number;
}

export interface LibraryOptions extends Omit<LoadCorpusOptions, 'served'> {
  dir: string;
}

export class Library {
  #index: SearchIndex;
  #reloading: Promise<ReloadReport> | undefined;
  #queued: Promise<ReloadReport> | undefined;

  private constructor(
    readonly options: LibraryOptions,
    index: SearchIndex,
  ) {
    this.#index = index;
  }

  /**
   * Opens a corpus folder. Unlike a reload, start-up serves the valid files even when others are
   * broken (there is no previous index to keep), and returns the problems for the operator.
   */
  static async open(options: LibraryOptions): Promise<{ library: Library; problems: CorpusProblem[] }> {
    const { documents, problems } = await loadCorpus(options.dir, options);
    return { library: new Library(options, buildSearchIndex(documents)), problems };
  }

  get index(): SearchIndex {
    return this.#index;
  }

  get documents(): readonly CorpusDocument[] {
    return this.#index.documents;
  }

  /** Passages per document id. */
  passageCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const passage of this.#index.passages) counts.set(passage.documentId, (counts.get(passage.documentId) ?? 0) + 1);
    return counts;
  }

  /** Size of the served corpus, for logs. */
  stats(): { documents: number; passages: number; buildMs: number } {
    return { documents: this.#index.documents.length, passages: this.#index.passages.length, buildMs: Math.round(this.#index.buildMs) };
  }

  answer(question: string, options?: AnswerOptions): Answer {
    return answerQuestion(this.#index, question, options);
  }

  search(query: string, options: SearchPassagesOptions): PassageHit[] {
    return searchPassages(this.#index, query, options);
  }

  /**
   * The passage a reference (`passageRef`: `id~fingerprint`) points to, if it still has the same
   * text; undefined when it was removed or edited since the reference was made.
   */
  passageByRef(ref: string): { passage: Passage; document: CorpusDocument } | undefined {
    const separator = ref.lastIndexOf('~');
    const passage = separator === -1 ? undefined : this.#index.passagesById.get(ref.slice(0, separator));
    if (!passage || passage.fingerprint !== ref.slice(separator + 1)) return undefined;
    return { passage, document: this.#index.documentsById.get(passage.documentId)! };
  }

  /** The passages of one paragraph, in order (several when a long paragraph was split). */
  paragraph(documentId: string, paragraph: number): Passage[] {
    return this.#index.passages.filter((passage) => passage.documentId === documentId && passage.paragraph === paragraph);
  }

  /**
   * Re-reads the folder and swaps in the new index only if every file is valid; otherwise the
   * current index keeps serving. Calls during a reload share one follow-up reload, so a burst
   * of requests costs at most two builds and every caller sees the files as they were after
   * its call.
   */
  reload(): Promise<ReloadReport> {
    if (!this.#reloading) {
      this.#reloading = this.#reloadNow().finally(() => (this.#reloading = undefined));
      return this.#reloading;
    }
    // Runs after the current reload however it ended (its failure is for its own callers), and is
    // cleared as soon as it starts: a call made while it is already reading files must queue
    // another one, or it would get a report from before its call.
    this.#queued ??= this.#reloading.catch(() => undefined).then(() => {
      this.#queued = undefined;
      return this.reload();
    });
    return this.#queued;
  }

  async #reloadNow(): Promise<ReloadReport> {
    const started = performance.now();
    // Told what is served, the loader blames a duplicate id on the file that is not serving it yet.
    const served = new Map(this.#index.documents.map((document) => [document.id, document.file]));
    const { documents, problems, skipped } = await loadCorpus(this.options.dir, { ...this.options, served });
    const before = new Map(this.#index.documents.map((document) => [document.id, document]));
    const after = new Map(documents.map((document) => [document.id, document]));
    const added = [...after.keys()].filter((id) => !before.has(id));
    const removed = [...before.keys()].filter((id) => !after.has(id));
    const changed = [...after.values()].filter((document) => before.has(document.id) && before.get(document.id)!.hash !== document.hash).map(({ id }) => id);
    const titles: Record<string, string> = {};
    for (const id of [...added, ...changed]) titles[id] = after.get(id)!.title;
    for (const id of removed) titles[id] = before.get(id)!.title;
    const report = (applied: boolean, index: SearchIndex): ReloadReport => ({
      applied,
      problems,
      skipped,
      added,
      removed,
      changed,
      titles,
      documents: index.documents.length,
      passages: index.passages.length,
      ms: performance.now() - started,
    });
    // An empty folder (last file removed, or a wrong mount) would leave nothing to answer from.
    if (problems.length === 0 && documents.length === 0) problems.push({ file: this.options.dir, message: 'the corpus folder has no articles; keeping the current ones' });
    if (problems.length > 0) return report(false, this.#index);
    // Built aside, in slices: questions keep being answered from the current index meanwhile.
    const index = await buildSearchIndexInBackground(documents);
    this.#index = index;
    return report(true, index);
  }
}
