/**
 * Sharding end to end, against a fake Discord, with the count Discord recommends through the
 * bot's own REST base: `start:sharded` runs every shard in one process with one engine (the
 * default), or, with SHARDING_MODE=process, spawns one bot process per shard.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeDiscord, Permissions } from '../fake-discord/index.js';
import { repoRoot, validateDiscordRequest } from '../support/discordSpec.js';
import { BOT_TOKEN, EPHEMERAL, messageOf } from '../support/botHarness.js';

const ARTICLE = 'microsoft-china-partnerships.md';

let fake: FakeDiscord;
let parentDir: string;
let manager: ChildProcess;
let output = '';

/**
 * Starts `start:sharded` (one process per shard unless `extraEnv` says otherwise); its shards write
 * to the same stdout, so `output` holds every process's log.
 */
function startManager(corpusDir: string, extraEnv: NodeJS.ProcessEnv = {}, discord = fake): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/transports/gateway/shardManager.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_CLIENT_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      CORPUS_DIR: corpusDir,
      CACHE_DIR: path.join(parentDir, 'cache'),
      ASK_COOLDOWN_SECONDS: '0',
      LOG_PRETTY: 'false',
      SHARDING_MODE: 'process',
      ...extraEnv,
    },
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return child;
}

/** The JSON log lines written so far. */
function logs(): Array<Record<string, unknown>> {
  return output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** Asks on `shard`, again while it answers that it is still loading the articles (as a member would). */
async function ask(shard: number, { discord = fake, guildId }: { discord?: FakeDiscord; guildId?: string } = {}): Promise<void> {
  let sent;
  let callback;
  for (let attempt = 0; ; attempt++) {
    sent = discord.chatInput('ask', [{ name: 'question', type: 3, value: 'Which search engine will Edge use in China?' }], guildId ? { guildId } : { shard });
    callback = await discord.waitForCallback(sent.id, 10_000);
    if (!JSON.stringify(callback.body).includes('Still loading') || attempt === 50) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(sent.shard).toBe(shard);
  expect(validateDiscordRequest(callback.method, callback.path, callback.body)).toEqual([]);
  expect(messageOf(callback).embeds?.[0]?.footer?.text, JSON.stringify(callback.body)).toContain('paragraph 5');
}

beforeAll(async () => {
  parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-sharding-'));
  await cp(path.join(repoRoot, 'corpus'), path.join(parentDir, 'corpus'), { recursive: true });
  // Two shards in one identify bucket: both can start at once.
  fake = await FakeDiscord.start({ shards: 2, maxConcurrency: 2 });
  manager = startManager(path.join(parentDir, 'corpus'));
  await fake.waitForReady(2, 30_000);
}, 40_000);

afterAll(async () => {
  if (manager.exitCode === null) {
    manager.kill('SIGTERM');
    await once(manager, 'exit');
  }
  await fake.stop();
  await rm(parentDir, { recursive: true, force: true });
});

describe('npm run start:sharded with SHARDING_MODE=process', () => {
  it('asks the REST base for the shard count and starts each shard with its own shard array', () => {
    expect(fake.requests.some((request) => request.method === 'GET' && request.path === '/gateway/bot')).toBe(true);
    expect(fake.identifies.map((identify) => identify.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('answers an interaction on each shard', async () => {
    for (const shard of [0, 1]) await ask(shard);
  });

  it('reloads every shard from a /reload in one, reporting each', async () => {
    const sent = fake.chatInput('reload', [], { shard: 1, member: { permissions: Permissions.ManageGuild } });
    expect((await fake.waitForCallback(sent.id, 10_000)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    const edit = await fake.waitForWebhook(sent.token, (request) => request.method === 'PATCH', 10_000);
    expect(validateDiscordRequest(edit.method, edit.path, edit.body)).toEqual([]);
    const description = messageOf(edit).embeds![0]!.description!;
    expect(description).toMatch(/Shard 0: applied \(\d+ ms\)/);
    expect(description).toMatch(/Shard 1: applied \(\d+ ms\)/);
  });

  it('restarts a shard that dies, backing off while it cannot start, and keeps the others running', async () => {
    const shard1 = logs().find((line) => line.msg === 'shard started' && line.shard === 1)!;
    const stopped = () => logs().filter((line) => line.shard === 1 && line.msg === 'shard 1 stopped');
    // Without a single article a shard exits 1 as it starts, so its restart fails.
    const corpusDir = path.join(parentDir, 'corpus');
    await rename(path.join(corpusDir, ARTICLE), path.join(corpusDir, `${ARTICLE}.away`));
    process.kill(shard1.pid as number, 'SIGKILL');
    await vi.waitFor(() => expect(stopped()).toHaveLength(2), { timeout: 10_000, interval: 50 });

    const [killed, failed] = stopped();
    expect(killed).toMatchObject({ signal: 'SIGKILL' });
    expect(failed).toMatchObject({ exitCode: 1 });
    expect(failed!.restartInMs).toBe(2 * (killed!.restartInMs as number));
    expect(manager.exitCode).toBeNull();
    await ask(0);

    await rename(path.join(corpusDir, `${ARTICLE}.away`), path.join(corpusDir, ARTICLE));
    await fake.waitForReady(3, 15_000);
    await ask(1);
  }, 30_000);
});

describe('npm run start:sharded when a shard cannot start', () => {
  it('logs why and exits 1', async () => {
    output = '';
    const failing = startManager(path.join(parentDir, 'no-such-corpus'), { SHARD_COUNT: '2' });
    const [code] = (await once(failing, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(logs()).toContainEqual(expect.objectContaining({ level: 60, msg: expect.stringMatching(/^could not start the shards: .*Shard 0/) }));
  }, 20_000);
});

describe('npm run start:sharded (every shard in one process, the default)', () => {
  /** A second server, owned by shard 1 of 2. */
  const GUILD_ON_SHARD_1 = '1150000000004194304';
  let internal: FakeDiscord;
  let bot: ChildProcess;

  beforeAll(async () => {
    output = '';
    internal = await FakeDiscord.start({ shards: 2, maxConcurrency: 2, guildIds: [GUILD_ON_SHARD_1] });
    bot = startManager(path.join(parentDir, 'corpus'), { SHARDING_MODE: '' }, internal);
    await internal.waitForReady(2, 30_000);
  }, 40_000);

  afterAll(async () => {
    if (bot.exitCode === null) {
      bot.kill('SIGTERM');
      await once(bot, 'exit');
    }
    await internal.stop();
  });

  it('identifies every shard from one process with one engine, and answers a server on each', async () => {
    expect(internal.identifies.map((identify) => identify.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(logs()).toContainEqual(expect.objectContaining({ msg: 'starting every shard in this process', shards: 2, mode: 'internal' }));
    await ask(0, { discord: internal, guildId: internal.guildId });
    await ask(1, { discord: internal, guildId: GUILD_ON_SHARD_1 });
    // One engine for both shards: the corpus was opened once.
    expect(logs().filter((line) => line.msg === 'corpus loaded')).toHaveLength(1);
  });

  it('reloads the one engine once for a /reload, reporting once', async () => {
    const sent = internal.chatInput('reload', [], { guildId: GUILD_ON_SHARD_1, member: { permissions: Permissions.ManageGuild } });
    const edit = await internal.waitForWebhook(sent.token, (request) => request.method === 'PATCH', 10_000);
    expect(validateDiscordRequest(edit.method, edit.path, edit.body)).toEqual([]);
    const description = messageOf(edit).embeds![0]!.description!;
    expect(description).toMatch(/^1 article\(s\)/);
    expect(description).not.toMatch(/Shard \d/);
    // The log comes through the process's stdout, which may arrive after the reply.
    await expect.poll(() => logs().filter((line) => line.msg === 'corpus reloaded').length, { timeout: 5_000 }).toBe(1);
  });
});
