/**
 * Reads articles (see ingest/readArticle.ts) in a reader thread, one at a time, each answered with
 * one message: the bytes are anyone's, so a page that makes the parser loop or grow stops this
 * thread (past its limits), not the bot's.
 */
import { parentPort } from 'node:worker_threads';
import { readArticle, type ReadSource } from '../ingest/readArticle.js';
import type { ExtractionOutcome } from './extractionTasks.js';

parentPort!.on('message', async (source: ReadSource) => {
  let outcome: ExtractionOutcome;
  try {
    outcome = { article: await readArticle(source) };
  } catch (error) {
    outcome = { error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(outcome);
});
