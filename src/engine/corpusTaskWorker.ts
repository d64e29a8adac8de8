/**
 * Runs one corpus file change (see corpusTasks.ts) in a worker thread, then ends: checking an
 * upload reads every article it could clash with, which grows with the corpus and so must not
 * run on the thread that talks to Discord. Its write lock is held by the parent thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { retireCorpusFile, writeCorpusFile } from './corpusFiles.js';
import { lockThroughParent, toWire, type CorpusTask, type CorpusTaskOutcome } from './corpusTasks.js';

const task = workerData as CorpusTask;
let outcome: CorpusTaskOutcome;
try {
  let result: unknown;
  if (task.kind === 'write') {
    const [dir, fileName, bytes, options] = task.args;
    result = await writeCorpusFile(dir, fileName, bytes, { ...options, lock: lockThroughParent });
  } else {
    const [dir, documentId, options] = task.args;
    result = await retireCorpusFile(dir, documentId, { ...options, lock: lockThroughParent });
  }
  outcome = { result };
} catch (error) {
  outcome = { error: toWire(error) };
}
parentPort!.postMessage(outcome);
