/**
 * The semantic stage in the running bot: the encoder worker embeds the passages apart from the
 * serving worker (which answers by words alone until then), saves the vectors in CACHE_DIR so
 * that a restart or reload embeds only new text, and then answers by meaning: reworded
 * questions, and questions about the article itself, however busy the bot is.
 */
import { cp, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Answer } from '../../src/answers/answerQuestion.js';
import { createLogger } from '../../src/runtime/logger.js';
import { serveOps } from '../../src/runtime/ops.js';
import { Library } from '../../src/library/Library.js';
import { Permissions } from '../fake-discord/index.js';
import { articleSet } from '../support/questionSets.js';
import { repoRoot } from '../support/discordSpec.js';
import { messageOf, startBot, type BotHarness } from '../support/botHarness.js';

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

  it('says in /healthz and /metrics that answers use meaning', async () => {
    const ops = await serveOps({ port: 0 }, { engine: harness.engine, metrics: harness.metrics }, createLogger(harness.config));
    try {
      const origin = `http://127.0.0.1:${(ops.address() as AddressInfo).port}`;
      const health = (await (await fetch(`${origin}/healthz`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ ready: true, meaning: 'ready' });
      expect(health).not.toHaveProperty('status');
      expect(await (await fetch(`${origin}/metrics`)).text()).toMatch(/^citebot_meaning_available 1$/m);
    } finally {
      ops.close();
    }
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
    servers = await startBot({
      config: { corpusDir: dir, cacheDir: await mkdtemp(path.join(os.tmpdir(), 'citebot-semantic-servers-cache-')), semantic: true },
      fake: { guildIds: [B] },
    });
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

describe('meaning under load', () => {
  /**
   * A question every 300 ms, each from another member, from a cold start (empty CACHE_DIR): the
   * questions words alone get wrong that the idle bot gets right by meaning must be answered right
   * under that load from a few seconds after the first answer, not only once the bot is quiet.
   */
  it('answers by meaning from a few seconds after a cold start, however busy', async () => {
    const set = await articleSet();
    const words = (await Library.open({ dir: set.dir })).library!;
    const rightFirst = (answer: Answer, paragraph: number | null) => answer.answered && answer.results[0]?.passage.paragraph === paragraph;
    const missedByWords: Array<{ question: string; paragraph: number }> = [];
    for (const { question, paragraph } of set.questions) {
      if (paragraph !== null && !rightFirst(await words.answer(question), paragraph)) missedByWords.push({ question, paragraph });
    }
    const busy = await startBot({
      config: { corpusDir: path.join(repoRoot, 'corpus'), cacheDir: await mkdtemp(path.join(os.tmpdir(), 'citebot-semantic-busy-')), semantic: true },
    });
    try {
      let member = 0;
      const askAs = async (question: string) => {
        member += 1;
        const message = messageOf(
          await busy.callback(
            busy.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }], {
              member: { userId: String(1_200_000_000_000_000_000n + BigInt(member)) },
            }),
          ),
        );
        return message.embeds?.[0]?.footer?.text ?? '';
      };
      const paragraphShown = (footer: string) => Number(/paragraph (\d+)$/.exec(footer)?.[1] ?? NaN);
      await vi.waitFor(async () => expect(await askAs('Which search engine will Edge use in China?')).toMatch(/paragraph/), { timeout: 30_000, interval: 100 });
      const firstAnswerAt = Date.now();
      const counted: Array<{ question: string; paragraph: number; shown: Promise<string> }> = [];
      // Two rounds of every question after the first 8 s; the pace is the members', not the bot's.
      for (let sent = 0; Date.now() < firstAnswerAt + 8_000 || counted.length < 2 * missedByWords.length; sent++) {
        const asked = missedByWords[sent % missedByWords.length]!;
        const shown = askAs(asked.question);
        if (Date.now() >= firstAnswerAt + 8_000) counted.push({ ...asked, shown });
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      const underLoad = await Promise.all(counted.map(async (asked) => ({ ...asked, right: paragraphShown(await asked.shown) === asked.paragraph })));
      // What meaning can answer here: the same questions once the bot is idle.
      const byMeaning = new Set<string>();
      for (const { question, paragraph } of missedByWords) if (paragraphShown(await askAs(question)) === paragraph) byMeaning.add(question);
      expect(byMeaning.size).toBeGreaterThanOrEqual(3);
      const meaningOnly = underLoad.filter((asked) => byMeaning.has(asked.question));
      const right = meaningOnly.filter((asked) => asked.right).length;
      expect(right / meaningOnly.length, JSON.stringify(meaningOnly.filter((asked) => !asked.right).map((asked) => asked.question))).toBeGreaterThanOrEqual(
        0.9,
      );
    } finally {
      await busy.stop();
    }
  }, 120_000);
});
