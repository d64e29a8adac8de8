/**
 * Starts the real bot (createBot + the real command list + the real discord.js client) against
 * a FakeDiscord on 127.0.0.1, and checks what it sends. End-to-end tests use this.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { commands } from '../../src/bot/commands/index.js';
import type { BotConfig } from '../../src/bot/config.js';
import { createBot, type Bot, type BotOptions } from '../../src/bot/createBot.js';
import { createLogger } from '../../src/bot/logger.js';
import { Engine, type EngineOptions } from '../../src/engine/Engine.js';
import { FakeDiscord, type FakeDiscordOptions, type RecordedRequest, type SentInteraction } from '../fake-discord/index.js';
import { validateDiscordRequest } from './discordSpec.js';
import { testConfig } from './testConfig.js';

export { BOT_TOKEN } from './testConfig.js';

export interface HarnessOptions {
  config?: Partial<BotConfig>;
  fake?: FakeDiscordOptions;
  clientOptions?: BotOptions['clientOptions'];
  /** How corpus files are changed (default: the bot's own, in worker threads). */
  corpusTasks?: BotOptions['corpusTasks'];
  /** Engine timeouts, for tests of a slow or stuck engine. */
  engine?: Partial<Pick<EngineOptions, 'queryTimeoutMs' | 'openTimeoutMs'>>;
}

export interface BotHarness {
  fake: FakeDiscord;
  bot: Bot;
  library: Engine;
  config: BotConfig;
  /** Every log line the bot wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Raw log output, to check that no secret appears anywhere. */
  rawLogs(): string;
  /** Waits for the interaction's callback and checks its body against Discord's OpenAPI description. */
  callback(sent: SentInteraction): Promise<RecordedRequest>;
  /** Waits for a follow-up or edit on the interaction's webhook, checked likewise. */
  webhook(sent: SentInteraction, predicate?: (request: RecordedRequest) => boolean): Promise<RecordedRequest>;
  /** Problems with any body the bot has sent so far (every one is validated). */
  invalidRequests(): string[];
  stop(): Promise<void>;
}

export async function startBot(options: HarnessOptions = {}): Promise<BotHarness> {
  const fake = await FakeDiscord.start(options.fake);
  // Each bot records feedback in a folder of its own, so tests can count what it wrote.
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-cache-'));
  const config = testConfig({ clientId: fake.applicationId, apiUrl: fake.apiUrl, cdnUrl: fake.cdnUrl, logLevel: 'info', cacheDir, ...options.config });
  let raw = '';
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger(config, sink);
  const library = new Engine({ dir: config.corpusDir, cacheDir: config.cacheDir, semantic: config.semantic, logger, ...options.engine });
  await library.ready;
  const bot = createBot({ config, library, logger, commands, clientOptions: { shards: 0, shardCount: 1, ...options.clientOptions }, corpusTasks: options.corpusTasks });
  await bot.start();

  const checked = (request: RecordedRequest) => {
    const problems = validateDiscordRequest(request.method, request.path, request.body);
    expect(problems, `${request.method} ${request.path} ${JSON.stringify(request.body)}`).toEqual([]);
    return request;
  };
  return {
    fake,
    bot,
    library,
    config,
    logs,
    rawLogs: () => raw,
    callback: async (sent) => checked(await fake.waitForCallback(sent.id)),
    webhook: async (sent, predicate) => checked(await fake.waitForWebhook(sent.token, predicate)),
    invalidRequests: () =>
      fake.requests
        .filter((request) => request.body !== undefined && request.method !== 'GET')
        .flatMap((request) => validateDiscordRequest(request.method, request.path, request.body).map((problem) => `${request.method} ${request.path}: ${problem}`)),
    async stop() {
      await bot.stop();
      await library.close();
      await fake.stop();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}

/** The message data of a type 4/7 callback, or of a webhook edit/follow-up. */
export function messageOf(request: RecordedRequest): {
  content?: string;
  embeds?: Array<{ title?: string; description?: string; url?: string; footer?: { text: string }; fields?: Array<{ name: string; value: string }> }>;
  components?: Array<{ components: Array<{ custom_id?: string; label?: string; emoji?: { name: string }; url?: string; style: number }> }>;
  flags?: number;
  allowed_mentions?: { parse?: string[] };
  choices?: Array<{ name: string; value: string }>;
} {
  const body = request.body as { type?: number; data?: unknown };
  return (request.path.endsWith('/callback') ? body.data : body) as ReturnType<typeof messageOf>;
}

export const EPHEMERAL = 1 << 6;
