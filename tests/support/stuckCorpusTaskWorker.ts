/** A corpus task's worker that takes its write lock, then never finishes (as a parse that never ended would): for the time limit's test. */
import { workerData } from 'node:worker_threads';
import { lockThroughParent, type CorpusTask } from '../../src/engine/corpusTasks.js';

const [dir] = (workerData as CorpusTask).args;
await lockThroughParent(dir);
// Blocks this thread for good without spinning a core.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
