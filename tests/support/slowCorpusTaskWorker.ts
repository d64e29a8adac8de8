/**
 * A corpus task's worker whose checks stall once they have listed the folders and start reading
 * articles (as reading a large corpus does), until told to go on: for the lost-lock test. It says
 * 'held' and waits for any answer on the BroadcastChannel 'citebot-slow-corpus-task' (see
 * addThroughTask.ts), then runs as the bot's.
 */
import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { BroadcastChannel } from 'node:worker_threads';

const channel = new BroadcastChannel('citebot-slow-corpus-task');
const readFile = fs.readFile;
let held: Promise<void> | undefined;
fs.readFile = (async (...args: Parameters<typeof readFile>) => {
  held ??= new Promise<void>((resolve) => {
    channel.onmessage = () => resolve();
    channel.postMessage('held');
  });
  await held;
  return readFile(...args);
}) as typeof readFile;
// The loader's `import { readFile } from 'node:fs/promises'` sees the slow one.
syncBuiltinESMExports();
try {
  await import('../../src/engine/corpusTaskWorker.js');
} finally {
  channel.close();
}
