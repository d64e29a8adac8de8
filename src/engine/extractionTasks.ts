/**
 * Reading an article's bytes (HTML, PDF, .docx, text) or a feed's off the Discord thread: in a
 * reader thread with a memory limit, stopped past its time limit. What goes wrong is an
 * `ExtractionFailed` whose message is one line.
 */
import type { ReadArticle, ReadSource } from '../ingest/readArticle.js';
import type { ParsedFeed } from '../ingest/readFeed.js';
import type { Worker } from 'node:worker_threads';
import { siblingWorker, startWorker } from './workers.js';

export type ExtractionOutcome = { article: ReadArticle } | { error: string };
/** `unreadable`: the feed's own fault, said as it is; `error`: anything else, wrapped. */
export type FeedOutcome = { feed: ParsedFeed } | { unreadable: string } | { error: string };

export interface FeedSource {
  bytes: Uint8Array;
  /** Where it was fetched from: relative links resolve against it. */
  url: string;
  /** The charset its server named. */
  charset?: string;
}

export class ExtractionFailed extends Error {}

/** A large news page takes well under a second; a PDF of a few hundred pages, a few seconds. */
const EXTRACTION_TIME_LIMIT_MS = 15_000;
/** Heap for one page's DOM, with room: a 10 MiB page parses to a few hundred MB at most. */
const EXTRACTION_MEMORY_MB = 512;

interface WorkerLimits {
  timeLimitMs?: number;
  memoryMb?: number;
  workerUrl?: URL;
}

export function extractOffThread(source: ReadSource, { workerUrl = siblingWorker('extractionWorker'), ...limits }: WorkerLimits = {}): Promise<ReadArticle> {
  return offThread<ExtractionOutcome, ReadArticle, ReadSource>(workerUrl, source, limits, (outcome) => {
    if ('article' in outcome) return outcome.article;
    throw new ExtractionFailed(`it could not be read (${outcome.error.split('\n')[0]})`);
  });
}

/** A feed's newest `maxItems` items (ingest/readFeed.ts), read in a worker like an article. */
export function readFeedOffThread(source: FeedSource, { maxItems }: { maxItems: number }): Promise<ParsedFeed> {
  return offThread<FeedOutcome, ParsedFeed, FeedSource & { maxItems: number }>(siblingWorker('feedWorker'), { ...source, maxItems }, {}, (outcome) => {
    if ('feed' in outcome) return outcome.feed;
    if ('unreadable' in outcome) throw new ExtractionFailed(outcome.unreadable);
    throw new ExtractionFailed(`it could not be read (${outcome.error.split('\n')[0]})`);
  });
}

/**
 * How long a reader thread waits for its next source before it ends: the items of one feed poll,
 * or links added one after another, are read by one thread instead of starting one each; an idle
 * bot keeps none. A thread that ran past its limits, failed or could not read its source is never reused.
 */
const READER_IDLE_MS = 15_000;
/** Idle reader threads kept per kind, at most: more only while that many sources are read at once. */
const MAX_IDLE_READERS = 2;

interface IdleReader {
  worker: Worker;
  timer: NodeJS.Timeout;
}
/** Idle reader threads by kind (their entry file and memory limit). */
const idleReaders = new Map<string, IdleReader[]>();

/** An idle reader of this kind, else a new one; it keeps the process alive only while it reads. */
function takeReader(kind: string, start: () => Worker): Worker {
  let idle = idleReaders.get(kind)?.pop();
  // One that ended while idle (its 'exit' not yet handled) is not handed out.
  while (idle && idle.worker.threadId === -1) {
    clearTimeout(idle.timer);
    idle = idleReaders.get(kind)?.pop();
  }
  if (idle) {
    clearTimeout(idle.timer);
    idle.worker.ref();
    return idle.worker;
  }
  const worker = start();
  // Between sources no source listens: a thread that fails or ends then is only dropped.
  worker.on('error', () => undefined).once('exit', () => dropReader(kind, worker));
  return worker;
}

function dropReader(kind: string, worker: Worker): void {
  const idle = idleReaders.get(kind) ?? [];
  const kept = idle.filter((reader) => reader.worker !== worker);
  for (const reader of idle) if (reader.worker === worker) clearTimeout(reader.timer);
  if (kept.length > 0) idleReaders.set(kind, kept);
  else idleReaders.delete(kind);
}

/** Keeps a reader that answered for the next source of its kind, for a while. */
function keepReader(kind: string, worker: Worker): void {
  const idle = idleReaders.get(kind) ?? [];
  if (idle.length >= MAX_IDLE_READERS) {
    void worker.terminate();
    return;
  }
  const timer = setTimeout(() => {
    dropReader(kind, worker);
    void worker.terminate();
  }, READER_IDLE_MS);
  timer.unref();
  worker.unref();
  idleReaders.set(kind, [...idle, { worker, timer }]);
}

/**
 * Runs `workerUrl` on `data` (its bytes copied and handed over), within the limits, in a reader
 * thread of its kind (one kept from an earlier source, or a new one); its one answer becomes the
 * result by `answer`.
 */
function offThread<Outcome, Answer, Data extends { bytes: Uint8Array }>(
  workerUrl: URL,
  data: Data,
  { timeLimitMs = EXTRACTION_TIME_LIMIT_MS, memoryMb = EXTRACTION_MEMORY_MB }: WorkerLimits,
  answer: (outcome: Outcome) => Answer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const bytes = Uint8Array.from(data.bytes);
    const kind = `${workerUrl.href} ${memoryMb}`;
    const worker = takeReader(kind, () => startWorker(workerUrl, undefined, [], { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 32 }));
    let settled = false;
    const settle = (finish: () => void, reusable = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (reusable) keepReader(kind, worker);
      else void worker.terminate();
      finish();
    };
    const timer = setTimeout(
      () => settle(() => reject(new ExtractionFailed(`reading it took longer than ${timeLimitMs / 1000} s, so it was stopped`))),
      timeLimitMs,
    );
    // Kept for the next source only when it read this one: a parser that failed, even cleanly, is not trusted again.
    const onMessage = (outcome: Outcome) => {
      let result: { answer: Answer } | { error: unknown };
      try {
        result = { answer: answer(outcome) };
      } catch (error) {
        result = { error };
      }
      settle(() => ('answer' in result ? resolve(result.answer) : reject(result.error)), 'answer' in result);
    };
    const onError = (error: NodeJS.ErrnoException) =>
      settle(() =>
        reject(
          new ExtractionFailed(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? 'reading it took more memory than the bot allows, so it was stopped'
              : `it could not be read (${error.message.split('\n')[0]})`,
          ),
        ),
      );
    const onExit = (code: number) => settle(() => reject(new ExtractionFailed(`reading it ended without an answer (exit ${code})`)));
    worker.once('message', onMessage).once('error', onError).once('exit', onExit);
    worker.postMessage({ ...data, bytes }, [bytes.buffer]);
  });
}
