/** An extraction worker that never answers (as a parse that never ended would): for the time limit's test. */
// Blocks this thread for good without spinning a core.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
