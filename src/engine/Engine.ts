/**
 * The corpus as the bot serves it: a `Library` living in a worker thread, so that no indexing or
 * searching ever runs on the thread that talks to Discord. The bot's thread keeps only the
 * corpus's sizes and forwards each call. Every call that reads the corpus is made for a scope
 * (the asking server: it sees the base and its own articles; none: the base only); `view(scope)`
 * binds one.
 *
 * - A reload opens the new corpus in a second worker (from the saved index, analysing only the
 *   files that changed) while the current one keeps answering, and swaps only when it opened
 *   cleanly; a refused, failed or too-slow reload leaves the current worker serving.
 * - A worker that crashes, or stops answering, is replaced by one that loads the last good index
 *   (the one saved when it was opened); questions meanwhile get `EngineNotReady`.
 */
import type { AnswerOptions } from '../answers/answerQuestion.js';
import type { PassageHit, SearchPassagesOptions } from '../answers/searchPassages.js';
import type { DocumentInfo } from '../corpus/types.js';
import type { LibraryOptions, ReloadReport } from '../library/Library.js';
import { EncoderHost } from './EncoderHost.js';
import type { MeaningState } from './encoderProtocol.js';
import { coalesce } from './coalesce.js';
import { logCache, type EngineLogger } from './engineLog.js';
import { EngineNotReady, EngineTimeout, WorkerConnection } from './WorkerConnection.js';
import type { AnswerWithTitles, Catalog, Duplicate, EngineRequest, EngineRequestKind, EngineResults, EngineWorkerData, Sources } from './protocol.js';
import { siblingWorker } from './workers.js';

/** The engine's requests for one scope (see `Engine.view`): what a command handling one server's interaction uses. */
export interface EngineView {
  readonly scope: string | undefined;
  answer(question: string, options?: Omit<AnswerOptions, 'scope'>, titlesWhenDeclined?: number): Promise<AnswerWithTitles>;
  search(query: string, options: Omit<SearchPassagesOptions, 'scope'>): Promise<PassageHit[]>;
  lookup(query: string, limit: number): Promise<EngineResults['lookup']>;
  passages(refs: string[]): Promise<EngineResults['passages']>;
  paragraph(ref: string): Promise<EngineResults['paragraph']>;
  share(ref: string, question: string | undefined, top: number): Promise<EngineResults['share']>;
  findDocuments(typed: string, limit: number, options?: { own?: boolean }): Promise<DocumentInfo[]>;
  /** `own`: only the server's own articles, from `offset` (`/corpus list`). */
  sources(limit: number, options?: { offset?: number; own?: boolean }): Promise<Sources>;
  /** The article this scope sees at the same address as `url`, or with the same text (`articleFingerprint`). */
  findDuplicate(url: string, fingerprint: string): Promise<Duplicate>;
  /** The article this scope sees with this id (its own before the base's) and its passages, in order. */
  documentPassages(documentId: string): Promise<EngineResults['documentPassages']>;
  documentCount(): number;
}

export interface EngineOptions extends Pick<LibraryOptions, 'dir' | 'cacheDir' | 'maxFileBytes'> {
  logger: EngineLogger;
  /**
   * Longest wait for one answer before giving up on it, in milliseconds. Below Discord's 3 s
   * so the member is still told something; queries take milliseconds, so this only fires when
   * the worker is stuck. Default 2,000.
   */
  queryTimeoutMs?: number;
  /**
   * Longest a worker may take to open a corpus (a start or reload) before it is stopped: a
   * file that makes indexing hang must not hold a reload forever. Default 10 minutes (10,000
   * articles take about 30 s).
   */
  openTimeoutMs?: number;
  /** The worker's entry file (default: engineWorker beside this file); tests wrap it. */
  workerUrl?: URL;
  /**
   * Answer by meaning as well as words: an encoder worker runs the sentence encoder for every
   * engine worker, embedding questions and computing passages' vectors apart from the serving
   * worker (SEMANTIC=off turns it off, e.g. on a small machine). Default false here; the bot's
   * configuration turns it on.
   */
  semantic?: boolean;
  /**
   * The folder of the sentence encoder's model files (default: the model package's in
   * node_modules). Only tests set it, to a damaged copy of the model.
   */
  modelDir?: string;
}

const DEFAULT_QUERY_TIMEOUT_MS = 2_000;
const DEFAULT_OPEN_TIMEOUT_MS = 10 * 60_000;
/**
 * A worker is stuck, and replaced, when a question timed out and nothing at all has come back
 * from it for this long: a busy worker (a burst of questions queued behind one another) keeps
 * answering, and is left alone.
 */
const STUCK_AFTER_MS = 5_000;

/** The engine worker's entry file. */
const WORKER_URL = siblingWorker('engineWorker');

