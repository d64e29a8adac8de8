/**
 * An engine worker's side of the encoder worker: an `Embedder` whose model runs in the encoder
 * worker, and the background computation of passages' vectors there. The port can be replaced
 * (the engine restarts a lost encoder worker): calls in flight then fail (their questions are
 * answered by words) and the passages still missing are asked for again.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MessagePort } from 'node:worker_threads';
import type { Embedder } from '../semantic/embedder.js';
import type { PassageSentences } from '../semantic/SemanticIndex.js';
import type { QuantizedVectors } from '../semantic/vectorStore.js';
import type { EncoderReply, EncoderRequest } from './encoderProtocol.js';

/** Passages per `passages` message: a large corpus's list goes in pieces, the serving worker answering questions in between. */
const PASSAGES_PER_MESSAGE = 500;

export interface PassageRequest {
  /** The passages still without vectors (asked for again after a reconnection). */
  missing(): Iterable<PassageSentences>;
  /** Told of vectors as they are done. */
  receive(entries: Array<[string, QuantizedVectors]>): void;
}

export class EncoderClient implements Embedder {
  #port: MessagePort | undefined;
  #nextId = 0;
  readonly #pending = new Map<number, { resolve(vectors: Float32Array[]): void; reject(error: Error): void }>();
  #passages: PassageRequest | undefined;

  constructor(port: MessagePort) {
    this.connect(port);
  }

  /** Uses `port` from now on (a new encoder worker): what the previous one owed fails or is asked for again. */
  connect(port: MessagePort): void {
    this.#port?.close();
    this.#failPending('the encoder worker was replaced');
    this.#port = port;
    port.on('message', (reply: EncoderReply) => this.#onReply(reply));
    port.once('close', () => {
      if (this.#port !== port) return;
      this.#port = undefined;
      this.#failPending('the encoder worker stopped');
    });
    if (this.#passages) void this.#askForPassages();
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    const port = this.#port;
    if (!port) return Promise.reject(new Error('the encoder worker is not running'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#send({ type: 'embed', id, texts: [...texts] });
    });
  }

  /** Has the encoder worker compute `request`'s missing passages in the background. */
  requestPassages(request: PassageRequest): void {
    this.#passages = request;
    void this.#askForPassages();
  }

  async #askForPassages(): Promise<void> {
    const port = this.#port;
    let items: PassageSentences[] = [];
    for (const item of this.#passages!.missing()) {
      items.push(item);
      if (items.length < PASSAGES_PER_MESSAGE) continue;
      this.#send({ type: 'passages', items });
      items = [];
      await nextTurn();
      // Replaced meanwhile: the new port's request lists them all again.
      if (this.#port !== port) return;
    }
    if (items.length > 0) this.#send({ type: 'passages', items });
  }

  #send(request: EncoderRequest): void {
    this.#port?.postMessage(request);
  }

  #onReply(reply: EncoderReply): void {
    if (reply.type === 'vectors') {
      this.#passages?.receive(reply.entries);
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if ('error' in reply) pending.reject(new Error(reply.error));
    else pending.resolve(reply.vectors);
  }

  #failPending(reason: string): void {
    for (const pending of this.#pending.values()) pending.reject(new Error(reason));
    this.#pending.clear();
  }
}
