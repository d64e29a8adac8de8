/**
 * An engine worker: opens one version of the corpus (reading, analysing and indexing it, or
 * loading the saved index) and then answers questions about it, off the thread that talks to
 * Discord. A reload starts a new worker; this one serves until it is told to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Library } from '../library/Library.js';
import type { CacheEvent, EngineCalls, EngineRequest, EngineResponse, EngineWorkerData, OpenedMessage } from './protocol.js';

const port = parentPort!;
const { library: options } = workerData as EngineWorkerData;
const cache: CacheEvent[] = [];

let opened: Awaited<ReturnType<typeof Library.open>>;
try {
  opened = await Library.open({ ...options, onCache: (event) => cache.push(event) });
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).message } satisfies OpenedMessage);
  process.exit(1);
}
const { library, report } = opened;
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
    ping: () => true,
  };
  port.on('message', ({ id, method, args }: EngineRequest) => {
    let response: EngineResponse;
    try {
      const call = Object.hasOwn(calls, method) ? (calls[method] as (...values: unknown[]) => unknown) : undefined;
      if (!call) throw new Error(`unknown engine method ${String(method)}`);
      response = { id, result: call(...args) };
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
  } satisfies OpenedMessage);
}
