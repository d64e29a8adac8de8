/**
 * A separate process adding one server article through a corpus task, as the bot does (the task's
 * write lock held by this thread), for the cross-process tests; prints the WriteResult as JSON.
 * Usage: addThroughTask.ts DIR SCOPE FILE ID [stall]
 *
 * With `stall`, the task's checks stop once they have listed the folders (slowCorpusTaskWorker.ts)
 * and this thread, the lock's holder, is blocked, so the lock goes stale: it prints 'held', and
 * both go on after a line on stdin.
 */
import { readSync } from 'node:fs';
import { BroadcastChannel } from 'node:worker_threads';
import { corpusTasksInWorkers } from '../../src/engine/corpusTasks.js';

const [dir, scope, file, id, stall] = process.argv.slice(2) as [string, string, string, string, string?];
const bytes = new TextEncoder().encode(
  `---\nid: ${id}\ntitle: Written by ${file}\nauthor: A\npublisher: P\npublished: 2020-01-01\nurl: https://example.com/${file}\n---\n\nText of ${file}.\n`,
);
let channel: BroadcastChannel | undefined;
if (stall === 'stall') {
  channel = new BroadcastChannel('citebot-slow-corpus-task');
  channel.onmessage = () => {
    process.stdout.write('held\n');
    // Blocks this thread (no timer runs, so the lock is not refreshed) until the test says go.
    readSync(0, Buffer.alloc(16));
    channel!.postMessage('go');
  };
}
const tasks = corpusTasksInWorkers(stall === 'stall' ? { workerUrl: new URL('./slowCorpusTaskWorker.ts', import.meta.url) } : {});
const result = await tasks.write(dir, file, bytes, { replace: false, scope });
channel?.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
