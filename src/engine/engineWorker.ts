/**
 * An engine worker: opens one version of the corpus (reading, analysing and indexing it, or
 * loading the saved index) and then answers questions about it, off the thread that talks to
 * Discord. With the semantic stage on, it reads the passages' saved vectors and has the encoder
 * worker compute the missing ones, which arrive while it serves (a server's questions use words
 * alone until the passages it sees have theirs). A reload starts a new worker; this one serves
 * until it is told to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadEnglishWords } from '../text/englishWords.js';
import { Library } from '../library/Library.js';
import type { SemanticIndex } from '../semantic/SemanticIndex.js';
import { EncoderClient } from './encoderClient.js';
import type { EncoderReconnect } from './encoderProtocol.js';
import type { CacheEvent, EngineCall, EngineReply, EngineWorkerData, LogMessage, OpenedMessage, ProgressMessage } from './protocol.js';
import { serveRequest } from './serveRequest.js';

/**
 * Questions asked before the worker says it is open, made of the corpus's own titles: a fresh
 * worker's first queries run several times slower until the JIT has compiled the query code.
 */
const WARM_UP_QUESTIONS = 20;

/** How often the progress of the passages' vectors is told to the engine (and logged, every LOG_PROGRESS_EVERY). */
const PROGRESS_EVERY_MS = 1_000;
const LOG_PROGRESS_EVERY = 10;

const port = parentPort!;
const { library: options, replacing, encoder } = workerData as EngineWorkerData;
const encoderClient = encoder && new EncoderClient(encoder);
const cache: CacheEvent[] = [];
const log = (level: LogMessage['level'], message: string, details: object = {}) =>
  port.postMessage({ type: 'log', level, message, details } satisfies LogMessage);

let opened: Awaited<ReturnType<typeof Library.open>>;
try {
  opened = await Library.open({ ...options, onCache: (event) => cache.push(event) });
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).message } satisfies OpenedMessage);
  process.exit(1);
}
const { library: opening, report, fromSaved = false } = opened;
if (!opening) {
  port.postMessage({ type: 'refused', report, cache } satisfies OpenedMessage);
} else {
  // Words alone until the meaning side is open; then the same index with it (Library.withMeaning).
  let library = opening;
  port.on('message', async (message: EngineCall | EncoderReconnect) => {
    if ('type' in message) return encoderClient?.connect(message.port);
    const { id, request, deadline } = message;
    // Queued behind a burst until after its asker gave up: answering it would only delay the rest.
    if (Date.now() > deadline) return port.postMessage({ id, error: 'expired' } satisfies EngineReply);
    let response: EngineReply;
    try {
      response = { id, result: await serveRequest(library, request) };
    } catch (error) {
      response = { id, error: (error as Error).message };
    }
    port.postMessage(response);
  });
  /**
   * Serves with the meaning side once it is open, its missing vectors computed by the encoder
   * worker: a reload's worker opens it before saying it is open, so the new passages' vectors are
   * computed while the current worker still serves.
   */
  const addMeaning = async (client: EncoderClient) => {
    const semanticIndex = await openSemantic(library, client);
    if (!semanticIndex) return;
    library = library.withMeaning(semanticIndex);
    fillSemantic(semanticIndex, client);
  };
  // By words alone: the warm-up is for the query code, and must not wait for the encoder.
  await warmUpQueries(opening).catch((error: Error) => log('warn', 'the warm-up questions failed; serving anyway', { reason: error.message }));
  if (encoderClient && replacing) await addMeaning(encoderClient);
  port.postMessage({
    type: 'opened',
    report,
    catalog: { documents: library.documents.length, passages: library.stats().passages, scopeSizes: library.scopeSizes() },
    cache,
    fromSaved,
  } satisfies OpenedMessage);
  // A first worker serves by words at once: members would rather have answers now than meaning a moment later.
  if (encoderClient && !replacing) await addMeaning(encoderClient);
}

/** Reads the passages' saved vectors, with questions embedded by the encoder worker (logged, and `undefined`, if it cannot). */
async function openSemantic(served: Library, encoderClient: EncoderClient): Promise<SemanticIndex | undefined> {
  const started = performance.now();
  try {
    // Imported here: with the semantic stage off, none of it is loaded.
    const { openSemanticIndex } = await import('../semantic/SemanticIndex.js');
    const index = await openSemanticIndex(served.index.passages, options.cacheDir, {
      embedder: encoderClient,
      onBusy: ({ turnedAway }) =>
        log('info', 'semantic: a burst of new questions; those the encoder could not get to in time were answered by words alone', { turnedAway }),
      onQuestionsFailed: (error, failed) =>
        log('error', 'semantic: the encoder failed on new questions; they were answered by words alone', { reason: error.message, failed }),
    });
    const { embedded, total } = index.progress;
    if (!index.ready)
      log(
        'info',
        "semantic vectors: computing the missing ones in the encoder worker; a server's questions use words alone until the passages it sees have theirs",
        { embedded, total, loadMs: Math.round(performance.now() - started) },
      );
    return index;
  } catch (error) {
    log('error', 'the semantic stage could not start; answers use words alone', { reason: (error as Error).message });
    return undefined;
  }
}

/** Has the encoder worker compute the passages' missing vectors, telling the engine (and the log) how far they are. */
function fillSemantic(index: SemanticIndex | undefined, encoderClient: EncoderClient): void {
  if (!index) return;
  const started = performance.now();
  let told = 0;
  let lastToldAt = -Infinity;
  const tell = () => {
    const { embedded, total } = index.progress;
    port.postMessage({ type: 'progress', embedded, total } satisfies ProgressMessage);
    if (index.ready)
      log('info', 'semantic vectors ready: answers use meaning as well as words', { embedded, total, ms: Math.round(performance.now() - started) });
    else if (told % LOG_PROGRESS_EVERY === 0) log('info', 'semantic vectors: computing', { embedded, total, ms: Math.round(performance.now() - started) });
    told += 1;
    lastToldAt = performance.now();
  };
  tell();
  if (index.ready) return;
  encoderClient.requestPassages({
    missing: () => index.missingPassages(),
    receive: (entries) => {
      if (index.ready) return;
      index.receive(entries);
      if (index.ready || performance.now() - lastToldAt >= PROGRESS_EVERY_MS) tell();
    },
  });
}

async function warmUpQueries(served: Library): Promise<void> {
  loadEnglishWords();
  for (const document of served.documents.slice(0, WARM_UP_QUESTIONS)) {
    await served.answer(document.title, { scope: document.scope });
    served.search(document.title, { scope: document.scope, limit: 25, partial: true });
  }
}
