/**
 * Reading an article's bytes (HTML, PDF, .docx, text) or a feed's off the Discord thread: each in a
 * short-lived worker thread with a memory limit, stopped past its time limit. What goes wrong is an
 * `ExtractionFailed` whose message is one line.
 */
import type { ReadArticle, ReadSource } from '../ingest/readArticle.js';
import type { ParsedFeed } from '../ingest/readFeed.js';
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

/** Runs `workerUrl` on `data` (its bytes copied and handed over), within the limits; its one message becomes the answer by `answer`. */
function offThread<Outcome, Answer, Data extends { bytes: Uint8Array }>(
  workerUrl: URL,
  data: Data,
  { timeLimitMs = EXTRACTION_TIME_LIMIT_MS, memoryMb = EXTRACTION_MEMORY_MB }: WorkerLimits,
  answer: (outcome: Outcome) => Answer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const bytes = Uint8Array.from(data.bytes);
    const worker = startWorker(workerUrl, { ...data, bytes }, [bytes.buffer], { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 32 });
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      finish();
    };
    const timer = setTimeout(
      () => settle(() => reject(new ExtractionFailed(`reading it took longer than ${timeLimitMs / 1000} s, so it was stopped`))),
      timeLimitMs,
    );
    worker.once('message', (outcome: Outcome) =>
      settle(() => {
        try {
          resolve(answer(outcome));
        } catch (error) {
          reject(error);
        }
      }),
    );
    worker.once('error', (error: NodeJS.ErrnoException) =>
      settle(() =>
        reject(
          new ExtractionFailed(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? 'reading it took more memory than the bot allows, so it was stopped'
              : `it could not be read (${error.message.split('\n')[0]})`,
          ),
        ),
      ),
    );
    worker.once('exit', (code) => settle(() => reject(new ExtractionFailed(`reading it ended without an answer (exit ${code})`))));
  });
}
