/**
 * The store of record in PostgreSQL (DATABASE_URL), as a host uses it: the articles' store behind
 * corpus changes (CorpusTasks), feedback records, and the CorpusSync that follows every host's
 * changes. The transports choose it at start, or the files of CORPUS_DIR and CACHE_DIR without
 * DATABASE_URL; the app above does not know which it has.
 */
import type pg from 'pg';
import type { CorpusTasks } from '../engine/corpusTasks.js';
import type { FeedbackRecords } from '../feedback/feedbackStore.js';
import type { ReloadReport } from '../library/Library.js';
import type { Logger } from '../runtime/logger.js';
import type { Metrics, StoreState } from '../runtime/metrics.js';
import { databaseCorpusTasks } from './articleStore.js';
import { followChanges, type ChangeFollower, type ChangeFollowerOptions } from './changeFollower.js';
import { createPool } from './database.js';
import { DatabaseFeedback } from './feedbackRows.js';
import { databaseFeedStore } from './feedRows.js';
import type { FeedStore } from '../app/feeds/feedStore.js';

export interface DatabaseStore {
  tasks: CorpusTasks;
  feedback: FeedbackRecords;
  feeds: FeedStore;
  /** Whether the database can be reached, as this host last found it. */
  state: StoreState;
  /** This host's CorpusSync: it follows every host's changes (start it once the service is up). */
  follow(reloadHere: () => Promise<ReloadReport>): ChangeFollower;
  /** Counts failed uses of the database in `metrics`, and exposes `state` there. */
  observe(metrics: Metrics): void;
  close(): Promise<void>;
}

export interface DatabaseStoreOptions {
  databaseUrl: string;
  corpusDir: string;
  cacheDir: string;
  logger: Logger;
  /** For tests: how soon the connection is retried and checked. */
  following?: Pick<ChangeFollowerOptions, 'reconnectMs' | 'checkMs'>;
}

/**
 * How long this process's own change may keep others' announced changes waiting for its reload:
 * longer than a change's time limit (see corpusTasks.ts), so only a change whose reload never
 * came (an error between) lets them wait that long.
 */
const OWN_CHANGE_LEASE_MS = 90_000;

export function openDatabaseStore({ databaseUrl, corpusDir, cacheDir, logger, following }: DatabaseStoreOptions): DatabaseStore {
  const pool: pg.Pool = createPool(databaseUrl, logger);
  const state: StoreState = { available: false, problem: 'not connected yet' };
  let countError: (operation: string) => void = () => undefined;
  let ownChangeSince: number | undefined;
  const inWorkers = databaseCorpusTasks(databaseUrl, (error) => {
    countError('change');
    logger.warn({ err: error }, 'a corpus change was refused: the database cannot be reached');
  });
  /** Runs one of this process's changes; once made, its announcement waits for the reload that reports it. */
  const ownChange = async <Result>(change: () => Promise<Result>, made: (result: Result) => boolean): Promise<Result> => {
    ownChangeSince = Date.now();
    try {
      const result = await change();
      if (!made(result)) ownChangeSince = undefined;
      return result;
    } catch (error) {
      ownChangeSince = undefined;
      throw error;
    }
  };
  const feedback = new DatabaseFeedback(pool);
  let follower: ChangeFollower | undefined;
  return {
    tasks: {
      write: (...args) =>
        ownChange(
          () => inWorkers.write(...args),
          (result) => result.ok,
        ),
      retire: (...args) =>
        ownChange(
          () => inWorkers.retire(...args),
          (result) => result !== undefined && 'movedTo' in result,
        ),
    },
    feedback: {
      location: feedback.location,
      append: (record) =>
        feedback.append(record).catch((error: unknown) => {
          countError('feedback');
          throw error;
        }),
      read: (since) => feedback.read(since),
    },
    feeds: databaseFeedStore(pool),
    state,
    follow(reloadHere) {
      follower = followChanges({
        databaseUrl,
        pool,
        corpusDir,
        cacheDir,
        reloadHere,
        logger,
        state,
        onError: (operation) => countError(operation),
        ownChangeInFlight: () => ownChangeSince !== undefined && Date.now() - ownChangeSince < OWN_CHANGE_LEASE_MS,
        ownChangeApplied: () => {
          ownChangeSince = undefined;
        },
        ...following,
      });
      return follower;
    },
    observe(metrics) {
      countError = metrics.trackStore(state);
    },
    async close() {
      await follower?.stop();
      await pool.end().catch(() => undefined);
    },
  };
}
