/**
 * Runs one change to the database's articles (see articleRows.ts) in a worker thread, then ends:
 * its checks read the base corpus, which grows with it and so must not run on the thread that
 * talks to Discord. A connection of its own, closed with the thread: a task stopped past its time
 * limit takes its transaction with it, rolled back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toWire, type CorpusTask, type CorpusTaskOutcome } from '../engine/corpusTasks.js';
import { retireArticleRow, writeArticleRow } from './articleRows.js';
import { asUnavailable, connectClient } from './database.js';

const task = workerData as CorpusTask & { databaseUrl: string };
const client = connectClient(task.databaseUrl);
// A connection lost mid-change fails the query in flight, which says so; the event itself must not end the thread.
client.on('error', () => undefined);
let outcome: CorpusTaskOutcome;
try {
  await client.connect();
  const result = task.kind === 'write' ? await writeArticleRow(client, ...task.args) : await retireArticleRow(client, ...task.args);
  outcome = { result };
} catch (error) {
  outcome = { error: toWire(asUnavailable(error)) };
} finally {
  await client.end().catch(() => undefined);
}
parentPort!.postMessage(outcome!);
