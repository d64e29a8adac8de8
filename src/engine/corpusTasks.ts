/**
 * Corpus file changes (an upload written, an article retired) run off the Discord thread, each in
 * a short-lived worker thread: their checks read the articles the file would be served with. The
 * functions keep the signatures of the ones in corpusFiles.ts, errors included (their `code`,
 * and `CorpusBusy`), so callers handle them as before.
 *
 * The worker's write lock is held by this thread, on its behalf: the checks keep the worker's
 * thread busy, and a lock not refreshed in time would be taken over by another process. A task
 * that runs past its time limit is stopped, and only then is its lock released.
 */
import { parentPort } from 'node:worker_threads';
import { CorpusBusy, lockFolder, type LockFolder, type retireCorpusFile, type writeCorpusFile } from './corpusFiles.js';
import { siblingWorker, startWorker } from './workers.js';

export type CorpusTask = { kind: 'write'; args: Parameters<typeof writeCorpusFile> } | { kind: 'retire'; args: Parameters<typeof retireCorpusFile> };

/** An error as it crosses between threads: enough to rebuild it (see `fromWire`). */
interface WireError {
  name: string;
  message: string;
  code?: string;
}

export type CorpusTaskOutcome = { result: unknown } | { error: WireError };

/** What a task's worker asks of its parent thread: its write lock taken or released, or the task's outcome. */
type WorkerMessage = CorpusTaskOutcome | { lock: string } | { unlock: true };
/** The parent's answer to a lock request: done, or why not. */
type LockReply = { done: true } | { error: WireError };

export function toWire(error: unknown): WireError {
  const { name, message, code } = error as NodeJS.ErrnoException;
  return { name, message, ...(code && { code }) };
}

function fromWire({ name, message, code }: WireError): Error {
  const error = name === 'CorpusBusy' ? new CorpusBusy(message) : name === 'StoreUnavailable' ? new StoreUnavailable(message) : new Error(message);
  return Object.assign(error, code && { code });
}

/**
 * The store of record (the database) cannot be reached now: nothing of the change was written,
 * and the same change may be tried again shortly.
 */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}

/** For a task's worker: its write lock, taken and released by the parent thread. */
export const lockThroughParent: LockFolder = async (folder) => {
  await askParent({ lock: folder });
  return () => askParent({ unlock: true });
};

function askParent(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    parentPort!.once('message', (reply: LockReply) => ('error' in reply ? reject(fromWire(reply.error)) : resolve()));
    parentPort!.postMessage(message);
  });
}

/** A corpus task ran past its time limit, and was stopped. */
export class CorpusTaskTimeout extends Error {}

/** Longest a corpus task may take: its checks read at most the base and one server's articles, seconds for the largest corpus. */
const TASK_TIME_LIMIT_MS = 60_000;

function run(task: CorpusTask, workerUrl: URL, timeLimitMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(workerUrl, task);
    let release: (() => Promise<void>) | undefined;
    let settled = false;
    let timedOut = false;
    const unlock = async () => {
      const held = release;
      release = undefined;
      await held?.().catch(() => undefined);
    };
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void unlock().then(finish);
    };
    // The worker is gone before its lock is released (on 'exit'): it can no longer write.
    const timer = setTimeout(() => {
      timedOut = true;
      void worker.terminate();
    }, timeLimitMs);
    worker.on('message', async (message: WorkerMessage) => {
      if ('lock' in message) {
        try {
          release = await lockFolder(message.lock);
          // A task stopped while waiting for its lock does not keep it.
          if (settled) await unlock();
          worker.postMessage({ done: true } satisfies LockReply);
        } catch (error) {
          worker.postMessage({ error: toWire(error) } satisfies LockReply);
        }
      } else if ('unlock' in message) {
        await unlock();
        worker.postMessage({ done: true } satisfies LockReply);
      } else settle(() => ('result' in message ? resolve(message.result) : reject(fromWire(message.error))));
    });
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) =>
      settle(() =>
        reject(
          timedOut
            ? new CorpusTaskTimeout(`the corpus task took longer than ${timeLimitMs} ms and was stopped`)
            : new Error(`the corpus task ended without an answer (exit ${code})`),
        ),
      ),
    );
  });
}

/**
 * The store of each server's own articles, as corpus changes use it: writing an upload and
 * retiring an article, with the same checks and results wherever articles are kept. Two kinds:
 * files in the corpus folder (`offThread`, the default) and PostgreSQL (src/store/articleStore.ts,
 * with DATABASE_URL); tests may run them in their own thread to fake file-system failures.
 */
export interface CorpusTasks {
  write: (...args: Parameters<typeof writeCorpusFile>) => ReturnType<typeof writeCorpusFile>;
  retire: (...args: Parameters<typeof retireCorpusFile>) => Promise<Awaited<ReturnType<typeof retireCorpusFile>>>;
}

/**
 * Corpus tasks each in a worker thread running `workerUrl` (tests: a stuck one; the database's
 * store: its own, given `workerData` besides each task), stopped after `timeLimitMs`.
 */
export function corpusTasksInWorkers({
  workerUrl = siblingWorker('corpusTaskWorker'),
  timeLimitMs = TASK_TIME_LIMIT_MS,
  workerData = {},
}: {
  workerUrl?: URL;
  timeLimitMs?: number;
  workerData?: object;
} = {}): CorpusTasks {
  return {
    write: (...args) => run({ ...workerData, kind: 'write', args }, workerUrl, timeLimitMs) as ReturnType<typeof writeCorpusFile>,
    retire: (...args) => run({ ...workerData, kind: 'retire', args }, workerUrl, timeLimitMs) as Promise<Awaited<ReturnType<typeof retireCorpusFile>>>,
  };
}

export const offThread: CorpusTasks = corpusTasksInWorkers();
