/**
 * Section 4: `/ask` end to end. The real bot (createBot, the real commands, discord.js) runs in
 * this process against the fake Discord on 127.0.0.1; interactions arrive over its gateway and
 * the bot's callbacks over HTTP, so latency covers JSON, sockets, discord.js and the engine.
 * Bot and fake share one event loop, so the fake's own work counts in the latency: callbacks are
 * therefore collected by reading `fake.requests` once (see `watchCallbacks`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { commands } from '../../src/app/commands/index.js';
import { createBot } from '../../src/transports/gateway/createBot.js';
import { createLogger } from '../../src/runtime/logger.js';
import { SOMETHING_WENT_WRONG, STILL_LOADING, TOO_SLOW } from '../../src/app/router.js';
import { Engine } from '../../src/engine/Engine.js';
import { FakeDiscord, type RecordedRequest } from '../fake-discord/index.js';
import { loadQuestionSet } from '../support/questionSet.js';
import { loadSquadQuestions } from '../support/questionSets.js';
import { testConfig } from '../support/testConfig.js';
import { ARTICLE_DIR } from './article.js';
import { percentile, settledHeapBytes } from './measure.js';

export interface EndToEndOptions {
  interactions: number;
  concurrency: number;
  /** Answer by meaning as well as words (the bot's default); timed once the passages' vectors are ready. */
  semantic?: boolean;
  /**
   * 'asked before' (the default): the question set, each asked once untimed, then cycled, so
   * question vectors are remembered. 'new': SQuAD's questions, none asked before, each once (as
   * many interactions as there are questions): every question costs the model a pass.
   */
  questions?: 'asked before' | 'new';
}

/** What a burst of `/ask`s measured. */
export interface BurstStats extends EndToEndOptions {
  /** From the fake dispatching INTERACTION_CREATE to it receiving the callback. */
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
  /** Callbacks that never came (or came too late for the fake's 3 s deadline), or apologised. */
  errors: number;
}

export interface EndToEndReport extends BurstStats {
  /** Timed questions the encoder could not get to in time (a burst of new ones), answered by words alone. */
  turnedAway: number;
  rssBeforeMB: number;
  rssAfterMB: number;
  /** Live heap after a full collection, before and after: growth here would be a leak. */
  heapBeforeMB: number;
  heapAfterMB: number;
}

const STRING_OPTION = 3;
/** How long to wait for a callback before counting an error (Discord's deadline is 3 s). */
const CALLBACK_TIMEOUT_MS = 5_000;
const CALLBACK_PATH = /^\/interactions\/(\d+)\/[^/]+\/callback$/;

/**
 * Waits for interactions' accepted callbacks by reading each new recorded request once.
 * `fake.waitForCallback` re-scans every recorded request for every waiter on each request: with
 * 50 waiting and 1,000 interactions that cost the shared event loop more than the bot itself
 * (3/4 of the CPU; p50 140 ms instead of ~25 ms). Latency comes from the fake's own receive time,
 * so polling adds none to it.
 */
export function watchCallbacks(fake: FakeDiscord) {
  const waiting = new Map<string, { resolve: (request: RecordedRequest) => void; reject: (error: Error) => void; deadline: number }>();
  let cursor = 0;
  const timer = setInterval(() => {
    for (; cursor < fake.requests.length; cursor++) {
      const request = fake.requests[cursor]!;
      const id = request.method === 'POST' ? CALLBACK_PATH.exec(request.path)?.[1] : undefined;
      const waiter = id === undefined ? undefined : waiting.get(id);
      if (waiter && request.status !== undefined && request.status < 300) {
        waiting.delete(id!);
        waiter.resolve(request);
      }
    }
    const now = performance.now();
    for (const [id, waiter] of waiting) {
      if (now > waiter.deadline) {
        waiting.delete(id);
        waiter.reject(new Error(`no accepted callback for interaction ${id}`));
      }
    }
  }, 1);
  return {
    callback: (id: string) =>
      new Promise<RecordedRequest>((resolve, reject) => waiting.set(id, { resolve, reject, deadline: performance.now() + CALLBACK_TIMEOUT_MS })),
    /** After `fake.forgetHistory()`: read the fresh record from its start. */
    restart: () => (cursor = 0),
    stop: () => clearInterval(timer),
  };
}

export type CallbackWatcher = ReturnType<typeof watchCallbacks>;

/** Whether an accepted callback is an answer rather than an apology (not ready, too slow, failed). */
export function isAnswer(callback: RecordedRequest): boolean {
  const body = JSON.stringify(callback.body);
  return ![STILL_LOADING, TOO_SLOW, SOMETHING_WENT_WRONG].some((apology) => body.includes(apology));
}

/**
 * Sends `interactions` `/ask`s (cycling through `questions`), `concurrency` at a time; each
 * outcome goes to `record`: dispatch-to-callback milliseconds, or 'error' (no callback, or an apology).
 */
