/**
 * The real engine worker, plus faults a test can trigger with a question: "\u0000crash" ends the
 * worker as a fatal error would, "\u0000hang" blocks it in an endless loop, "\u0000slow" holds it
 * for 200 ms (a costly question).
 */
import { parentPort } from 'node:worker_threads';
import type { EngineRequest } from '../../src/engine/protocol.js';

parentPort!.on('message', (message: { request?: EngineRequest; deadline?: number }) => {
  const question = message.request?.kind === 'answer' ? message.request.question : undefined;
  if (question === '\u0000crash') process.exit(70);
  if (question === '\u0000hang') for (;;);
  // Costly only when worked on: the engine worker drops a question whose deadline has passed.
  if (question === '\u0000slow' && Date.now() <= message.deadline!) for (const until = Date.now() + 200; Date.now() < until; );
});
await import('../../src/engine/engineWorker.js');
