/**
 * An engine worker: opens one version of the corpus (reading, analysing and indexing it, or
 * loading the saved index) and then answers questions about it, off the thread that talks to
 * Discord. With the semantic stage on, it then loads the sentence encoder and computes the
 * passages' vectors in the background (answers use words alone until they are ready). A reload
 * starts a new worker; this one serves until it is told to stop.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { Library } from '../library/Library.js';
import type { SemanticIndex } from '../semantic/SemanticIndex.js';
import type { CacheEvent, EngineCalls, EngineRequest, EngineResponse, EngineWorkerData, LogMessage, OpenedMessage } from './protocol.js';

/**
 * Questions asked before the worker says it is open, made of the corpus's own titles: a fresh
 * worker's first queries run several times slower until the JIT has compiled the query code.
 */
const WARM_UP_QUESTIONS = 20;

/**
 * The meaning stage's heavy work in a serving worker (loading the model, embedding passages) waits
 * for this long without a request. Each model call holds the worker 15–50 ms, 100–300 ms when the
 * two cores are busy answering and reloading: between questions, never among them. Under steady
 * load the vectors wait (answers use words alone meanwhile); Discord traffic comes in bursts.
 */
const QUIET_MS = 1_000;
let lastRequestAt = 0;

const port = parentPort!;
const { library: options, semantic, replacing } = workerData as EngineWorkerData;
const cache: CacheEvent[] = [];
const log = (level: LogMessage['level'], message: string, details: object = {}) => port.postMessage({ type: 'log', level, message, details } satisfies LogMessage);

let opened: Awaited<ReturnType<typeof Library.open>>;
try {
  opened = await Library.open({ ...options, onCache: (event) => cache.push(event) });
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).message } satisfies OpenedMessage);
  process.exit(1);
}
const { library, report, fromSaved = false } = opened;
if (!library) {
  port.postMessage({ type: 'refused', report, cache } satisfies OpenedMessage);
} else {
  const calls: EngineCalls = {
    answer: (question, answerOptions) => library.answer(question, answerOptions),
    search: (query, searchOptions) => library.search(query, searchOptions),
    sources: (scope, limit) => library.sources(scope, limit),
    findDocuments: (typed, limit, findOptions) => library.findDocuments(typed, limit, findOptions),
    passageByRef: (ref, scope) => library.passageByRef(ref, scope),
    paragraph: (documentId, paragraph, scope) => library.paragraph(documentId, paragraph, scope),
  };
  port.on('message', async ({ id, method, args, deadline }: EngineRequest) => {
    lastRequestAt = performance.now();
    // Queued behind a burst until after its asker gave up: answering it would only delay the rest.
    if (Date.now() > deadline) return port.postMessage({ id, error: 'expired' } satisfies EngineResponse);
    let response: EngineResponse;
    try {
      const call = Object.hasOwn(calls, method) ? (calls[method] as (...values: unknown[]) => unknown) : undefined;
      if (!call) throw new Error(`unknown engine method ${String(method)}`);
      response = { id, result: await call(...args) };
    } catch (error) {
      response = { id, error: (error as Error).message };
    }
    port.postMessage(response);
  });
  const semanticIndex = semantic && replacing ? await openSemantic(library) : undefined;
  await warmUpQueries(library).catch((error: Error) => log('warn', 'the warm-up questions failed; serving anyway', { reason: error.message }));
  // Questions are about to arrive (members were told to try again in a few seconds): the first
  // quiet second is counted from now.
  lastRequestAt = performance.now();
  port.postMessage({
    type: 'opened',
    report,
    catalog: { documents: library.documents.length, passages: library.stats().passages, scopeSizes: library.scopeSizes() },
    cache,
    fromSaved,
  } satisfies OpenedMessage);
  if (semantic) await fillSemantic(semanticIndex ?? (await quiet().then(() => openSemantic(library))));
}

/** Resolves once the worker has had no request for QUIET_MS. */
async function quiet(): Promise<void> {
  let waitMs: number;
  while ((waitMs = lastRequestAt + QUIET_MS - performance.now()) > 0) await sleep(waitMs);
}

/** Loads the encoder and the saved vectors of the passages (logged, and `undefined`, if it cannot). */
async function openSemantic(served: Library): Promise<SemanticIndex | undefined> {
  const started = performance.now();
  try {
    // Imported here: with the semantic stage off, the model's runtime is never loaded.
    const { enableSemantic } = await import('../semantic/SemanticIndex.js');
    const index = await enableSemantic(served, options.cacheDir, {
      onBusy: ({ turnedAway }) => log('info', 'semantic: a burst of new questions; those the encoder could not get to in time were answered by words alone', { turnedAway }),
      onQuestionsFailed: (error) => log('error', 'semantic: the encoder failed on new questions; they were answered by words alone', { reason: error.message }),
    });
    const { embedded, total } = index.progress;
    if (!index.ready) log('info', 'semantic vectors: computing the missing ones in the background; answers use words alone until then', { embedded, total, loadMs: Math.round(performance.now() - started) });
    return index;
  } catch (error) {
    log('error', 'the semantic stage could not start; answers use words alone', { reason: (error as Error).message });
    return undefined;
  }
}

/** Computes the passages' missing vectors in the background, logging where it stands. */
async function fillSemantic(index: SemanticIndex | undefined): Promise<void> {
  try {
    await index?.fill({
      background: true,
      beforeStep: quiet,
      onProgress: (progress) => log('info', progress.done ? 'semantic vectors ready: answers use meaning as well as words' : 'semantic vectors: computing', { ...progress, ms: Math.round(progress.ms) }),
    });
  } catch (error) {
    log('error', 'the semantic vectors could not be computed; answers use words alone', { reason: (error as Error).message });
  }
}

async function warmUpQueries(served: Library): Promise<void> {
  for (const document of served.documents.slice(0, WARM_UP_QUESTIONS)) {
    await served.answer(document.title, { scope: document.scope });
    served.search(document.title, { scope: document.scope, limit: 25, partial: true });
  }
}
