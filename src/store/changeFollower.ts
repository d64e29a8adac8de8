/**
 * How a host follows the database's changes (the CorpusSync of a database-backed host): it
 * LISTENs for the announcement every change makes when it commits, then applies every change
 * past the last one it applied (kept in CACHE_DIR) to its corpus folder's mirror and reloads.
 * It catches up from the change sequence, never from the announcements, so a host that missed
 * some (disconnected, restarting, or new) ends up the same. A host with no record of what it
 * applied, or one past the database's newest change (a database restored from a backup), rebuilds
 * its mirror of the servers' articles from the rows instead.
 *
 * The database down, the host goes on answering from its index; the connection is retried
 * (doubling waits), and once back the host listens again, migrates if needed and catches up.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { CorpusSync } from '../app/corpusChanges/corpusSync.js';
import type { ReloadReport } from '../library/Library.js';
import { reloadSummary } from '../library/reloadSummary.js';
import type { Logger } from '../runtime/logger.js';
import type { StoreState } from '../runtime/metrics.js';
import { CHANGES_CHANNEL } from './articleRows.js';
import { removeMirrorFile, serverMirrorFiles, writeMirrorFile } from './corpusMirror.js';
import { connectClient, migrate } from './database.js';

/** The file in CACHE_DIR that says which change this host's mirror has applied last. */
export const APPLIED_CHANGE_FILE = 'database-change';

/** A connection whose check takes longer than this is taken for lost. */
const CHECK_TIMEOUT_MS = 5_000;

/** Changes (and, rebuilding, rows) read per query, so a long absence never loads every article at once. */
const PAGE = 100;

export interface ChangeFollowerOptions {
  databaseUrl: string;
  pool: pg.Pool;
  corpusDir: string;
  cacheDir: string;
  /** This process's own reload. */
  reloadHere: () => Promise<ReloadReport>;
  logger: Logger;
  /** Set as the connection comes and goes, for /healthz and /metrics. */
  state: StoreState;
  /** Told of each failed use of the database, by what was being done. */
  onError: (operation: string) => void;
  /** While a change of this process's own is on its way (its reload reports it), changes announced meanwhile wait for it. */
  ownChangeInFlight: () => boolean;
  /** Told once this process's own change is in its mirror and reloaded. */
  ownChangeApplied: () => void;
  /** Waits before reconnecting: from the first, doubling up to the last. */
  reconnectMs?: { first: number; max: number };
  /** How often the connection is checked, and the sequence read in case an announcement was missed. */
  checkMs?: number;
}

export interface ChangeFollower extends CorpusSync {
  /** Connects (or starts retrying in the background), listens and catches up; resolves after the first try. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Applies the changes this host has not, now (then, if any did, reloads). */
  follow(): Promise<void>;
}

interface ChangeRow {
  seq: string;
  kind: string;
  scope: string;
  name: string;
  op: 'add' | 'replace' | 'remove';
  at: Date;
  /** The article's text now; null when it has no row now. */
  text: string | null;
}

