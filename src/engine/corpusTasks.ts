/**
 * Corpus file changes (an upload written, an article retired) run off the Discord thread, each in
 * a short-lived worker thread: their checks read the articles the file would be served with. The
 * functions keep the signatures of the ones in corpusFiles.ts, errors included (their `code`,
 * and `CorpusBusy`), so callers handle them as before.
 */
import { CorpusBusy, type retireCorpusFile, type writeCorpusFile } from '../corpus/corpusFiles.js';
import { siblingWorker, startWorker } from './Engine.js';

export type CorpusTask = { kind: 'write'; args: Parameters<typeof writeCorpusFile> } | { kind: 'retire'; args: Parameters<typeof retireCorpusFile> };

export type CorpusTaskOutcome = { result: unknown } | { error: { name: string; message: string; code?: string } };

const TASK_WORKER_URL = siblingWorker('corpusTaskWorker');

function run(task: CorpusTask): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(TASK_WORKER_URL, task);
    let settled = false;
    worker.once('message', (outcome: CorpusTaskOutcome) => {
      settled = true;
      if ('result' in outcome) return resolve(outcome.result);
      const { name, message, code } = outcome.error;
      reject(Object.assign(name === 'CorpusBusy' ? new CorpusBusy(message) : new Error(message), code && { code }));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the corpus task ended without an answer (exit ${code})`));
    });
  });
}

/** How corpus files are changed: `offThread` in the bot; tests may run them in their own thread to fake file-system failures. */
export interface CorpusTasks {
  write: (...args: Parameters<typeof writeCorpusFile>) => ReturnType<typeof writeCorpusFile>;
  retire: (...args: Parameters<typeof retireCorpusFile>) => Promise<Awaited<ReturnType<typeof retireCorpusFile>>>;
}

export const offThread: CorpusTasks = {
  write: (...args) => run({ kind: 'write', args }) as ReturnType<typeof writeCorpusFile>,
  retire: (...args) => run({ kind: 'retire', args }) as Promise<Awaited<ReturnType<typeof retireCorpusFile>>>,
};
