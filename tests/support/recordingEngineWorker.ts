/**
 * The real engine worker, which also logs every question it is asked, with its options, as
 * "engine asked" (through the engine's log, like the worker's own lines): tests see what crossed
 * the thread.
 */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', (message: { method?: string; args?: unknown[] }) => {
  if (message.method === 'answer') parentPort!.postMessage({ type: 'log', level: 'info', message: 'engine asked', details: { args: message.args } });
});
await import('../../src/engine/engineWorker.js');
