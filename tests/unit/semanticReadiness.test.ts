/**
 * Which servers' questions use meaning while the passages' vectors arrive from the encoder worker:
 * a server's, once every passage it sees (the base and its own) has them, whatever other servers
 * are still waiting for; passages of different servers with the same text share one vector.
 */
import { describe, expect, it } from 'vitest';
import type { Passage } from '../../src/passages/splitIntoPassages.js';
import { EMBEDDING_DIMENSIONS, type Embedder } from '../../src/semantic/embedder.js';
import { SemanticIndex } from '../../src/semantic/SemanticIndex.js';
import { quantize } from '../../src/semantic/vectorStore.js';

/** An encoder that answers at once with one unit vector per text. */
const embedder: Embedder = { embed: async (texts) => texts.map(() => new Float32Array(EMBEDDING_DIMENSIONS).fill(1 / Math.sqrt(EMBEDDING_DIMENSIONS))) };

const passage = (id: string, text: string, scope?: string): Passage =>
  ({ id, documentId: id, paragraph: 1, section: '', text, fingerprint: id, ...(scope && { scope }) }) as Passage;

describe('readiness per server', () => {
  it('answers a server by meaning once the passages it sees have vectors, the base first, shared texts once', async () => {
    const index = await SemanticIndex.open(
      [passage('base', 'Shared text.'), passage('s1', 'Shared text.', '111'), passage('s2', 'Own text.', '111'), passage('other', 'Other text.', '222')],
      { embedder },
    );
    const missing = [...index.missingPassages()];
    expect(missing.map((item) => item.sentences)).toEqual([['Shared text.'], ['Own text.'], ['Other text.']]);
    expect([index.readyFor(undefined), index.readyFor('111'), index.readyFor('222')]).toEqual([false, false, false]);
    const vectors = (key: string) => [key, quantize([new Float32Array(EMBEDDING_DIMENSIONS).fill(0.1)])] as [string, ReturnType<typeof quantize>];

    index.receive([vectors(missing[0]!.key)]);
    expect([index.readyFor(undefined), index.readyFor('111'), index.readyFor('222')]).toEqual([true, false, false]);
    // Told twice (two engine workers asked for it): counted once.
    index.receive([vectors(missing[0]!.key)]);
    index.receive([vectors(missing[1]!.key)]);
    expect([index.readyFor('111'), index.readyFor('222'), index.ready]).toEqual([true, false, false]);
    index.receive([vectors(missing[2]!.key)]);
    expect([index.readyFor('222'), index.ready, index.progress]).toEqual([true, true, { embedded: 3, total: 3 }]);
    expect([...index.missingPassages()]).toEqual([]);
  });
});
