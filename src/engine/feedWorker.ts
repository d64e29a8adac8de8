/**
 * Reads feeds (see ingest/readFeed.ts) in a reader thread, one at a time, each answered with one
 * message: the bytes are anyone's, so a feed that makes the parser loop or grow stops this thread
 * (past its limits), not the bot's.
 */
import { parentPort } from 'node:worker_threads';
import { FeedUnreadable, readFeed } from '../ingest/readFeed.js';
import type { FeedOutcome, FeedSource } from './extractionTasks.js';

parentPort!.on('message', ({ bytes, url, charset, maxItems }: FeedSource & { maxItems: number }) => {
  let outcome: FeedOutcome;
  try {
    outcome = { feed: readFeed(bytes, { url, maxItems, ...(charset && { charset }) }) };
  } catch (error) {
    outcome = error instanceof FeedUnreadable ? { unreadable: error.message } : { error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(outcome);
});
