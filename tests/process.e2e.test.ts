/**
 * The bot as an operator runs it: real processes (the deploy script, the bot's entry point, and
 * `npm start`), configured through the environment, against a fake Discord.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from './fake-discord/index.js';
import { repoRoot, validateDiscordRequest } from './support/discordSpec.js';
import { BOT_TOKEN } from './support/botHarness.js';

const run = promisify(execFile);
const TSX = ['--import', 'tsx'];

/** Where the bots started here record feedback: not the repository's own ./.cache. */
const cacheDir = path.join(os.tmpdir(), `citebot-process-cache-${process.pid}`);

/** A clean environment: nothing from the developer's shell or .env leaks in (dotenv never overrides). */
function botEnv(fake: FakeDiscord, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_CLIENT_ID: fake.applicationId,
    DISCORD_GUILD_ID: '',
    DISCORD_API_URL: fake.apiUrl,
    CORPUS_DIR: path.join(repoRoot, 'corpus'),
    CACHE_DIR: cacheDir,
    LOG_LEVEL: 'info',
    LOG_PRETTY: 'false',
    ...extra,
  };
}

let fake: FakeDiscord;
beforeAll(async () => {
  fake = await FakeDiscord.start();
});
afterAll(async () => {
  await fake.stop();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('npm run deploy-commands', () => {
  it('registers every command globally, and in one server with DISCORD_GUILD_ID, as Discord accepts them', async () => {
    const script = [...TSX, 'src/bot/deployCommands.ts'];
    const global = await run(process.execPath, script, { cwd: repoRoot, env: botEnv(fake) });
    expect(global.stdout).toMatch(/^Registered 8 commands globally: ask, search, sources, help, reload, corpus, feedback, Ask the article\.$/m);
    const put = fake.requests.find((request) => request.method === 'PUT' && request.path === `/applications/${fake.applicationId}/commands`)!;
    expect(validateDiscordRequest(put.method, put.path, put.body)).toEqual([]);
    expect(fake.commands.global).toHaveLength(8);
    const moderatorCommands = (put.body as Array<{ name: string; default_member_permissions?: string }>).filter((command) => ['reload', 'corpus', 'feedback'].includes(command.name));
    expect(moderatorCommands.map((command) => command.default_member_permissions)).toEqual(['32', '32', '32']); // Manage Server

    const guild = await run(process.execPath, script, { cwd: repoRoot, env: botEnv(fake, { DISCORD_GUILD_ID: fake.guildId }) });
    expect(guild.stdout).toContain(`in server ${fake.guildId}`);
    expect(fake.commands.guild.get(fake.guildId)).toHaveLength(8);
  });
});

describe('npm start', () => {
  it('without a token, exits 1 with a clear message and no stack trace', async () => {
    const result = await run('npm', ['start', '--silent'], { cwd: repoRoot, env: { PATH: process.env.PATH, HOME: process.env.HOME, DISCORD_TOKEN: '', DISCORD_CLIENT_ID: '' } }).catch(
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect('code' in result && result.code).toBe(1);
    expect(result.stderr).toContain('DISCORD_TOKEN is missing');
    expect(result.stderr).toContain('DISCORD_CLIENT_ID is missing');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('the running bot process', () => {
  let bot: ChildProcess;
  let stdout = '';
  const logLines = () => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    bot = spawn(process.execPath, [...TSX, 'src/bot/main.ts'], { cwd: repoRoot, env: botEnv(fake, { SHARD_COUNT: '4', SHARDS: '2' }) });
    bot.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await fake.waitForReady(1, 15_000);
  });
  afterAll(() => {
    if (bot.exitCode === null) bot.kill('SIGKILL');
  });

  it('runs one shard even when SHARD_COUNT is set in the environment, and answers once the corpus is loaded', async () => {
    expect(fake.identifies.at(-1)!.shard).toEqual([0, 1]);
    await expect.poll(() => logLines().some((line) => line.msg === 'corpus loaded'), { timeout: 10_000 }).toBe(true);
    const sent = fake.chatInput('ask', [{ name: 'question', type: 3, value: 'Who is Microsoft’s China cloud partner?' }]);
    const callback = await fake.waitForCallback(sent.id);
    expect(JSON.stringify(callback.body)).toContain('21Vianet');
  });

  it('reloads the corpus on SIGHUP and keeps running', async () => {
    bot.kill('SIGHUP');
    await expect.poll(() => logLines().some((line) => line.msg === 'corpus reloaded' && line.actorId === 'SIGHUP'), { timeout: 5000 }).toBe(true);
    expect(bot.exitCode).toBeNull();
  });

  it('closes the gateway and exits 0 on SIGTERM, having never logged the token', async () => {
    bot.kill('SIGTERM');
    const [code] = await once(bot, 'exit');
    expect(code).toBe(0);
    expect(logLines().some((line) => line.msg === 'shutting down' && line.signal === 'SIGTERM')).toBe(true);
    expect(stdout).not.toContain(BOT_TOKEN);
  });
});
