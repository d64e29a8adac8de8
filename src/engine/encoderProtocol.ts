/**
 * Messages between the encoder worker (src/engine/encoderWorker.ts), which holds the sentence
 * encoder, and the engine workers it embeds for, each over a MessagePort of its own. Questions
 * are embedded on request; passages' vectors are computed in the background, saved in the cache
 * folder and sent to every engine worker that asked for them.
 */
import type { MessagePort } from 'node:worker_threads';
import type { PassageSentences } from '../semantic/SemanticIndex.js';
import type { QuantizedVectors } from '../semantic/vectorStore.js';

/** From an engine worker to the encoder. */
export type EncoderRequest =
  /** Embed these texts now (questions, intent examples): answered by `embedded` with the same id. */
  | { type: 'embed'; id: number; texts: string[] }
  /** Compute these passages' vectors in the background: answered by `vectors`, a few at a time. */
  | { type: 'passages'; items: PassageSentences[] };

/** From the encoder to an engine worker. */
export type EncoderReply =
  | { type: 'embedded'; id: number; vectors: Float32Array[] }
  | { type: 'embedded'; id: number; error: string }
  | { type: 'vectors'; entries: Array<[string, QuantizedVectors]> };

/** From the engine's thread to the encoder worker: a port to one more engine worker. */
export interface EncoderConnect {
  type: 'connect';
  port: MessagePort;
}

/** From the engine's thread to an engine worker: a port to a new encoder worker (the previous one was lost). */
export interface EncoderReconnect {
  type: 'encoder';
  port: MessagePort;
}

/**
 * Whether answers can use meaning: `loading` until the encoder worker has loaded and checked the
 * model, `unavailable` (with why) when it could not or has stopped: answers then use words alone.
 */
export type MeaningState = { state: 'loading' } | { state: 'ready' } | { state: 'unavailable'; reason: string };

/** From the encoder worker to the engine's thread, once the model is loaded or refused. */
export type EncoderStateMessage = { type: 'meaning' } & MeaningState;
