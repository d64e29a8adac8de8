/**
 * Reads one feed (see ingest/readFeed.ts) in a worker thread, then ends: the bytes are anyone's,
 * so a feed that makes the parser loop or grow stops this thread, not the bot's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FeedUnreadable, readFeed } from '../ingest/readFeed.js';
import type { FeedOutcome, FeedSource } from './extractionTasks.js';

const { bytes, url, charset, maxItems } = workerData as FeedSource & { maxItems: number };
let outcome: FeedOutcome;
try {
  outcome = { feed: readFeed(bytes, { url, maxItems, ...(charset && { charset }) }) };
} catch (error) {
  outcome = error instanceof FeedUnreadable ? { unreadable: error.message } : { error: error instanceof Error ? error.message : String(error) };
}
parentPort!.postMessage(outcome);
