/**
 * The encoder worker: the one thread of an engine that runs the sentence encoder. Engine workers
 * send it new questions (answered at once) and the passages they have no vectors for (computed in
 * the background and sent back as they are done), so that meaning never waits for a serving
 * worker to be idle and a serving worker never holds a question behind a model call for passages.
 *
 * Questions and passages take turns, one model call each: a flood of questions slows the passages
 * down but never stops them, and a question waits at most one passage step.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { loadEmbedder, type Embedder } from '../semantic/embedder.js';
import { SENTENCES_PER_STEP, embedPassages, vectorsFolder, type PassageSentences } from '../semantic/SemanticIndex.js';
import { VectorStore, type QuantizedVectors } from '../semantic/vectorStore.js';
import type { EncoderConnect, EncoderReply, EncoderRequest, EncoderStateMessage } from './encoderProtocol.js';
import type { LogMessage } from './protocol.js';

export interface EncoderWorkerData {
  cacheDir?: string;
  /** The model's folder, when not the package's (see EngineOptions.modelDir). */
  modelDir?: string;
}

const { cacheDir, modelDir } = workerData as EncoderWorkerData;
const log = (level: LogMessage['level'], message: string, details: object = {}) => parentPort!.postMessage({ type: 'log', level, message, details } satisfies LogMessage);

interface QuestionRequest {
  port: MessagePort;
  id: number;
  texts: string[];
}

/** Questions waiting, oldest first. */
const questions: QuestionRequest[] = [];
/** Passages waiting, in the order asked (a Map keeps it), with the ports that want each. */
const passages = new Map<string, { item: PassageSentences; ports: Set<MessagePort> }>();
let wake: (() => void) | undefined;
/** Whether the model could not be loaded: questions are told so at once, passages are not queued. */
let unavailable = false;

function post(port: MessagePort, reply: EncoderReply): void {
  port.postMessage(reply);
}

function listen(port: MessagePort): void {
  port.on('message', (request: EncoderRequest) => {
    if (request.type === 'embed') questions.push({ port, id: request.id, texts: request.texts });
    else if (!unavailable) {
      for (const item of request.items) {
        const waiting = passages.get(item.key);
        if (waiting) waiting.ports.add(port);
        else passages.set(item.key, { item, ports: new Set([port]) });
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

/** One step of passages: a few sentences' worth, saved, then sent to every port that asked. */
async function embedStep(embedder: Embedder, store: VectorStore): Promise<void> {
  const step: Array<{ item: PassageSentences; ports: Set<MessagePort> }> = [];
  let sentences = 0;
  for (const [key, waiting] of passages) {
    if (sentences >= SENTENCES_PER_STEP) break;
    passages.delete(key);
    step.push(waiting);
    sentences += waiting.item.sentences.length;
  }
  if (step.length === 0) return;
  const entries = await embedPassages(
    embedder,
    step.map(({ item }) => item),
  );
  const byPort = new Map<MessagePort, Array<[string, QuantizedVectors]>>();
  entries.forEach((entry, i) => {
    for (const port of step[i]!.ports) byPort.set(port, [...(byPort.get(port) ?? []), entry]);
  });
  for (const [port, sent] of byPort) post(port, { type: 'vectors', entries: sent });
  await store.save(entries);
}

parentPort!.on('message', (message: EncoderConnect) => listen(message.port));

let embedder: Embedder;
let store: VectorStore;
try {
  [embedder, store] = await Promise.all([loadEmbedder({ folder: modelDir }), VectorStore.forWriting(vectorsFolder(cacheDir))]);
  parentPort!.postMessage({ type: 'meaning', state: 'ready' } satisfies EncoderStateMessage);
} catch (error) {
  const reason = (error as Error).message;
  log('error', 'the sentence encoder could not start; answers use words alone', { reason });
  parentPort!.postMessage({ type: 'meaning', state: 'unavailable', reason } satisfies EncoderStateMessage);
  // Every question is told at once (its asker is answered by words without waiting); passages wait for nothing.
  const failed: Embedder = { embed: () => Promise.reject(new Error('the sentence encoder is unavailable')) };
  [embedder, store, unavailable] = [failed, await VectorStore.forWriting(undefined), true];
  passages.clear();
}
for (;;) {
  if (questions.length === 0 && passages.size === 0) await new Promise<void>((resolve) => (wake = resolve));
  wake = undefined;
  await answerQuestions(embedder);
  try {
    await embedStep(embedder, store);
  } catch (error) {
    log('error', 'semantic vectors: a step of passages failed; the questions they answer use words alone', { reason: (error as Error).message });
  }
  // Requests sent meanwhile come in between model calls.
  await nextTurn();
}
