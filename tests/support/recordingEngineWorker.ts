/**
 * The real engine worker, which also logs every request it gets ("engine request", with its
 * kind) and every question it is asked, with its options ("engine asked"), through the engine's
 * log like the worker's own lines: tests see what crossed the thread.
 */
import { parentPort } from 'node:worker_threads';
import type { EngineRequest } from '../../src/engine/protocol.js';

parentPort!.on('message', (message: { request?: EngineRequest }) => {
  const { request } = message;
  if (request) parentPort!.postMessage({ type: 'log', level: 'info', message: 'engine request', details: { kind: request.kind } });
  if (request?.kind === 'answer')
    parentPort!.postMessage({ type: 'log', level: 'info', message: 'engine asked', details: { args: [request.question, request.options] } });
});
await import('../../src/engine/engineWorker.js');
