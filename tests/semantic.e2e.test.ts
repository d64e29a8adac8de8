/**
 * The semantic stage in the running bot: the engine worker loads the encoder, embeds the
 * passages in the background (answering by words alone until then), saves the vectors in
 * CACHE_DIR so that a restart or reload embeds only new text, and then answers by meaning:
 * reworded questions, and questions about the article itself.
 */
import { cp, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Permissions } from './fake-discord/index.js';
import { repoRoot } from './support/discordSpec.js';
import { messageOf, startBot, type BotHarness } from './support/botHarness.js';

const STRING = 3;
let harness: BotHarness;
let corpusDir: string;
let cacheDir: string;

const ready = (logs: BotHarness['logs']) => logs.filter((line) => line.msg === 'semantic vectors ready: answers use meaning as well as words');
const ask = async (question: string) => messageOf(await harness.callback(harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }])));

beforeAll(async () => {
  corpusDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-semantic-'));
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-semantic-cache-'));
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  harness = await startBot({ config: { corpusDir, cacheDir, semantic: true } });
  await vi.waitFor(() => expect(ready(harness.logs)).toHaveLength(1), { timeout: 60_000, interval: 100 });
}, 90_000);

afterAll(async () => {
  await harness?.stop();
});

describe('the semantic stage', () => {
  it('says in the log that it computes vectors in the background, and when answers use meaning', () => {
    const computing = harness.logs.find((line) => String(line.msg).startsWith('semantic vectors: computing the missing ones'));
    expect(computing).toMatchObject({ embedded: 0, total: 10 });
    expect(ready(harness.logs)[0]).toMatchObject({ embedded: 10, total: 10 });
  });

  it('answers a question about the article itself from its front matter, quoting the author’s bio', async () => {
    const message = await ask('Who penned this story?');
    expect(message.content).toContain('was written by **Cate Cadell** (TechNode, 2015-09-25).');
    expect(message.embeds![0]!.footer!.text).toBe('Cate Cadell · TechNode · 2015-09-25 · paragraph 10');
  });

  it('answers a reworded question whose words the passage lacks, bolding the sentence closest in meaning', async () => {
    const message = await ask('Which firm will be the default web search in the new Microsoft browser?');
    const [embed] = message.embeds!;
    expect(embed!.footer!.text).toMatch(/paragraph 5$/);
    expect(embed!.description).toContain('**Microsoft has also revealed this week');
  });

  it('declines an unrelated question without any corpus text', async () => {
    const message = await ask('Who won the football world cup in 1998?');
    expect(message.embeds![0]!.title).toBe('The article doesn’t say that.');
    expect(message.embeds![0]!.description).not.toContain('Related passages');
  });

  it('keeps the vectors in CACHE_DIR: a reload with one new article embeds only that one, and opens the meaning stage before it swaps', async () => {
    const folders = await readdir(path.join(cacheDir, 'vectors'));
    expect(folders).toHaveLength(1);
    await writeFile(
      path.join(corpusDir, 'lighthouse.md'),
      '---\ntitle: The lighthouse keeper retires\nauthor: A. Writer\npublisher: Gazette\npublished: 2020-01-02\nurl: https://example.com/lighthouse\n---\n\nThe harbour authority confirmed that the lighthouse keeper retired after forty years of service.\n',
    );
    const reload = harness.fake.chatInput('reload', [], { member: { permissions: Permissions.ManageGuild } });
    await harness.callback(reload);
    await harness.webhook(reload, (request) => request.method === 'PATCH');
    await vi.waitFor(() => expect(ready(harness.logs)).toHaveLength(2), { timeout: 60_000, interval: 100 });
    const computing = harness.logs.filter((line) => String(line.msg).startsWith('semantic vectors: computing the missing ones'));
    expect(computing.at(-1)).toMatchObject({ embedded: 10, total: 11 });
    // The new worker opened its semantic stage before the swap, not while serving members.
    expect(harness.logs.indexOf(computing.at(-1)!)).toBeLessThan(harness.logs.findIndex((line) => line.msg === 'corpus reloaded'));
    const message = await ask('Who retired from the lighthouse?');
    expect(message.embeds![0]!.title).toBe('The lighthouse keeper retires');
  });
});

describe('the semantic stage across servers', () => {
  const A = '1150000000000000000';
  const B = '1160000000000000000';
  let servers: BotHarness;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-semantic-servers-'));
    await cp(path.join(repoRoot, 'corpus'), dir, { recursive: true });
    await mkdir(path.join(dir, 'servers', A), { recursive: true });
    await writeFile(
      path.join(dir, 'servers', A, 'lighthouse.md'),
      '---\ntitle: The lighthouse keeper retires\nauthor: A. Writer\npublisher: Gazette\npublished: 2020-01-02\nurl: https://example.com/lighthouse\n---\n\nThe harbour authority confirmed that the lighthouse keeper retired after forty years of service.\n',
    );
    servers = await startBot({ config: { corpusDir: dir, cacheDir: await mkdtemp(path.join(os.tmpdir(), 'citebot-semantic-servers-cache-')), semantic: true }, fake: { guildIds: [B] } });
    await vi.waitFor(() => expect(ready(servers.logs)).toHaveLength(1), { timeout: 60_000, interval: 100 });
  }, 90_000);

  afterAll(async () => {
    await servers?.stop();
  });

  const askIn = async (guildId: string, question: string) =>
    messageOf(await servers.callback(servers.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }], { guildId })));

  it('answers from a server’s own article there, and with meaning on, never shows it in another server', async () => {
    const question = 'Who retired from the lighthouse?';
    expect((await askIn(A, question)).embeds![0]!.title).toBe('The lighthouse keeper retires');
    const elsewhere = await askIn(B, question);
    expect(JSON.stringify(elsewhere)).not.toMatch(/lighthouse keeper|harbour authority/i);
    // A question about "the article" in B can only mean an article B sees.
    expect((await askIn(B, 'Who wrote this article?')).content).toContain('Cate Cadell');
  });
});

describe('the semantic stage between questions', () => {
  it('embeds the passages only once no question has come for a second', async () => {
    const busy = await startBot({ config: { corpusDir: path.join(repoRoot, 'corpus'), cacheDir: await mkdtemp(path.join(os.tmpdir(), 'citebot-semantic-busy-')), semantic: true } });
    try {
      const askBusy = async () => messageOf(await busy.callback(busy.fake.chatInput('ask', [{ name: 'question', type: STRING, value: 'Which search engine will Edge use in China?' }])));
      await vi.waitFor(async () => expect((await askBusy()).embeds?.[0]?.footer?.text).toMatch(/paragraph/), { timeout: 30_000, interval: 100 });
      // Questions every 100 ms for 3 s: the worker answers them by words, and embeds no passage.
      for (const stopAt = Date.now() + 3_000; Date.now() < stopAt; ) {
        await askBusy();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ready(busy.logs)).toEqual([]);
      await vi.waitFor(() => expect(ready(busy.logs)).toHaveLength(1), { timeout: 60_000, interval: 100 });
    } finally {
      await busy.stop();
    }
  }, 90_000);
});