export class Engine {
  readonly options: EngineOptions;
  /** The one thread that runs the sentence encoder (semantic stage on), shared by every engine worker. */
  readonly #encoder: EncoderHost | undefined;
  #serving: WorkerConnection | undefined;
  #catalog: Catalog = { documents: 0, passages: 0, scopeSizes: {} };
  /** After the first open (however it ended): two opens at once would race to be served. */
  readonly #reloads = coalesce(() => this.ready.catch(() => undefined).then(() => this.#reloadNow()));
  #recovering = false;
  #closed = false;
  /**
   * Resolves when a corpus is first served, with its report; rejects if none can be. With a saved
   * index that is the saved index as it was (seconds, whatever the corpus size); `upToDate` then
   * follows, once the folder as it is now has been read and applied like a reload.
   */
  readonly ready: Promise<ReloadReport>;
  /** Resolves when the folder as it was at start is served, or its reload was refused (see the report). */
  readonly upToDate: Promise<ReloadReport>;

  /** Starts opening the corpus in a worker and returns at once: the bot can connect meanwhile. */
  constructor(options: EngineOptions) {
    this.options = options;
    this.#encoder = options.semantic ? new EncoderHost(options.logger, { cacheDir: options.cacheDir, modelDir: options.modelDir }) : undefined;
    const first = this.#openFirst();
    this.ready = first.then(({ report }) => report);
    this.upToDate = first.then(({ report, fromSaved }) => (fromSaved ? this.reload() : report));
    this.ready.catch(() => undefined);
    this.upToDate.catch(() => undefined);
  }