export async function askConcurrently(
  fake: FakeDiscord,
  callbacks: CallbackWatcher,
  questions: readonly string[],
  { interactions, concurrency }: EndToEndOptions,
  record: (outcome: number | 'error') => void,
): Promise<void> {
  let sent = 0;
  const worker = async () => {
    while (sent < interactions) {
      const interaction = fake.chatInput('ask', [{ name: 'question', type: STRING_OPTION, value: questions[sent++ % questions.length]! }]);
      try {
        const callback = await callbacks.callback(interaction.id);
        record(isAnswer(callback) ? callback.receivedAt - interaction.sentAt : 'error');
      } catch {
        record('error');
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** `askConcurrently`, timed. */
export async function timedBurst(
  fake: FakeDiscord,
  callbacks: CallbackWatcher,
  questions: readonly string[],
  options: EndToEndOptions,
  onProgress?: (fraction: number) => void,
): Promise<BurstStats> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await askConcurrently(fake, callbacks, questions, options, (outcome) => {
    if (outcome === 'error') errors += 1;
    else latencies.push(outcome);
    onProgress?.((latencies.length + errors) / options.interactions);
  });
  const wallMs = performance.now() - started;
  return { ...options, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), perSecond: (options.interactions / wallMs) * 1000, errors };
}

export async function benchEndToEnd(options: EndToEndOptions, onProgress?: (fraction: number) => void): Promise<EndToEndReport> {
  const fake = await FakeDiscord.start();
  // A CACHE_DIR of its own: with one saved by an earlier run, the engine would serve that first and
  // swap to the folder's corpus (a new worker, its question vectors not yet remembered) mid-run.
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-bench-e2e-'));
  const config = testConfig({
    clientId: fake.applicationId,
    guildId: fake.guildId,
    apiUrl: fake.apiUrl,
    cdnUrl: fake.cdnUrl,
    corpusDir: ARTICLE_DIR,
    cacheDir,
    semantic: options.semantic ?? false,
    logLevel: 'info',
  });
  // The engine's log says when answers use meaning: only then is the semantic path timed.
  let semanticReady!: () => void;
  const vectorsReady = new Promise<void>((resolve) => (semanticReady = resolve));
  let turnedAway = 0;
  let busyReported = () => {};
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString();
      if (line.includes('semantic vectors ready')) semanticReady();
      const reported = /"turnedAway":(\d+)/.exec(line);
      if (reported) {
        turnedAway += Number(reported[1]);
        busyReported();
      }
      done();
    },
  });
  const engine = new Engine({ dir: config.corpusDir, cacheDir: config.cacheDir, semantic: config.semantic, logger: createLogger(config, sink) });
  await engine.ready;
  if (config.semantic) await vectorsReady;
  // One shard, whatever SHARDS/SHARD_COUNT the environment holds.
  const bot = createBot({ config, engine, logger: createLogger({ ...config, logLevel: 'silent' }), commands, clientOptions: { shards: 0, shardCount: 1 } });
  await bot.start();

  const callbacks = watchCallbacks(fake);
  const warmUp = loadQuestionSet().map((q) => q.question);
  // SQuAD's questions are about other articles: to the bot, questions it has never seen.
  const questions = options.questions === 'new' ? loadSquadQuestions().map(({ q }) => q) : warmUp;
  try {
    // Two untimed rounds at the timed concurrency over the whole question set, so the JIT has
    // compiled discord.js and the engine first, and the HTTP connections to the fake are open: in
    // the first, the new questions' answers come back a few at a time as the encoder embeds them,
    // so only the second opens as many connections as the timed run uses (without it, opening
    // them made the timed run's first 35 answers 100–300 ms late).
    for (let round = 0; round < 2; round++)
      await askConcurrently(
        fake,
        callbacks,
        warmUp,
        { interactions: Math.max(warmUp.length, options.concurrency), concurrency: options.concurrency },
        () => {},
      );
    // Both readings after a full collection, and without the fake's records of the rounds (it runs
    // in this process too), so neither garbage nor the fake's log passes for the bot's growth.
    fake.forgetHistory();
    callbacks.restart();
    const heapBefore = settledHeapBytes();
    const rssBefore = process.memoryUsage().rss;
    turnedAway = 0;
    const burst = await timedBurst(
      fake,
      callbacks,
      questions,
      { ...options, interactions: options.questions === 'new' ? questions.length : options.interactions },
      onProgress,
    );
    // The engine reports a burst's count once the encoder has caught up with it (if it turned any away).
    await Promise.race([new Promise<void>((resolve) => (busyReported = resolve)), sleep(3_000)]);
    fake.forgetHistory();
    const heapAfter = settledHeapBytes();
    return {
      ...burst,
      turnedAway,
      rssBeforeMB: rssBefore / 1024 / 1024,
      rssAfterMB: process.memoryUsage().rss / 1024 / 1024,
      heapBeforeMB: heapBefore / 1024 / 1024,
      heapAfterMB: heapAfter / 1024 / 1024,
    };
  } finally {
    callbacks.stop();
    await bot.stop();
    await engine.close();
    await fake.stop();
    await rm(cacheDir, { recursive: true, force: true });
  }
}
