/**
 * How a function's running time grows with its input, for tests that check that processing is
 * linear: the slope of log(time) against log(size), fitted by least squares over a few geometric
 * sizes. Linear time has a slope of about 1, quadratic time about 2.
 *
 * Made to hold on a busy machine (other test files, another CPU-bound process on the same cores):
 * - CPU time, not wall time: time spent waiting for a core is not the code's;
 * - each size is timed several times, interleaved with the others, and the least of them kept
 *   (noise only ever adds time: garbage collection, a cold cache, a preempted core);
 * - each timing runs the function enough times to take some milliseconds, so timer resolution
 *   and one-off pauses weigh little;
 * - a slope fitted over three or four sizes, not one ratio of two: one disturbed timing moves
 *   it less;
 * - a measurement that finds the slope too steep is taken again, a couple of times, before it
 *   fails: noise passes, a quadratic is too steep every time.
 */

/** Time spent by the thread that calls it: `process.threadCpuUsage` (Node 23.9+), else the process's. */
const cpuUsage: (previous?: NodeJS.CpuUsage) => NodeJS.CpuUsage =
  (process as { threadCpuUsage?: (previous?: NodeJS.CpuUsage) => NodeJS.CpuUsage }).threadCpuUsage?.bind(process) ?? process.cpuUsage.bind(process);

/**
 * CPU milliseconds that `work` takes, run `repeats` times. Where Node cannot time one thread,
 * the whole process's: a test file runs in its own process (vitest's forks pool), and nothing
 * else in it runs meanwhile.
 */
export function cpuMilliseconds(work: () => unknown, repeats = 1): number {
  const start = cpuUsage();
  for (let run = 0; run < repeats; run += 1) sink = work();
  const { user, system } = cpuUsage(start);
  return (user + system) / 1000;
}

/** Where results go, so that no compiler can drop the work that made them. */
export let sink: unknown;

/** Least-squares slope of log(milliseconds) against log(size). */
export function logLogSlope(sizes: readonly number[], milliseconds: readonly number[]): number {
  const xs = sizes.map(Math.log);
  const ys = milliseconds.map((time) => Math.log(Math.max(time, 1e-6)));
  const meanX = xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / ys.length;
  let covariance = 0;
  let variance = 0;
  xs.forEach((x, i) => {
    covariance += (x - meanX) * (ys[i]! - meanY);
    variance += (x - meanX) ** 2;
  });
  return covariance / variance;
}

/** A fitted slope at or above this is not linear: linear time is about 1, quadratic about 2. */
export const MAX_LINEAR_SLOPE = 1.5;

export interface ScalingOptions {
  /** Input sizes, smallest first: geometric, say four of them, each twice the last. */
  sizes: readonly number[];
  /** A slope at or above this is too steep, and measured again. Default MAX_LINEAR_SLOPE. */
  maxSlope?: number;
  /** CPU milliseconds each timing lasts at least (the work repeated as needed). Default 10. */
  minMilliseconds?: number;
  /** Timings of each size, of which the least is kept. Default 5. */
  rounds?: number;
  /** Measurements made before a slope too steep is reported. Default 3. */
  attempts?: number;
  /** One run of the work on an input taking longer than this stops the measurement with an error, rather than timing a regression for minutes. Default 1,000. */
  maxRunMilliseconds?: number;
}

export interface Scaling {
  /** Fitted slope of log(time) against log(size): about 1 for linear time, 2 for quadratic. */
  slope: number;
  sizes: readonly number[];
  /** Least CPU milliseconds one run took at each size. */
  milliseconds: number[];
  /** Measurements made: 1 when the first was not too steep. */
  attempts: number;
  /** The sizes, times and slope, for an assertion's message. */
  summary: string;
}

/** The least CPU milliseconds one run of `work` takes on each of `inputs`. */
function measureOnce<T>(
  work: (input: T) => unknown,
  inputs: readonly T[],
  sizes: readonly number[],
  options: Required<Omit<ScalingOptions, 'sizes' | 'maxSlope' | 'attempts'>>,
): number[] {
  // Warm-up, smallest first: the JIT compiles the work, and a regression stops at a small size.
  for (const [i, input] of inputs.entries()) {
    const once = cpuMilliseconds(() => work(input));
    if (once > options.maxRunMilliseconds) {
      throw new Error(
        `one run at size ${sizes[i]} took ${once.toFixed(0)} ms CPU (more than ${options.maxRunMilliseconds} ms): too slow to time the larger sizes`,
      );
    }
  }
  // Runs a timing of each size makes: doubled until it lasts minMilliseconds (starting from the
  // last size's, scaled down), that timing the first of the size's rounds.
  const repeatsAt: number[] = [];
  const best: number[] = [];
  for (const [i, input] of inputs.entries()) {
    let repeats = i === 0 ? 1 : Math.max(1, Math.floor((repeatsAt[i - 1]! * sizes[i - 1]!) / sizes[i]!));
    let milliseconds: number;
    while ((milliseconds = cpuMilliseconds(() => work(input), repeats)) < options.minMilliseconds) repeats *= 2;
    repeatsAt.push(repeats);
    best.push(milliseconds / repeats);
  }
  // The other rounds interleave the sizes: a disturbance that lasts a while spoils a round of
  // each size, not every timing of one.
  for (let round = 1; round < options.rounds; round += 1) {
    for (const [i, input] of inputs.entries()) {
      best[i] = Math.min(best[i]!, cpuMilliseconds(() => work(input), repeatsAt[i]) / repeatsAt[i]!);
    }
  }
  return best;
}

/**
 * How `work`'s CPU time grows over inputs made by `make` at `options.sizes`: the fitted slope
 * of the first measurement under `maxSlope`, else of the least steep of `attempts` measurements.
 */
export function measureScaling<T>(work: (input: T) => unknown, make: (size: number) => T, options: ScalingOptions): Scaling {
  const { sizes, maxSlope = MAX_LINEAR_SLOPE, attempts = 3 } = options;
  const timing = { minMilliseconds: options.minMilliseconds ?? 10, rounds: options.rounds ?? 5, maxRunMilliseconds: options.maxRunMilliseconds ?? 1000 };
  if (sizes.length < 3 || sizes.some((size, i) => i > 0 && size <= sizes[i - 1]!)) throw new Error('measureScaling needs at least three sizes, growing');
  // Each input built once, before any timing: building it is not the work timed.
  const inputs = sizes.map(make);
  let least: { slope: number; milliseconds: number[] } | undefined;
  let made = 0;
  while (made < attempts && !(least && least.slope < maxSlope)) {
    const milliseconds = measureOnce(work, inputs, sizes, timing);
    made += 1;
    const slope = logLogSlope(sizes, milliseconds);
    if (!least || slope < least.slope) least = { slope, milliseconds };
  }
  const { slope, milliseconds } = least!;
  const times = milliseconds.map((time, i) => `${sizes[i]}: ${time.toFixed(3)} ms`).join(', ');
  return {
    slope,
    sizes,
    milliseconds,
    attempts: made,
    summary: `${times}; slope ${slope.toFixed(2)} (limit ${maxSlope}, least steep of ${made} measurement${made === 1 ? '' : 's'})`,
  };
}
