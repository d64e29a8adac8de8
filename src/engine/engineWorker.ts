/**
 * An engine worker: opens one version of the corpus (reading, analysing and indexing it, or
 * loading the saved index) and then answers questions about it, off the thread that talks to
 * Discord. With the semantic stage on, it then loads the sentence encoder and computes the
 * passages' vectors in the background (answers use words alone until they are ready). A reload
 * starts a new worker; this one serves until it is told to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Library } from '../library/Library.js';
import type { CacheEvent, EngineCalls, EngineRequest, EngineResponse, EngineWorkerData, LogMessage, OpenedMessage } from './protocol.js';

const port = parentPort!;
const { library: options, semantic } = workerData as EngineWorkerData;
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
    documents: (scope) => library.visibleDocuments(scope),
    sources: (scope, limit) => library.sources(scope, limit),
    findDocuments: (typed, limit, findOptions) => library.findDocuments(typed, limit, findOptions),
    passageByRef: (ref, scope) => library.passageByRef(ref, scope),
    paragraph: (documentId, paragraph, scope) => library.paragraph(documentId, paragraph, scope),
  };
  port.on('message', async ({ id, method, args, deadline }: EngineRequest) => {
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
  port.postMessage({
    type: 'opened',
    report,
    catalog: { documents: library.documents.length, passages: library.stats().passages, scopeSizes: library.scopeSizes() },
    cache,
    fromSaved,
  } satisfies OpenedMessage);
  if (semantic) await startSemantic(library);
}

/** Loads the encoder and fills in the passages' vectors, logging where it stands. */
async function startSemantic(served: Library): Promise<void> {
  const started = performance.now();
  try {
    // Imported here: with the semantic stage off, the model's runtime is never loaded.
    const { enableSemantic } = await import('../semantic/SemanticIndex.js');
    const index = await enableSemantic(served, options.cacheDir);
    const { embedded, total } = index.progress;
    if (!index.ready) log('info', 'semantic vectors: computing the missing ones in the background; answers use words alone until then', { embedded, total, loadMs: Math.round(performance.now() - started) });
    await index.fill({
      background: true,
      onProgress: (progress) => log('info', progress.done ? 'semantic vectors ready: answers use meaning as well as words' : 'semantic vectors: computing', { ...progress, ms: Math.round(progress.ms) }),
    });
  } catch (error) {
    log('error', 'the semantic stage could not start; answers use words alone', { reason: (error as Error).message });
  }
}
