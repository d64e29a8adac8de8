/** The real engine worker, started 1.5 s late: a corpus that is still loading. */
await new Promise((resolve) => setTimeout(resolve, 1500));
await import('../../src/engine/engineWorker.js');
