/**
 * The encoder worker: the one thread of an engine that runs the sentence encoder. Engine workers
 * send it new questions (answered at once) and the passages they have no vectors for (computed in
 * the background and sent back as they are done), so that meaning never waits for a serving
 * worker to be idle and a serving worker never holds a question behind a model call for passages.
 *
 * Questions and passages take turns: a flood of questions slows the passages down but never stops
 * them, and a question waits at most one passage step (a small one while questions are waiting).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { EMBEDDING_DIMENSIONS, loadEmbedder, type Embedder } from '../semantic/embedder.js';
import { SENTENCES_PER_STEP, embedPassages, vectorsFolder, type PassageSentences } from '../semantic/SemanticIndex.js';
import { VectorStore, quantize, type QuantizedVectors } from '../semantic/vectorStore.js';
import type { EncoderConnect, EncoderReply, EncoderRequest, EncoderStateMessage } from './encoderProtocol.js';
import type { LogMessage } from './protocol.js';

export interface EncoderWorkerData {
  cacheDir?: string;
  /** The model's folder, when not the package's (see EngineOptions.modelDir). */
  modelDir?: string;
}

const { cacheDir, modelDir } = workerData as EncoderWorkerData;
const log = (level: LogMessage['level'], message: string, details: object = {}) =>
  parentPort!.postMessage({ type: 'log', level, message, details } satisfies LogMessage);

interface QuestionRequest {
  port: MessagePort;
  id: number;
  texts: string[];
}

/** Questions waiting, oldest first. */
const questions: QuestionRequest[] = [];
interface WaitingPassage {
  item: PassageSentences;
  ports: Set<MessagePort>;
  /** Steps it failed in: it is tried once more, then given no meaning rather than waited for. */
  failures: number;
}

/** Passages waiting, in the order asked (a Map keeps it), with the ports that want each. */
const passages = new Map<string, WaitingPassage>();
let wake: (() => void) | undefined;
/** Whether the model is loaded: until then (or when it cannot be) questions are told at once, their askers answered by words. */
let state: 'loading' | 'ready' | 'unavailable' = 'loading';
/**
 * Sentences per passage step while no question waits: a step is one batch through the model, and
 * larger ones embed a large corpus faster; with questions waiting, SENTENCES_PER_STEP, so a
 * question waits little.
 */
const IDLE_SENTENCES_PER_STEP = 32;

function post(port: MessagePort, reply: EncoderReply): void {
  port.postMessage(reply);
}

function listen(port: MessagePort): void {
  port.on('message', (request: EncoderRequest) => {
    if (request.type === 'embed') {
      if (state === 'ready') questions.push({ port, id: request.id, texts: request.texts });
      else post(port, { type: 'embedded', id: request.id, error: `the sentence encoder is ${state === 'loading' ? 'still loading' : 'unavailable'}` });
    } else if (state !== 'unavailable') {
      for (const item of request.items) {
        const waiting = passages.get(item.key);
        if (waiting) waiting.ports.add(port);
        else passages.set(item.key, { item, ports: new Set([port]), failures: 0 });
      }
    }
    wake?.();
  });
  // The engine worker stopped (a reload replaced it): its requests are nobody's any more.
  port.once('close', () => {
    for (let i = questions.length - 1; i >= 0; i--) if (questions[i]!.port === port) questions.splice(i, 1);
    for (const [key, waiting] of passages) {
      waiting.ports.delete(port);
      if (waiting.ports.size === 0) passages.delete(key);
    }
  });
}

async function answerQuestions(embedder: Embedder): Promise<void> {
  const request = questions.shift();
  if (!request) return;
  try {
    post(request.port, { type: 'embedded', id: request.id, vectors: await embedder.embed(request.texts) });
  } catch (error) {
    post(request.port, { type: 'embedded', id: request.id, error: (error as Error).message });
  }
}

/** Sends each port the entries it asked for. */
function deliver(step: readonly WaitingPassage[], entries: ReadonlyArray<[string, QuantizedVectors]>): void {
  const byPort = new Map<MessagePort, Array<[string, QuantizedVectors]>>();
  entries.forEach((entry, i) => {
    for (const port of step[i]!.ports) byPort.set(port, [...(byPort.get(port) ?? []), entry]);
  });
  for (const [port, sent] of byPort) post(port, { type: 'vectors', entries: sent });
}

/** One step of passages: a batch of sentences, sent to every port that asked, then saved. */
async function embedStep(embedder: Embedder, store: VectorStore): Promise<void> {
  const step: WaitingPassage[] = [];
  const limit = questions.length > 0 ? SENTENCES_PER_STEP : IDLE_SENTENCES_PER_STEP;
  let sentences = 0;
  for (const [key, waiting] of passages) {
    if (sentences >= limit) break;
    passages.delete(key);
    step.push(waiting);
    sentences += waiting.item.sentences.length;
  }
  if (step.length === 0) return;
  let entries: Array<[string, QuantizedVectors]>;
  try {
    entries = await embedPassages(
      embedder,
      step.map(({ item }) => item),
    );
  } catch (error) {
    log('error', 'semantic vectors: a step of passages failed; they are tried again once, then answered by their words', { reason: (error as Error).message });
    const givenUp = step.filter((waiting) => ++waiting.failures > 1);
    for (const waiting of step) if (waiting.failures === 1) passages.set(waiting.item.key, waiting);
    // No meaning rather than none at all: the engine worker would wait for them forever. Not saved.
    deliver(
      givenUp,
      givenUp.map(({ item }): [string, QuantizedVectors] => [item.key, quantize([new Float32Array(EMBEDDING_DIMENSIONS)])]),
    );
    return;
  }
  deliver(step, entries);
  await store
    .save(entries)
    .catch((error: Error) =>
      log('warn', 'semantic vectors: could not be saved in the cache folder; they are computed again after a restart', { reason: error.message }),
    );
}

parentPort!.on('message', (message: EncoderConnect) => listen(message.port));

let embedder: Embedder;
let store: VectorStore;
try {
  [embedder, store] = await Promise.all([loadEmbedder({ folder: modelDir }), VectorStore.forWriting(vectorsFolder(cacheDir))]);
  parentPort!.postMessage({ type: 'meaning', state: 'ready' } satisfies EncoderStateMessage);
  state = 'ready';
} catch (error) {
  const reason = (error as Error).message;
  log('error', 'the sentence encoder could not start; answers use words alone', { reason });
  parentPort!.postMessage({ type: 'meaning', state: 'unavailable', reason } satisfies EncoderStateMessage);
  // Every question is told at once (its asker is answered by words without waiting); passages wait for nothing.
  const failed: Embedder = { embed: () => Promise.reject(new Error('the sentence encoder is unavailable')) };
  [embedder, store] = [failed, await VectorStore.forWriting(undefined)];
  state = 'unavailable';
  passages.clear();
}
for (;;) {
  if (questions.length === 0 && passages.size === 0) await new Promise<void>((resolve) => (wake = resolve));
  wake = undefined;
  await answerQuestions(embedder);
  await embedStep(embedder, store);
  // Requests sent meanwhile come in between model calls.
  await nextTurn();
}
