/**
 * Reading an article's bytes (HTML, PDF, .docx, text) off the Discord thread: each in a short-lived
 * worker thread with a memory limit, stopped past its time limit. What goes wrong is an
 * `ExtractionFailed` whose message is one line.
 */
import type { ReadArticle, ReadSource } from '../ingest/readArticle.js';
import { siblingWorker, startWorker } from './workers.js';

export type ExtractionOutcome = { article: ReadArticle } | { error: string };

export class ExtractionFailed extends Error {}

/** A large news page takes well under a second; a PDF of a few hundred pages, a few seconds. */
const EXTRACTION_TIME_LIMIT_MS = 15_000;
/** Heap for one page's DOM, with room: a 10 MiB page parses to a few hundred MB at most. */
const EXTRACTION_MEMORY_MB = 512;

export function extractOffThread(
  source: ReadSource,
  { timeLimitMs = EXTRACTION_TIME_LIMIT_MS, memoryMb = EXTRACTION_MEMORY_MB, workerUrl = siblingWorker('extractionWorker') } = {},
): Promise<ReadArticle> {
  return new Promise((resolve, reject) => {
    const bytes = Uint8Array.from(source.bytes);
    const worker = startWorker(workerUrl, { ...source, bytes }, [bytes.buffer], { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 32 });
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
    worker.once('message', (outcome: ExtractionOutcome) =>
      settle(() => ('article' in outcome ? resolve(outcome.article) : reject(new ExtractionFailed(`it could not be read (${outcome.error.split('\n')[0]})`)))),
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
