/** Timing, percentiles and heap measurement shared by the bench sections. */

/** Nearest-rank percentile (p in 0–100) of unsorted values: always one of the values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface LatencyStats {
  /** Timed queries (warm-up excluded). */
  queries: number;
  p50Ms: number;
  p99Ms: number;
  /** Sequential throughput on one thread. */
  perSecond: number;
}

/**
 * Times `run` once per query, in order, after running the first `warmup` queries untimed (so
 * the JIT has compiled the query path). `rounds` repeats the list to get enough samples from a
 * short one.
 */
export function timeQueries(
  queries: readonly string[],
  run: (query: string) => unknown,
  options: { warmup: number; rounds?: number; onProgress?: (fraction: number) => void },
): LatencyStats {
  const { warmup, rounds = 1, onProgress } = options;
  for (const query of queries.slice(0, warmup)) run(query);
  const samples: number[] = [];
  const total = queries.length * rounds;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (const query of queries) {
      const before = performance.now();
      run(query);
      samples.push(performance.now() - before);
      onProgress?.(samples.length / total);
    }
  }
  const totalMs = performance.now() - started;
  return { queries: samples.length, p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), perSecond: (samples.length / totalMs) * 1000 };
}

/** Heap in use after a full collection. Needs `node --expose-gc` (the npm script passes it). */
export function settledHeapBytes(): number {
  if (!globalThis.gc) throw new Error('run the bench with node --expose-gc (npm run bench does)');
  // Twice: the first run can leave garbage that only becomes collectable after finalizers run.
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

export interface BuildStats {
  /** Median build time over the repeats. */
  ms: number;
  /** Heap retained per built value. */
  heapMB: number;
}

/**
 * Builds `repeats` times, keeping every result alive, and reports the median time and the heap
 * retained per result: a tiny corpus builds in a millisecond into a few hundred kB, where one
 * sample of either would be noise. Returns the last result.
 */
export function measureBuild<T>(build: () => T, repeats = 1): { value: T } & BuildStats {
  const before = settledHeapBytes();
  const times: number[] = [];
  const values: T[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    values.push(build());
    times.push(performance.now() - started);
  }
  const heapMB = (settledHeapBytes() - before) / repeats / 1024 / 1024;
  return { value: values.at(-1)!, ms: percentile(times, 50), heapMB };
}
