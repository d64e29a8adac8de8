/**
 * Starts the real bot against a FakeDiscord on 127.0.0.1, and checks what it sends. End-to-end
 * tests use this. Either transport: the gateway bot (createBot + the real discord.js client),
 * or an HTTP worker (createHttpWorker) to which the fake POSTs signed interactions, as Discord
 * does for an Interactions Endpoint URL. Both run the real command list.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { commands } from '../../src/app/commands/index.js';
import type { BotConfig } from '../../src/runtime/config.js';
import type { CorpusChanges } from '../../src/app/corpusChanges/corpusChanges.js';
import { createBot, type Bot, type BotOptions } from '../../src/transports/gateway/createBot.js';
import type { FeedbackLog } from '../../src/app/feedbackLog.js';
import { createLogger } from '../../src/runtime/logger.js';
import type { Metrics } from '../../src/runtime/metrics.js';
import { Engine, type EngineOptions } from '../../src/engine/Engine.js';
import { createHttpWorker, type HttpWorker, type HttpWorkerOptions } from '../../src/transports/http/httpWorker.js';
import { openDatabaseStore } from '../../src/store/databaseStore.js';
import { FakeDiscord, type FakeDiscordOptions, type RecordedRequest, type SentInteraction } from '../fake-discord/index.js';
import { validateDiscordRequest } from './discordSpec.js';
import { testConfig } from './testConfig.js';

export { BOT_TOKEN } from './testConfig.js';

/** How interactions reach the bot: over discord.js's gateway connection, or POSTed to its HTTP endpoint. */
export type Transport = 'gateway' | 'http';
export const TRANSPORTS: readonly Transport[] = ['gateway', 'http'];

export interface HarnessOptions {
  config?: Partial<BotConfig>;
  fake?: FakeDiscordOptions;
  /** Gateway only. */
  clientOptions?: BotOptions['clientOptions'];
  /** How corpus files are changed (default: the bot's own, in worker threads). */
  corpusTasks?: BotOptions['corpusTasks'];
  /** HTTP only. */
  http?: Partial<Pick<HttpWorkerOptions, 'holdAfterMs' | 'maxBodyBytes' | 'signalPollMs' | 'connectionLimits'>>;
  /** A database's connection string: the bot keeps articles and feedback there (DATABASE_URL), following its changes. */
  database?: string;
  /** Engine timeouts, for tests of a slow or stuck engine; a worker entry that wraps the real one; a damaged model's folder. */
  engine?: Partial<Pick<EngineOptions, 'queryTimeoutMs' | 'openTimeoutMs' | 'workerUrl' | 'modelDir'>>;
}

/** What tests of either transport use. */
export interface Harness {
  transport: Transport;
  fake: FakeDiscord;
  engine: Engine;
  corpus: CorpusChanges;
  feedback: FeedbackLog;
  metrics: Metrics;
  config: BotConfig;
  /** Every log line the bot wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Raw log output, to check that no secret appears anywhere. */
  rawLogs(): string;
  /** Waits for the interaction's callback and checks its body against Discord's OpenAPI description. */
  callback(sent: SentInteraction): Promise<RecordedRequest>;
  /** Waits for a follow-up or edit on the interaction's webhook, checked likewise. */
  webhook(sent: SentInteraction, predicate?: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Problems with any body the bot has sent so far (every one is validated). */
  invalidRequests(): string[];
  stop(): Promise<void>;
}

export interface BotHarness extends Harness {
  bot: Bot;
}

export interface HttpHarness extends Harness {
  worker: HttpWorker;
  /** The worker's origin, e.g. http://127.0.0.1:41234. */
  origin: string;
  /** The application's private key: what Discord signs with. */
  privateKey: KeyObject;
}

export function startBot(options: HarnessOptions = {}): Promise<BotHarness> {
  return start('gateway', options) as Promise<BotHarness>;
}

export function startHttpWorker(options: HarnessOptions = {}): Promise<HttpHarness> {
  return start('http', options) as Promise<HttpHarness>;
}

export function startHarness(transport: Transport, options: HarnessOptions = {}): Promise<Harness> {
  return start(transport, options);
}

/** A new Ed25519 key pair, the public key as the 64 hex digits the Developer Portal shows. */
export function applicationKeys(): { publicKeyHex: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKeyHex: Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex'), privateKey };
}

async function start(transport: Transport, options: HarnessOptions): Promise<BotHarness | HttpHarness> {
  const fake = await FakeDiscord.start(options.fake);
  // Each bot records feedback in a folder of its own, so tests can count what it wrote.
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-cache-'));
  const keys = applicationKeys();
  const config = testConfig({
    clientId: fake.applicationId,
    apiUrl: fake.apiUrl,
    cdnUrl: fake.cdnUrl,
    logLevel: 'info',
    cacheDir,
    publicKey: keys.publicKeyHex,
    ...(options.database && { databaseUrl: options.database }),
    ...options.config,
  });
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
  const engine = new Engine({ dir: config.corpusDir, cacheDir: config.cacheDir, semantic: config.semantic, logger, ...options.engine });
  await engine.ready;
  const store = config.databaseUrl ? openDatabaseStore({ databaseUrl: config.databaseUrl, corpusDir: config.corpusDir, cacheDir, logger }) : undefined;

  const checked = (request: RecordedRequest) => {
    const problems = validateDiscordRequest(request.method, request.path, request.body);
    expect(problems, `${request.method} ${request.path} ${JSON.stringify(request.body)}`).toEqual([]);
    return request;
  };
  const common: Omit<Harness, 'corpus' | 'feedback' | 'metrics' | 'stop'> = {
    transport,
    fake,
    engine,
    config,
    logs,
    rawLogs: () => raw,
    callback: async (sent) => checked(await fake.waitForCallback(sent.id)),
    webhook: async (sent, predicate, timeoutMs) => checked(await fake.waitForWebhook(sent.token, predicate, timeoutMs)),
    invalidRequests: () =>
      fake.requests
        .filter((request) => request.body !== undefined && request.method !== 'GET')
        .flatMap((request) =>
          validateDiscordRequest(request.method, request.path, request.body).map((problem) => `${request.method} ${request.path}: ${problem}`),
        ),
  };
  const cleanUp = async () => {
    await engine.close();
    await fake.stop();
    await rm(cacheDir, { recursive: true, force: true });
  };
  if (transport === 'gateway') {
    const bot = createBot({
      config,
      engine,
      logger,
      commands,
      clientOptions: { shards: 0, shardCount: 1, ...options.clientOptions },
      corpusTasks: options.corpusTasks,
      store,
    });
    await bot.start();
    const { corpus, feedback, metrics } = bot;
    return { ...common, bot, corpus, feedback, metrics, stop: async () => (await bot.stop(), await cleanUp()) };
  }
  const worker = createHttpWorker({ config, engine, logger, commands, store, ...options.http });
  const origin = `http://127.0.0.1:${await worker.listen(0, '127.0.0.1')}`;
  fake.useInteractionsEndpoint(`${origin}/interactions`, keys.privateKey);
  const { corpus, feedback, metrics } = worker;
  return { ...common, worker, origin, privateKey: keys.privateKey, corpus, feedback, metrics, stop: async () => (await worker.close(), await cleanUp()) };
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