  get isReady(): boolean {
    return this.#serving !== undefined;
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Size of the whole served corpus, every scope (zero until ready). */
  stats(): { documents: number; passages: number } {
    return { documents: this.#catalog.documents, passages: this.#catalog.passages };
  }

  /** How many of the served passages' texts have their sentence vectors (semantic stage on, once known). */
  vectorProgress(): { embedded: number; total: number } | undefined {
    return this.#serving?.vectors;
  }

  /** Whether answers can use meaning (semantic stage on): `unavailable`, with why, when the model could not be loaded or was refused. */
  meaning(): MeaningState | undefined {
    return this.#encoder?.meaning();
  }

  /** How many documents `scope` sees (the base and its own), without asking the worker. */
  documentCount(scope?: string): number {
    const { scopeSizes } = this.#catalog;
    return (scopeSizes['']?.documents ?? 0) + (scope === undefined ? 0 : (scopeSizes[scope]?.documents ?? 0));
  }

  /** The requests below, bound to one scope: what a command handling one server's interaction uses. */
  view(scope: string | undefined): EngineView {
    return {
      scope,
      answer: (question, options, titlesWhenDeclined) => this.answer(question, { ...options, scope }, titlesWhenDeclined),
      search: (query, options) => this.search(query, { ...options, scope }),
      lookup: (query, limit) => this.#request({ kind: 'lookup', query, limit, scope }),
      passages: (refs) => this.passages(refs, scope),
      paragraph: (ref) => this.#request({ kind: 'paragraph', ref, scope }),
      share: (ref, question, top) => this.#request({ kind: 'share', ref, question, top, scope }),
      findDocuments: (typed, limit, options) => this.findDocuments(typed, limit, { ...options, scope }),
      sources: (limit, options) => this.sources(scope, limit, options),
      findDuplicate: (url, fingerprint) => this.#request({ kind: 'findDuplicate', url, fingerprint, scope }),
      documentPassages: (documentId) => this.#request({ kind: 'documentPassages', documentId, scope }),
      documentCount: () => this.documentCount(scope),
    };
  }

  /** For `/sources`: the first `limit` documents `scope` sees, their passage counts by `documentKey`, and how many it sees. */
  sources(scope: string | undefined, limit: number, options: { offset?: number; own?: boolean } = {}): Promise<Sources> {
    return this.#request({ kind: 'sources', scope, limit, ...options });
  }

  /** The answer to `question`; declined with nothing related, with up to `titlesWhenDeclined` titles of what the scope sees. */
  answer(question: string, options: AnswerOptions = {}, titlesWhenDeclined?: number): Promise<AnswerWithTitles> {
    return this.#request({ kind: 'answer', question, options, ...(titlesWhenDeclined !== undefined && { titlesWhenDeclined }) });
  }

  search(query: string, options: SearchPassagesOptions): Promise<PassageHit[]> {
    return this.#request({ kind: 'search', query, options });
  }

  /** Passages by reference among those `scope` sees, each undefined when edited or removed since. */
  passages(refs: string[], scope?: string): Promise<EngineResults['passages']> {
    return this.#request({ kind: 'passages', refs, scope });
  }

  /** Documents `scope` sees whose title or id contains `typed`, at most `limit`; with `own`, only the server's own. */
  findDocuments(typed: string, limit: number, options: { scope?: string; own?: boolean } = {}): Promise<DocumentInfo[]> {
    return this.#request({ kind: 'findDocuments', typed, limit, ...options });
  }

  /**
   * Re-reads the folder in a new worker and swaps to it only if every file is valid; otherwise
   * the current worker keeps serving. Calls during a reload share one follow-up reload, so a
   * burst of requests costs at most two, and every caller sees the files as they were after
   * its call.
   */
  reload(): Promise<ReloadReport> {
    return this.#reloads();
  }

  /** Stops the worker(s). */
  async close(): Promise<void> {
    this.#closed = true;
    const serving = this.#serving;
    this.#serving = undefined;
    await Promise.all([serving?.stop(), this.#encoder?.close()]);
  }

  async #request<Kind extends EngineRequestKind>(request: Extract<EngineRequest, { kind: Kind }>): Promise<EngineResults[Kind]> {
    const serving = this.#serving;
    if (!serving) throw new EngineNotReady('the corpus is still loading');
    const timeoutMs = this.options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    try {
      return await serving.request(request, timeoutMs);
    } catch (error) {
      // A missed deadline: a worker that then sends nothing for STUCK_AFTER_MS is stuck, and replaced.
      if (error instanceof EngineTimeout) {
        serving.watchForSilence(
          STUCK_AFTER_MS,
          () => this.#serving === serving,
          (silentMs) => {
            this.options.logger.error({ silentMs: Math.round(silentMs) }, 'engine worker stopped answering; replacing it with the last saved index');
            this.#replaceLost('stuck');
            void serving.stop();
          },
        );
      }
      throw error;
    }
  }

  #open(data: EngineWorkerData): ReturnType<typeof WorkerConnection.open> {
    return WorkerConnection.open(
      this.options.workerUrl ?? WORKER_URL,
      data,
      this.options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS,
      this.options.logger,
      this.#encoder,
    );
  }

  #data(strict: boolean, preferSaved = false): EngineWorkerData {
    const { dir, cacheDir, maxFileBytes } = this.options;
    return {
      library: { dir, cacheDir, maxFileBytes, strict, preferSaved },
      replacing: this.#serving !== undefined,
      ...(this.#encoder && { encoder: this.#encoder.port() }),
    };
  }

  /** Serves the saved index as it was when there is one (fast), else the folder. */
  async #openFirst(): Promise<{ report: ReloadReport; fromSaved: boolean }> {
    const { worker, opened } = await this.#open(this.#data(false, true));
    logCache(this.options.logger, this.options.cacheDir, opened);
    if (!worker || opened.type !== 'opened') {
      throw new Error(opened.type === 'failed' ? opened.message : 'no valid articles to answer from');
    }
    this.#serve(worker, opened.catalog);
    return { report: opened.report, fromSaved: opened.fromSaved };
  }

  async #reloadNow(): Promise<ReloadReport> {
    const started = performance.now();
    const { worker, opened } = await this.#open(this.#data(true));
    logCache(this.options.logger, this.options.cacheDir, opened);
    if (opened.type === 'failed') {
      this.options.logger.error({ reason: opened.message }, 'reload failed; the current corpus keeps being served');
      return {
        applied: false,
        problems: [{ file: this.options.dir, message: `the reload failed (${opened.message}); the current articles are still served` }],
        skipped: [],
        added: [],
        removed: [],
        changed: [],
        titles: {},
        analysed: 0,
        ...this.#catalog,
        ms: performance.now() - started,
      };
    }
    if (!worker || opened.type !== 'opened' || this.#closed) {
      await worker?.stop();
      return { ...opened.report, ...this.#catalog };
    }
    this.#serve(worker, opened.catalog);
    return opened.report;
  }

  /** Serves from `worker`; the worker it replaces (if any) retires once it has answered what it was asked. */
  #serve(worker: WorkerConnection, catalog: Catalog): void {
    if (this.#closed) {
      void worker.stop();
      return;
    }
    worker.onLost = (reason) => {
      this.options.logger.error({ reason }, 'engine worker lost; replacing it with the last saved index');
      this.#replaceLost(reason);
    };
    const previous = this.#serving;
    this.#serving = worker;
    this.#catalog = catalog;
    if (previous && previous !== worker) void previous.retire(this.options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
  }

  /**
   * A new worker from the last good index: the saved one when there is a cache (what the lost
   * worker served), else the folder as it is now. Retried with a growing delay while it fails.
   */
  #replaceLost(reason: string, attempt = 0): void {
    if (this.#closed || this.#recovering) return;
    this.#serving = undefined;
    this.#recovering = true;
    const delayMs = attempt === 0 ? 0 : Math.min(60_000, 500 * 2 ** attempt);
    setTimeout(async () => {
      const { worker, opened } = await this.#open(this.#data(false, true));
      this.#recovering = false;
      logCache(this.options.logger, this.options.cacheDir, opened);
      if (worker && opened.type === 'opened') {
        // A reload that swapped in its worker meanwhile serves something newer: keep it.
        if (this.#serving) return void worker.stop();
        this.options.logger.info({ reason, documents: opened.catalog.documents }, 'engine worker replaced');
        this.#serve(worker, opened.catalog);
      } else {
        this.#replaceLost(reason, attempt + 1);
      }
    }, delayMs).unref();
  }
}
