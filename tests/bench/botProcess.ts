/**
 * Section 5: the bot as an operator runs it, a separate process (`node dist/transports/gateway/main.js`, and
 * `npm start`) against the fake Discord in this process, serving a 10,000-article corpus folder:
 * - cold start (empty CACHE_DIR) and warm start (the CACHE_DIR a previous run left): time from
 *   spawn to the gateway session being READY, and to the first `/ask` that is answered rather
 *   than told "Still loading" (one `/ask` every 100 ms from READY on);
 * - what `npm run build` costs when nothing changed (npm start runs it before every start);
 * - `/reload` while members ask 20 questions a second: the reload's duration and every
 *   answer's latency, for a reload that re-analyses one new file and one that rebuilds all;
 * - 1,000 `/ask` at once against that process.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { DEFAULT_MEMBER_PERMISSIONS, FakeDiscord, Permissions, type RecordedRequest } from '../fake-discord/index.js';
import { repoRoot } from '../support/discordSpec.js';
import { botProcessEnv } from '../support/processEnv.js';
import { askConcurrently, isAnswer, timedBurst, watchCallbacks, type BurstStats, type CallbackWatcher } from './endToEnd.js';
import { percentile } from './measure.js';
import type { Progress } from './progress.js';
import { corpusFileText, writeCorpusFolder } from './syntheticCorpus.js';

export interface StartReport {
  /** How the bot was started, e.g. `node dist/transports/gateway/main.js`. */
  command: string;
  /** Whether CACHE_DIR held a saved index. */
  cache: 'empty' | 'warm';
  /** Spawn to the fake seeing the session READY. */
  gatewayMs: number;
  /** Spawn to the first answered `/ask`. */
  firstAnswerMs: number;
  /** `/ask`s told "Still loading" (or otherwise not answered) before that. */
  notYetAnswered: number;
  /** The bot's own "corpus loaded" figure: opening the corpus in its worker. */
  corpusLoadMs?: number;
  /** What the bot logged about its cache: loaded the saved index, or built from the files. */
  cacheLoaded?: boolean;
}

export interface ReloadUnderLoadReport {
  /** What the reload had to do. */
  kind: string;
  /** `/reload` dispatched to its deferred reply edited with the outcome. */
  reloadMs: number;
  applied: boolean;
  /** `/ask`s sent, one every 50 ms from the `/reload` until a second after it completed. */
  questions: number;
  /** From dispatch to callback. */
  p50Ms: number;
  p99Ms: number;
  worstMs: number;
  /** No callback, or an apology ("Still loading", "took too long", "went wrong"). */
  errors: number;
}

export interface BotProcessReport {
  documents: number;
  /** `npm run build` when dist/ is up to date (median of 3). */
  noChangeBuildMs: number;
  starts: StartReport[];
  reloads: ReloadUnderLoadReport[];
  burst: BurstStats;
}

const NODE_COMMAND = 'node dist/transports/gateway/main.js';
const NPM_COMMAND = 'npm start';
/** One `/ask` every this many ms while waiting for the first answer. */
const POLL_MS = 100;
/** 20 questions a second during a reload. */
const RELOAD_QUESTION_INTERVAL_MS = 50;
/** Questions go on this long after the reload completes, to cover the swap to the new index. */
const AFTER_RELOAD_MS = 1_000;
/** Longest wait for a start or a reload (a cold 10k start on a busy 2-core machine is ~1 min). */
const WAIT_MS = 5 * 60_000;
const BURST = { interactions: 1_000, concurrency: 1_000 };
const STRING_OPTION = 3;

const run = promisify(execFile);

/**
 * A bot process in its own process group, so stopping `npm start` stops the node it started. Its
 * log goes to a file, as in production: through a pipe, this busy process would read it late, and
 * a full pipe would hold up the bot's (synchronous) logging and so its answers.
 */
class BotProcess {
  readonly spawnedAt = performance.now();
  readonly #child: ChildProcess;

  constructor(
    readonly command: string,
    env: NodeJS.ProcessEnv,
    readonly logFile: string,
  ) {
    const [file, ...args] = command.split(' ');
    const log = openSync(logFile, 'w');
    this.#child = spawn(file!, args, { cwd: repoRoot, env, detached: true, stdio: ['ignore', log, 'inherit'] });
    closeSync(log);
  }

