/**
 * What makes a damaged model refused rather than trusted: a model whose files load but hold other
 * bytes (a wrong vocabulary, weights overwritten with valid numbers) would still embed, and place
 * any question near some passage. Each file it reads must match the SHA-256 digest recorded in
 * modelDigests.json, and once loaded a few sentence pairs must come out as close, or as far
 * apart, as they do with the real model.
 */
import { createHash } from 'node:crypto';
import recorded from './modelDigests.json' with { type: 'json' };
import { cosine } from './vectors.js';

/** The expected SHA-256 digest (hex) of each model file, by file name, and the package version they belong to. */
export interface ModelDigests {
  package: string;
  version: string;
  files: Record<string, string>;
}

/** The digests recorded for the installed model package (see README, "Upgrading the model package"). */
export const MODEL_DIGESTS: ModelDigests = recorded;

/** SHA-256 of `bytes`, in hex. */
function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Throws, naming the file, unless `bytes` (model file `name`) has the digest `expected` records. */
export function checkModelFile(name: string, bytes: Uint8Array, expected: ModelDigests): void {
  const digest = expected.files[name];
  const where = `recorded for ${expected.package}@${expected.version} in src/semantic/modelDigests.json`;
  if (digest === undefined) throw new Error(`the model file ${name} has no digest ${where}`);
  if (sha256(bytes) !== digest) throw new Error(`the model file ${name} differs from the digest ${where}`);
}

/** One digest for the whole model: what its sentence vectors depend on. */
export function modelContentDigest(digests: ModelDigests): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(digests.files).sort()) hash.update(`${name} ${digests.files[name]}\n`);
  return hash.digest('hex');
}

/**
 * Two pairs of paraphrases, short enough to go through the model in one call (the check costs one
 * question's embedding). The real model puts each pair's sentences well above PARAPHRASES_AT_LEAST
 * and sentences of different pairs well below UNRELATED_AT_MOST; a shuffled vocabulary or a shard
 * of random weights brings paraphrases apart or unrelated sentences together, or makes the model fail.
 */
const KNOWN_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['The cat sat on the mat.', 'A cat was sitting on the rug.'],
  ['Share prices fell sharply today.', 'The stock market dropped steeply today.'],
];
/** Least cosine of a pair of paraphrases, and most of two unrelated sentences. */
const PARAPHRASES_AT_LEAST = 0.5;
const UNRELATED_AT_MOST = 0.3;

/** Throws unless `embedder` places each known pair of paraphrases close together and the pairs apart. */
export async function checkKnownPairs(embedder: { embed(texts: readonly string[]): Promise<Float32Array[]> }): Promise<void> {
  const vectors = await embedder.embed(KNOWN_PAIRS.flat()).catch((error: Error) => {
    throw new Error(`the model fails on known sentences (${error.message}): its files are damaged`);
  });
  const similarity = (i: number, j: number) => cosine(vectors[i]!, vectors[j]!);
  const paraphrases = [similarity(0, 1), similarity(2, 3)];
  const unrelated = [similarity(0, 2), similarity(1, 3)];
  // Written so that NaN (weights that overflow) fails too.
  if (!paraphrases.every((value) => value >= PARAPHRASES_AT_LEAST) || !unrelated.every((value) => value <= UNRELATED_AT_MOST)) {
    const shown = (values: number[]) => values.map((value) => value.toFixed(2)).join(' and ');
    throw new Error(
      `the model places known sentences wrongly (paraphrases at ${shown(paraphrases)}, expected at least ${PARAPHRASES_AT_LEAST}; unrelated ones at ${shown(unrelated)}, expected at most ${UNRELATED_AT_MOST}): its files are damaged`,
    );
  }
}
