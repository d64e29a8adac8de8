/**
 * Several hosts behind a load balancer, as an operator runs them with DATABASE_URL: two
 * `start:http` processes on 127.0.0.1, each with its own copy of the corpus and its own cache
 * folder, one PostgreSQL server between them (this file's own, so that it can be stopped and
 * started again), each process against a fake Discord of its own. What a moderator changes through
 * one host is answered, or no longer, by the other; quotas hold across both; with the database
 * down, answers go on and changes are refused plainly, and once it is back both follow again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeDiscord, Permissions, type SentInteraction } from '../fake-discord/index.js';
import { applicationKeys, BOT_TOKEN, messageOf } from '../support/botHarness.js';
import { moderatorOutcome, uploadArticle } from '../support/corpusUploads.js';
import { repoRoot } from '../support/discordSpec.js';
import { freePort, startPostgres, type PostgresServer } from '../support/postgres.js';
import { botProcessEnv } from '../support/processEnv.js';

const SUBCOMMAND = 1;
const STRING = 3;
const moderator = { userId: '1000000000000000077', permissions: Permissions.ManageGuild };
/** Long enough for a busy machine (each test's own limit allows for several such waits); the figure itself is in docs/operations.md. */
const FOLLOWS_WITHIN_MS = 15_000;

const article = (id: string, word: string) => `---
id: ${id}
title: The ${word} report
author: A. Writer
publisher: Gazette
published: 2021-03-04
url: https://example.com/${id}
---

The ${word} was sighted twice over the harbour last winter, according to the ${word} report of the coast guard.
`;

interface Host {
  name: string;
  fake: FakeDiscord;
  process: ChildProcess;
  origin: string;
  stdout(): string;
}

let database: PostgresServer;
let parent: string;
const hosts: Host[] = [];

async function startHost(name: string, databaseUrl: string): Promise<Host> {
  const fake = await FakeDiscord.start();
  const keys = applicationKeys();
  const port = await freePort();
  const corpusDir = path.join(parent, name, 'corpus');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/transports/http/main.ts'], {
    cwd: repoRoot,
    env: botProcessEnv(fake, {
      CORPUS_DIR: corpusDir,
      CACHE_DIR: path.join(parent, name, 'cache'),
      DATABASE_URL: databaseUrl,
      DISCORD_PUBLIC_KEY: keys.publicKeyHex,
      DISCORD_CDN_URL: fake.cdnUrl,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      SEMANTIC: 'false',
      ASK_COOLDOWN_SECONDS: '0',
      SERVER_MAX_ARTICLES: '2',
    }),
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const origin = `http://127.0.0.1:${port}`;
  fake.useInteractionsEndpoint(`${origin}/interactions`, keys.privateKey);
  const host = { name, fake, process: child, origin, stdout: () => stdout };
  hosts.push(host);
  return host;
}

/** What /healthz says (`code`: its HTTP status), or undefined while the process does not answer. */
const health = (host: Host) =>
  fetch(`${host.origin}/healthz`).then(
    async (response) => ({ code: response.status, ...((await response.json()) as { status?: string; store?: string }) }),
    () => undefined,
  );

/** A bot process answers later than one in the test's own process: a change's reply waits for its reload. */
const REPLY_WITHIN_MS = 30_000;

const harnessOf = (host: Host) => ({
  fake: host.fake,
  callback: (sent: SentInteraction) => host.fake.waitForCallback(sent.id, REPLY_WITHIN_MS),
  webhook: (sent: SentInteraction, predicate?: Parameters<FakeDiscord['waitForWebhook']>[1], timeoutMs = REPLY_WITHIN_MS) =>
    host.fake.waitForWebhook(sent.token, predicate, timeoutMs),
});

/** A moderator's `/corpus add` of `content` through `host`; the line they are told. */
async function add(host: Host, filename: string, content: string): Promise<string> {
  const sent = uploadArticle(harnessOf(host), host.fake.guildId, moderator, filename, content);
  return (await moderatorOutcome(harnessOf(host), sent)).content ?? '';
}

async function remove(host: Host, documentId: string): Promise<string> {
  const sent = host.fake.chatInput('corpus', [{ name: 'remove', type: SUBCOMMAND, options: [{ name: 'document', type: STRING, value: documentId }] }], {
    member: moderator,
  });
  return (await moderatorOutcome(harnessOf(host), sent)).content ?? '';
}

/** A member's `/ask` through `host`: everything the answer shows, as text. */
async function ask(host: Host, question: string): Promise<string> {
  const sent = host.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }]);
  const callback = await host.fake.waitForCallback(sent.id, REPLY_WITHIN_MS);
  const answered =
    (callback.body as { type: number }).type === 5
      ? await host.fake.waitForWebhook(sent.token, (request) => request.method === 'PATCH', REPLY_WITHIN_MS)
      : callback;
  return JSON.stringify(messageOf(answered));
}