  /** The bot's JSON log lines (npm's own output lines are skipped). */
  logLines(): Array<Record<string, unknown>> {
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : []));
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    process.kill(-this.#child.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-this.#child.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Asks `question` every 100 ms until one is answered rather than apologised for; resolves with
 * when that answer arrived and how many were not answered before it.
 */
function firstAnswer(
  fake: FakeDiscord,
  callbacks: CallbackWatcher,
  question: string,
  failure: string,
): Promise<{ answeredAt: number; notYetAnswered: number }> {
  let notYetAnswered = 0;
  return new Promise((resolve, reject) => {
    let done = false;
    const giveUp = setTimeout(() => finish(new Error(`${failure} within ${WAIT_MS / 1000} s`)), WAIT_MS);
    const poll = setInterval(() => {
      const interaction = fake.chatInput('ask', [{ name: 'question', type: STRING_OPTION, value: question }]);
      callbacks.callback(interaction.id).then(
        (callback) => (isAnswer(callback) ? finish(callback.receivedAt) : (notYetAnswered += 1)),
        () => (notYetAnswered += 1),
      );
    }, POLL_MS);
    function finish(outcome: number | Error) {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(giveUp);
      if (typeof outcome === 'number') resolve({ answeredAt: outcome, notYetAnswered });
      else reject(outcome);
    }
  });
}

/** Starts the bot and measures its start; it is left running. */
async function measureStart(
  fake: FakeDiscord,
  callbacks: CallbackWatcher,
  command: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
  cache: StartReport['cache'],
  question: string,
): Promise<{ bot: BotProcess; report: StartReport }> {
  const readyBefore = fake.readyCount;
  const bot = new BotProcess(command, env, logFile);
  await fake.waitForReady(readyBefore + 1, WAIT_MS);
  const gatewayMs = performance.now() - bot.spawnedAt;

  const { answeredAt, notYetAnswered } = await firstAnswer(fake, callbacks, question, `${command}: no answer`);
  const loaded = bot.logLines().find((line) => line.msg === 'corpus loaded');
  const cacheLine = bot.logLines().find((line) => typeof line.loaded === 'boolean');
  return {
    bot,
    report: {
      command,
      cache,
      gatewayMs,
      firstAnswerMs: answeredAt - bot.spawnedAt,
      notYetAnswered,
      ...(typeof loaded?.ms === 'number' && { corpusLoadMs: loaded.ms }),
      ...(cacheLine && { cacheLoaded: cacheLine.loaded as boolean }),
    },
  };
}

/**
 * A `/reload` by a moderator after `prepare` changed things, with one `/ask` every 50 ms from
 * its dispatch until a second after its reply says it is done.
 */
async function reloadUnderLoad(
  fake: FakeDiscord,
  callbacks: CallbackWatcher,
  kind: string,
  questions: readonly string[],
  prepare: () => Promise<void>,
): Promise<ReloadUnderLoadReport> {
  await prepare();
  const reload = fake.chatInput('reload', [], { member: { permissions: DEFAULT_MEMBER_PERMISSIONS | Permissions.ManageGuild } });
  let edit: RecordedRequest | undefined;
  const edited = fake.waitForWebhook(reload.token, (request) => request.method === 'PATCH', WAIT_MS).then((request) => (edit = request));

  const outcomes: Array<Promise<number | 'error'>> = [];
  const firstAt = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const interaction = fake.chatInput('ask', [{ name: 'question', type: STRING_OPTION, value: questions[outcomes.length % questions.length]! }]);
      outcomes.push(
        callbacks.callback(interaction.id).then(
          (callback) => (isAnswer(callback) ? callback.receivedAt - interaction.sentAt : 'error'),
          () => 'error' as const,
        ),
      );
      if (edit && performance.now() > edit.receivedAt + AFTER_RELOAD_MS) return resolve();
      // Scheduled from the first question, so a late timer does not lower the rate.
      setTimeout(tick, Math.max(0, firstAt + outcomes.length * RELOAD_QUESTION_INTERVAL_MS - performance.now()));
    };
    tick();
  });
  await edited;
  const settled = await Promise.all(outcomes);
  const latencies = settled.filter((outcome): outcome is number => outcome !== 'error');
  return {
    kind,
    reloadMs: edit!.receivedAt - reload.sentAt,
    applied: JSON.stringify(edit!.body).includes('Corpus reloaded'),
    questions: settled.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    worstMs: Math.max(...latencies),
    errors: settled.length - latencies.length,
  };
}

