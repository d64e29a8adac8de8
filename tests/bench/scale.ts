/**
 * Sections 2 and 3 for one corpus: query latency, build time and retained heap, engine vs
 * baseline (and flexsearch, the speed anchor, where asked), and optionally what saving the
 * engine's index to CACHE_DIR and loading it back costs instead of rebuilding.
 * Only one index is alive at a time: each is built, measured and dropped before the next.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { buildSearchIndex } from '../../src/index/buildSearchIndex.js';
import { loadSnapshot, saveSnapshot } from '../../src/index/snapshot.js';
import { baselineAnswer, buildBaseline } from './baseline.js';
import { buildFlexsearch, flexsearchAnswer } from './flexsearch.js';
import { measureBuild, settledHeapBytes, timeQueries, type LatencyStats } from './measure.js';
import type { Progress } from './progress.js';

export interface ScaleTarget {
  name: string;
  documents: CorpusDocument[];
  queries: string[];
  /** Builds to take the median of (tiny corpora build too fast for one sample). */
  buildRepeats: number;
  /** Queries run untimed first. */
  warmup: number;
  /** Timed passes over the queries (a short list needs several). */
  rounds: number;
  /** Also measure saving the engine's index to a cache folder and loading it back. */
  persist: boolean;
  /** Also measure flexsearch on the same passages and queries. */
  flexsearch: boolean;
}

/** One system on one corpus: the JSON shape issue 8 asks for, plus the sample count and rate. */
export interface SystemStats extends LatencyStats {
  /** Median build time. */
  buildMs: number;
  /** Heap the built index retains. */
  heapMB: number;
}

/** The engine's index saved with `saveSnapshot` (what the bot keeps in CACHE_DIR) and loaded back. */
export interface PersistStats {
  diskMB: number;
  saveMs: number;
  loadMs: number;
  loadedHeapMB: number;
  /** The engine's build time, for comparison. */
  rebuildMs: number;
}

export interface ScaleReport {
  name: string;
  documents: number;
  passages: number;
  engine: SystemStats;
  baseline: SystemStats;
  flexsearch?: SystemStats;
  persisted?: PersistStats;
}

export async function benchScale(target: ScaleTarget, progress: Progress): Promise<ScaleReport> {
  const engine = await benchEngine(target, progress);
  const baseline = benchSystem(target, 'baseline', buildBaseline, (built, query) => baselineAnswer(built, query, 1), progress);
  const flexsearch = target.flexsearch ? benchSystem(target, 'flexsearch', buildFlexsearch, flexsearchAnswer, progress) : undefined;
  return {
    name: target.name,
    documents: target.documents.length,
    passages: engine.passages,
    engine: engine.stats,
    baseline,
    ...(flexsearch && { flexsearch }),
    ...(engine.persisted && { persisted: engine.persisted }),
  };
}

/** The engine's numbers; its index is unreachable once this returns. */
async function benchEngine({ name, documents, queries, buildRepeats, warmup, rounds, persist }: ScaleTarget, progress: Progress) {
  progress.phase(`${name}: engine index build`);
  const { value: index, ms, heapMB } = measureBuild(() => buildSearchIndex(documents), buildRepeats);
  const latency = timeQueries(queries, (query) => answerQuestion(index, query), { warmup, rounds, onProgress: progress.phase(`${name}: engine queries`) });
  let persisted: PersistStats | undefined;
  if (persist) {
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-bench-snapshot-'));
    try {
      progress.phase(`${name}: saving the engine's index (saveSnapshot)`);
      let started = performance.now();
      await saveSnapshot(cacheDir, index, cacheDir);
      const saveMs = performance.now() - started;
      progress.phase(`${name}: loading the engine's index (loadSnapshot)`);
      const heapBefore = settledHeapBytes();
      started = performance.now();
      const loaded = await loadSnapshot(cacheDir);
      const loadMs = performance.now() - started;
      const loadedHeapMB = (settledHeapBytes() - heapBefore) / 1024 / 1024;
      if (loaded.passages.length !== index.passages.length) throw new Error('the loaded snapshot lost passages');
      persisted = { diskMB: (await folderBytes(cacheDir)) / 1024 / 1024, saveMs, loadMs, loadedHeapMB, rebuildMs: ms };
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  }
  return { stats: { buildMs: ms, heapMB, ...latency } satisfies SystemStats, passages: index.passages.length, persisted };
}

/** Bytes of every file under `dir`. */
async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** A comparison system's numbers: built by `build`, asked with `answer`. */
function benchSystem<T>(
  { name, documents, queries, buildRepeats, warmup, rounds }: ScaleTarget,
  system: string,
  build: (documents: CorpusDocument[]) => T,
  answer: (built: T, query: string) => unknown,
  progress: Progress,
): SystemStats {
  progress.phase(`${name}: ${system} index build`);
  const { value: built, ms, heapMB } = measureBuild(() => build(documents), buildRepeats);
  const latency = timeQueries(queries, (query) => answer(built, query), { warmup, rounds, onProgress: progress.phase(`${name}: ${system} queries`) });
  return { buildMs: ms, heapMB, ...latency };
}
