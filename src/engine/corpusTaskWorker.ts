/**
 * Runs one corpus file change (see corpusTasks.ts) in a worker thread, then ends: checking an
 * upload reads every article it could clash with, which grows with the corpus and so must not
 * run on the thread that talks to Discord.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { retireCorpusFile, writeCorpusFile } from '../corpus/corpusFiles.js';
import type { CorpusTask, CorpusTaskOutcome } from './corpusTasks.js';

const task = workerData as CorpusTask;
let outcome: CorpusTaskOutcome;
try {
  const result = task.kind === 'write' ? await writeCorpusFile(...task.args) : await retireCorpusFile(...task.args);
  outcome = { result };
} catch (error) {
  const { name, message, code } = error as NodeJS.ErrnoException;
  outcome = { error: { name, message, ...(code && { code }) } };
}
parentPort!.postMessage(outcome);