/** Asks until the answer matches `wanted` (or no longer does); resolves with how long that took. */
async function answeredWithin(host: Host, question: string, wanted: RegExp, present = true): Promise<number> {
  const started = performance.now();
  await expect.poll(async () => wanted.test(await ask(host, question)) === present, { timeout: FOLLOWS_WITHIN_MS, interval: 100 }).toBe(true);
  return performance.now() - started;
}

beforeAll(async () => {
  parent = await mkdtemp(path.join(os.tmpdir(), 'citebot-hosts-'));
  database = await startPostgres();
  const databaseUrl = await database.createDatabase('citebot');
  await Promise.all([startHost('a', databaseUrl), startHost('b', databaseUrl)]);
  // Answering (200), and following the database.
  for (const host of hosts)
    await vi.waitFor(async () => expect(await health(host)).toMatchObject({ code: 200, store: 'available' }), { timeout: 60_000, interval: 200 });
}, 90_000);

afterAll(async () => {
  for (const host of hosts) {
    if (host.process.exitCode === null) {
      host.process.kill('SIGTERM');
      await once(host.process, 'exit');
    }
    await host.fake.stop();
  }
  await database?.destroy();
  await rm(parent, { recursive: true, force: true });
}, 60_000);

describe('two hosts on one database', () => {
  it('answer on one host what a moderator added through the other, and no longer once removed through the second', async () => {
    const [a, b] = hosts as [Host, Host];
    expect(await add(a, 'puffins.md', article('puffins', 'puffin'))).toMatch(/^Added `puffins\.md`/);
    await answeredWithin(b, 'When was the puffin sighted over the harbour?', /The puffin report/);
    expect(await remove(b, 'puffins')).toMatch(/^Moved `puffins\.md`/);
    await answeredWithin(a, 'When was the puffin sighted over the harbour?', /The puffin report/, false);
  }, 60_000);

  it('let exactly one of two adds at a server’s last free slot in, one through each host at once', async () => {
    const [a, b] = hosts as [Host, Host];
    expect(await add(a, 'gannets.md', article('gannets', 'gannet'))).toMatch(/^Added/);
    const outcomes = await Promise.all([add(a, 'herons.md', article('herons', 'heron')), add(b, 'terns.md', article('terns', 'tern'))]);
    expect(outcomes.filter((outcome) => outcome.startsWith('Added'))).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.startsWith('Not added: a server may have at most 2 articles'))).toHaveLength(1);
  }, 60_000);

  it('go on answering with the database down, refuse changes plainly, and follow again once it is back, without a restart', async () => {
    const [a, b] = hosts as [Host, Host];
    await database.stop();
    for (const host of hosts) {
      await expect
        .poll(async () => await health(host), { timeout: 30_000, interval: 200 })
        .toMatchObject({ code: 200, status: 'degraded', store: 'unavailable' });
      expect(await ask(host, 'When was the gannet sighted over the harbour?')).toMatch(/The gannet report/);
      const metrics = await (await fetch(`${host.origin}/metrics`)).text();
      expect(metrics).toMatch(/^citebot_store_available 0$/m);
      expect(metrics).toMatch(/^citebot_store_errors_total\{operation="listen"\} [1-9]/m);
    }
    expect(await add(a, 'ospreys.md', article('ospreys', 'osprey'))).toBe('Storage is unavailable, try again shortly.');
    expect(await remove(b, 'gannets')).toBe('Storage is unavailable, try again shortly.');

    await database.start();
    // Neither host restarted: each reconnects by itself.
    for (const host of hosts) await expect.poll(async () => (await health(host))?.store, { timeout: 30_000, interval: 200 }).toBe('available');
    // Nothing of the refused changes was written: the article refused removal is still answered, the one refused is added as new.
    expect(await ask(a, 'When was the gannet sighted over the harbour?')).toMatch(/The gannet report/);
    expect(await remove(b, 'gannets')).toMatch(/^Moved `gannets\.md`/);
    await answeredWithin(a, 'When was the gannet sighted over the harbour?', /The gannet report/, false);
    expect(await add(a, 'ospreys.md', article('ospreys', 'osprey'))).toMatch(/^Added `ospreys\.md`/);
    await answeredWithin(b, 'When was the osprey sighted over the harbour?', /The osprey report/);
  }, 120_000);

  it('never log the database’s password', () => {
    const password = new URL(database.url()).password;
    for (const host of hosts) {
      expect(host.stdout()).not.toContain(password);
      expect(host.stdout()).not.toContain(BOT_TOKEN);
    }
  });
});
