/**
 * The real engine worker, plus two faults a test can trigger with a question: "\u0000crash" ends
 * the worker as a fatal error would, "\u0000hang" blocks it in an endless loop.
 */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', (message: { args?: unknown[] }) => {
  if (message.args?.[0] === '\u0000crash') process.exit(70);
  if (message.args?.[0] === '\u0000hang') for (;;);
});
await import('../../src/engine/engineWorker.js');
