/**
 * Sharding end to end: `start:sharded`'s manager process spawns one bot process per shard,
 * with the count Discord recommends through the bot's own REST base, against a fake Discord.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord, Permissions } from './fake-discord/index.js';
import { repoRoot, validateDiscordRequest } from './support/discordSpec.js';
import { BOT_TOKEN, EPHEMERAL, messageOf } from './support/botHarness.js';

let fake: FakeDiscord;
let manager: ChildProcess;
let output = '';

beforeAll(async () => {
  // Two shards in one identify bucket: both can start at once.
  fake = await FakeDiscord.start({ shards: 2, maxConcurrency: 2 });
  manager = spawn(process.execPath, ['--import', 'tsx', 'src/bot/shardManager.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_CLIENT_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
      CORPUS_DIR: path.join(repoRoot, 'corpus'),
      ASK_COOLDOWN_SECONDS: '0',
      LOG_PRETTY: 'false',
    },
  });
  manager.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  manager.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await fake.waitForReady(2, 30_000);
}, 40_000);

afterAll(async () => {
  if (manager.exitCode === null) {
    manager.kill('SIGTERM');
    await once(manager, 'exit');
  }
  await fake.stop();
});

describe('npm run start:sharded', () => {
  it('asks the REST base for the shard count and starts each shard with its own shard array', () => {
    expect(fake.requests.some((request) => request.method === 'GET' && request.path === '/gateway/bot')).toBe(true);
    expect(fake.identifies.map((identify) => identify.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('answers an interaction on each shard', async () => {
    for (const shard of [0, 1]) {
      const sent = fake.chatInput('ask', [{ name: 'question', type: 3, value: 'Which search engine will Edge use in China?' }], { shard });
      const callback = await fake.waitForCallback(sent.id, 10_000);
      expect(sent.shard).toBe(shard);
      expect(validateDiscordRequest(callback.method, callback.path, callback.body)).toEqual([]);
      expect(messageOf(callback).embeds![0]!.footer!.text).toContain('paragraph 5');
    }
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
});
