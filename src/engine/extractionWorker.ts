/**
 * Reads one article (see ingest/readArticle.ts) in a worker thread, then ends: the bytes are
 * anyone's, so a page that makes the parser loop or grow stops this thread, not the bot's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readArticle, type ReadSource } from '../ingest/readArticle.js';
import type { ExtractionOutcome } from './extractionTasks.js';

let outcome: ExtractionOutcome;
try {
  outcome = { article: await readArticle(workerData as ReadSource) };
} catch (error) {
  outcome = { error: error instanceof Error ? error.message : String(error) };
}
parentPort!.postMessage(outcome);