/** A new article for a reload to find: a copy of `document` under another file name. */
const addArticle = (corpusDir: string, document: CorpusDocument, name: string) => writeFile(path.join(corpusDir, `${name}.md`), corpusFileText(document));

export async function benchBotProcess(documents: readonly CorpusDocument[], questions: readonly string[], progress: Progress): Promise<BotProcessReport> {
  progress.phase('bot process: npm run build (once to bring dist/ up to date, then 3 times timed)');
  await run('npm', ['run', '-s', 'build'], { cwd: repoRoot });
  const buildTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await run('npm', ['run', '-s', 'build'], { cwd: repoRoot });
    buildTimes.push(performance.now() - started);
  }

  progress.phase(`bot process: writing ${documents.length.toLocaleString('en-US')} articles to a temporary CORPUS_DIR`);
  const corpusDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-bench-corpus-'));
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-bench-cache-'));
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-bench-logs-'));
  const fake = await FakeDiscord.start();
  const callbacks = watchCallbacks(fake);
  let bot: BotProcess | undefined;
  try {
    await writeCorpusFolder(corpusDir, documents);
    const env = botProcessEnv(fake, { CORPUS_DIR: corpusDir, CACHE_DIR: cacheDir, CORPUS_WATCH: 'false', ASK_COOLDOWN_SECONDS: '0' });
    const starts: StartReport[] = [];
    for (const [command, cache] of [
      [NODE_COMMAND, 'empty'],
      [NODE_COMMAND, 'warm'],
      [NPM_COMMAND, 'warm'],
    ] as const) {
      progress.phase(`bot process: ${command}, ${cache === 'empty' ? 'empty CACHE_DIR (cold start)' : 'CACHE_DIR from the last run (warm start)'}`);
      await bot?.stop();
      const started = await measureStart(fake, callbacks, command, env, path.join(logDir, `bot-${starts.length + 1}.log`), cache, questions[0]!);
      bot = started.bot;
      starts.push(started.report);
    }

    const reloads: ReloadUnderLoadReport[] = [];
    progress.phase('bot process: /reload (one new article) under 20 questions/s');
    reloads.push(
      await reloadUnderLoad(fake, callbacks, 'one new article: the saved index, updated', questions, () =>
        addArticle(corpusDir, documents[0]!, 'zz-new-article-1'),
      ),
    );
    progress.phase('bot process: /reload (one new article, CACHE_DIR emptied) under 20 questions/s');
    reloads.push(
      await reloadUnderLoad(fake, callbacks, 'one new article, CACHE_DIR emptied: every article analysed', questions, async () => {
        await rm(path.join(cacheDir, 'index'), { recursive: true, force: true });
        await addArticle(corpusDir, documents[1]!, 'zz-new-article-2');
      }),
    );

    progress.phase(`bot process: ${BURST.interactions} /ask at once`);
    // One untimed round first, as in section 4; then until it answers again, so the timed round
    // does not queue behind the warm-up's leftovers (or a worker being replaced after them).
    await askConcurrently(fake, callbacks, questions, BURST, () => {});
    await firstAnswer(fake, callbacks, questions[0]!, 'after the warm-up burst, no answer');
    const burst = await timedBurst(fake, callbacks, questions, BURST, progress.phase(`bot process: ${BURST.interactions} /ask at once`));
    return { documents: documents.length, noChangeBuildMs: percentile(buildTimes, 50), starts, reloads, burst };
  } finally {
    await bot?.stop();
    callbacks.stop();
    await fake.stop();
    await rm(corpusDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
    await rm(logDir, { recursive: true, force: true });
  }
}
