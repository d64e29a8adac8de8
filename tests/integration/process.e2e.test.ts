/**
 * The bot as an operator runs it: real processes (the deploy script, the bot's and the HTTP
 * endpoint's entry points, and `npm start`), configured through the environment, against a
 * fake Discord.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fake-discord/index.js';
import { repoRoot, validateDiscordRequest } from '../support/discordSpec.js';
import { BOT_TOKEN, applicationKeys } from '../support/botHarness.js';
import { botProcessEnv } from '../support/processEnv.js';

const run = promisify(execFile);
const TSX = ['--import', 'tsx'];

/** Where the bots started here record feedback: not the repository's own ./.cache. */
const cacheDir = path.join(os.tmpdir(), `citebot-process-cache-${process.pid}`);

const botEnv = (fake: FakeDiscord, extra: Record<string, string> = {}) =>
  botProcessEnv(fake, { CORPUS_DIR: path.join(repoRoot, 'corpus'), CACHE_DIR: cacheDir, ...extra });

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
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
    const script = [...TSX, 'src/transports/gateway/deployCommands.ts'];
    const global = await run(process.execPath, script, { cwd: repoRoot, env: botEnv(fake) });
    expect(global.stdout).toMatch(/^Registered 8 commands globally: ask, search, sources, help, reload, corpus, feedback, Ask the article\.$/m);
    const put = fake.requests.find((request) => request.method === 'PUT' && request.path === `/applications/${fake.applicationId}/commands`)!;
    expect(validateDiscordRequest(put.method, put.path, put.body)).toEqual([]);
    expect(fake.commands.global).toHaveLength(8);
    const moderatorCommands = (put.body as Array<{ name: string; default_member_permissions?: string }>).filter((command) =>
      ['reload', 'corpus', 'feedback'].includes(command.name),
    );
    expect(moderatorCommands.map((command) => command.default_member_permissions)).toEqual(['32', '32', '32']); // Manage Server

    const guild = await run(process.execPath, script, { cwd: repoRoot, env: botEnv(fake, { DISCORD_GUILD_ID: fake.guildId }) });
    expect(guild.stdout).toContain(`in server ${fake.guildId}`);
    expect(fake.commands.guild.get(fake.guildId)).toHaveLength(8);
  });
});

describe('npm start', () => {
  it('without a token, exits 1 with a clear message and no stack trace', async () => {
    const result = await run('npm', ['start', '--silent'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DISCORD_TOKEN: '', DISCORD_CLIENT_ID: '' },
    }).catch((error: { code: number; stderr: string; stdout: string }) => error);
    expect('code' in result && result.code).toBe(1);
    expect(result.stderr).toContain('DISCORD_TOKEN is missing');
    expect(result.stderr).toContain('DISCORD_CLIENT_ID is missing');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('the running bot process', () => {
  let bot: ChildProcess;
  let stdout = '';
  let metricsPort = 0;
  const logLines = () =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    metricsPort = await freePort();
    bot = spawn(process.execPath, [...TSX, 'src/transports/gateway/main.ts'], {
      cwd: repoRoot,
      env: botEnv(fake, { SHARD_COUNT: '4', SHARDS: '2', METRICS_PORT: String(metricsPort) }),
    });
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

  it('serves /healthz and /metrics on METRICS_PORT, to this machine only unless METRICS_HOST says otherwise', async () => {
    await expect.poll(() => logLines().some((line) => line.msg === 'serving /metrics and /healthz'), { timeout: 5000 }).toBe(true);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).toMatch(/^citebot_interactions_total\{command="ask",outcome="ok"\} 1$/m);
    // Another loopback address stands for every other interface: listening on all of them would answer it.
    await expect(fetch(`http://127.0.0.2:${metricsPort}/healthz`)).rejects.toThrow();
  });

  it('reloads the corpus on SIGHUP and keeps running', async () => {
    bot.kill('SIGHUP');
    // A reload opens the corpus in a new worker of a separate process: seconds, more on a busy machine.
    await expect.poll(() => logLines().some((line) => line.msg === 'corpus reloaded' && line.actorId === 'SIGHUP'), { timeout: 20_000 }).toBe(true);
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

describe('npm run start:http', () => {
  it('without DISCORD_PUBLIC_KEY, exits 1 saying where to find it', async () => {
    const result = await run(process.execPath, [...TSX, 'src/transports/http/main.ts'], { cwd: repoRoot, env: botEnv(fake) }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect('code' in result && result.code).toBe(1);
    expect(result.stderr).toContain('DISCORD_PUBLIC_KEY is missing');
  });

  it('serves signed interactions on HTTP_PORT at HTTP_HOST, and exits 0 on SIGTERM', async () => {
    const endpointFake = await FakeDiscord.start();
    const keys = applicationKeys();
    const port = await freePort();
    const worker = spawn(process.execPath, [...TSX, 'src/transports/http/main.ts'], {
      cwd: repoRoot,
      env: botEnv(endpointFake, { DISCORD_PUBLIC_KEY: keys.publicKeyHex, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.2' }),
    });
    let stdout = '';
    worker.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      const origin = `http://127.0.0.2:${port}`;
      await expect
        .poll(
          () =>
            fetch(`${origin}/healthz`).then(
              (response) => response.status,
              () => 0,
            ),
          { timeout: 15_000, interval: 100 },
        )
        .toBe(200);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      endpointFake.useInteractionsEndpoint(`${origin}/interactions`, keys.privateKey);
      const callback = await endpointFake.waitForCallback(
        endpointFake.chatInput('ask', [{ name: 'question', type: 3, value: 'Who is Microsoft’s China cloud partner?' }]).id,
      );
      expect(JSON.stringify(callback.body)).toContain('21Vianet');
      worker.kill('SIGTERM');
      const [code] = await once(worker, 'exit');
      expect(code).toBe(0);
      expect(stdout).not.toContain(BOT_TOKEN);
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
      await endpointFake.stop();
    }
  });
});