export function followChanges(options: ChangeFollowerOptions): ChangeFollower {
  const { databaseUrl, pool, corpusDir, cacheDir, reloadHere, logger, state, onError, ownChangeInFlight, ownChangeApplied } = options;
  const { first, max } = options.reconnectMs ?? { first: 500, max: 5_000 };
  const checkMs = options.checkMs ?? 10_000;
  const appliedFile = path.join(cacheDir, APPLIED_CHANGE_FILE);
  let listener: pg.Client | undefined;
  let stopped = false;
  let migrated = false;
  let attempts = 0;
  let retry: NodeJS.Timeout | undefined;
  let check: NodeJS.Timeout | undefined;
  // One catch-up at a time, and at most one more queued: a burst of announcements is one catch-up.
  let running: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  let deferred = false;

  const readApplied = async () => {
    const text = await readFile(appliedFile, 'utf8').catch(() => undefined);
    return text !== undefined && /^\d+$/.test(text.trim()) ? BigInt(text.trim()) : undefined;
  };
  const saveApplied = async (seq: bigint) => {
    const temporary = `${appliedFile}.${process.pid}.tmp`;
    await writeFile(temporary, String(seq));
    await rename(temporary, appliedFile);
  };

  /** Makes the mirror match one article's row now: written when it has one, else moved to `.removed/`. */
  const applyArticle = (change: ChangeRow): Promise<boolean> => {
    if (change.text !== null) return change.op === 'remove' ? Promise.resolve(false) : writeMirrorFile(corpusDir, change.scope, change.name, change.text);
    // Removed since, by a later change: that one moves the file.
    return change.op === 'remove' ? removeMirrorFile(corpusDir, change.scope, change.name, change.at) : Promise.resolve(false);
  };

  /** Rewrites the mirror from every row, and moves to `.removed/` any server's file the database has no row of. */
  const rebuild = async (upTo: bigint): Promise<boolean> => {
    let changed = false;
    const kept = new Set<string>();
    let after = { scope: '', file: '' };
    for (;;) {
      const { rows } = await pool.query<{ scope: string; file: string; text: string }>(
        'SELECT scope, file, text FROM articles WHERE (scope, file) > ($1, $2) ORDER BY scope, file LIMIT $3',
        [after.scope, after.file, PAGE],
      );
      for (const row of rows) {
        kept.add(`${row.scope}/${row.file}`);
        changed = (await writeMirrorFile(corpusDir, row.scope, row.file, row.text)) || changed;
      }
      if (rows.length < PAGE) break;
      after = rows.at(-1)!;
    }
    const now = new Date();
    for (const { scope, file } of await serverMirrorFiles(corpusDir))
      if (!kept.has(`${scope}/${file}`)) changed = (await removeMirrorFile(corpusDir, scope, file, now)) || changed;
    await saveApplied(upTo);
    logger.info({ change: String(upTo), articles: kept.size }, 'corpus mirror rebuilt from the database');
    return changed;
  };

  /** Applies what this host has not; true when the mirror changed. */
  const catchUp = async (): Promise<boolean> => {
    const newest = BigInt((await pool.query<{ newest: string }>('SELECT coalesce(max(seq), 0)::text AS newest FROM changes')).rows[0]!.newest);
    const applied = await readApplied();
    if (applied === undefined || applied > newest) return rebuild(newest);
    let changed = false;
    let from = applied;
    while (from < newest) {
      const { rows } = await pool.query<ChangeRow>(
        `SELECT c.seq::text, c.kind, c.scope, c.name, c.op, c.at, a.text
           FROM changes c LEFT JOIN articles a ON c.kind = 'article' AND a.scope = c.scope AND a.file = c.name
          WHERE c.seq > $1 ORDER BY c.seq LIMIT $2`,
        [String(from), PAGE],
      );
      if (rows.length === 0) break;
      for (const change of rows) if (change.kind === 'article') changed = (await applyArticle(change)) || changed;
      from = BigInt(rows.at(-1)!.seq);
      await saveApplied(from);
    }
    return changed;
  };

  const catchUpAndReload = async () => {
    if (ownChangeInFlight()) {
      deferred = true;
      return;
    }
    try {
      if (!(await catchUp())) return;
    } catch (error) {
      onError('catch-up');
      logger.warn({ err: error }, 'could not catch up with the database’s changes; retrying once it can be reached');
      return;
    }
    const report = await reloadHere();
    logger.info(reloadSummary(report), report.applied ? 'corpus reloaded: another host changed it' : 'corpus reload refused: another host changed it');
  };
  /** Queues a catch-up after the running one, unless one is queued already. */
  const follow = () => {
    queued ??= running.then(() => {
      queued = undefined;
      return catchUpAndReload();
    });
    running = queued.catch((error: unknown) => logger.warn({ err: error }, 'could not follow the database’s changes'));
    return running;
  };

  const lost = (client: pg.Client, error: unknown) => {
    if (client !== listener) return;
    listener = undefined;
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    state.available = false;
    state.problem = (error as Error).message;
    onError('listen');
    logger.warn({ err: error }, 'lost the database: answers go on from this host’s index, changes are refused until it is back');
    reconnectLater();
  };
  const reconnectLater = () => {
    if (stopped || retry) return;
    const delay = Math.min(first * 2 ** attempts++, max);
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, delay);
    retry.unref();
  };
  const connect = async () => {
    const client = connectClient(databaseUrl);
    try {
      if (!migrated) {
        const applied = await migrate(databaseUrl, logger);
        migrated = true;
        if (applied.length > 0) logger.info({ migrations: applied }, 'database schema migrated');
      }
      client.on('error', (error) => lost(client, error));
      client.on('end', () => lost(client, new Error('the database closed the connection')));
      client.on('notification', () => void follow());
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      state.available = false;
      state.problem = (error as Error).message;
      onError('connect');
      if (attempts === 0) logger.warn({ err: error }, 'cannot reach the database: answers go on from this host’s index, changes are refused until it can');
      reconnectLater();
      return;
    }
    if (stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    listener = client;
    if (attempts > 0) logger.info({ attempts }, 'the database is back: following its changes again');
    attempts = 0;
    state.available = true;
    delete state.problem;
    await follow();
  };
  /** A connection can be lost without a word (a network gone quiet): a query that does not come back says so. */
  const checkConnection = async () => {
    const client = listener;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the database did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    try {
      await Promise.race([client.query('SELECT 1'), timeout]);
    } catch (error) {
      lost(client, error);
      return;
    } finally {
      clearTimeout(timer);
    }
    await follow();
  };

  return {
    async start() {
      await mkdir(cacheDir, { recursive: true });
      await connect();
      check = setInterval(() => void checkConnection(), checkMs);
      check.unref();
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(check);
      const client = listener;
      listener = undefined;
      await client?.end().catch(() => undefined);
      await running;
    },
    follow,
    async reloadEverywhere() {
      // This process's own change, and any other: in the mirror before the reload that reports it,
      // in turn with the catch-ups announcements start.
      const caughtUp = running.then(catchUp).catch((error: unknown) => {
        onError('catch-up');
        logger.warn({ err: error }, 'could not catch up with the database’s changes; this host reloads what it has');
      });
      running = caughtUp.then(() => undefined);
      await caughtUp;
      try {
        return [{ report: await reloadHere() }];
      } finally {
        ownChangeApplied();
        if (deferred) {
          deferred = false;
          void follow();
        }
      }
    },
    reloadHere: async () => [{ report: await reloadHere() }],
  };
}
