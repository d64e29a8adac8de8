/**
 * Sections 2 and 3 for one corpus: query latency, build time and retained heap, engine vs
 * baseline, and optionally what loading a persisted index would cost instead of rebuilding.
 * Only one index is alive at a time: each is built, measured and dropped before the next.
 */
import MiniSearch from 'minisearch';
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { buildSearchIndex, MINISEARCH_OPTIONS } from '../../src/index/buildSearchIndex.js';
import { baselineAnswer, buildBaseline } from './baseline.js';
import { measureBuild, timeQueries, type BuildStats, type LatencyStats } from './measure.js';
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
  /** Also measure serialising the engine's minisearch index and loading it back. */
  persist: boolean;
}

export interface SystemStats {
  build: BuildStats;
  latency: LatencyStats;
}

/** The engine's minisearch index saved with `toJSON` and loaded with `loadJSON`, against a rebuild. */
export interface PersistStats {
  jsonMB: number;
  saveMs: number;
  loadMs: number;
  loadedHeapMB: number;
  rebuildMs: number;
}

export interface ScaleReport {
  name: string;
  documents: number;
  passages: number;
  engine: SystemStats;
  baseline: SystemStats;
  persisted?: PersistStats;
}

export function benchScale(target: ScaleTarget, progress: Progress): ScaleReport {
  const engine = benchEngine(target, progress);
  const persisted = engine.json && benchLoad(engine.json, engine.system.build.ms, target.name, progress);
  const baseline = benchBaseline(target, progress);
  return { name: target.name, documents: target.documents.length, passages: engine.passages, engine: engine.system, baseline, ...(persisted && { persisted }) };
}

/** The engine's numbers; its index is unreachable once this returns. */
function benchEngine({ name, documents, queries, buildRepeats, warmup, rounds, persist }: ScaleTarget, progress: Progress) {
  progress.phase(`${name}: engine index build`);
  const { value: index, ms, heapMB } = measureBuild(() => buildSearchIndex(documents), buildRepeats);
  const latency = timeQueries(queries, (query) => answerQuestion(index, query), { warmup, rounds, onProgress: progress.phase(`${name}: engine queries`) });
  let json: { text: string; mb: number; ms: number } | undefined;
  if (persist) {
    progress.phase(`${name}: saving the engine's minisearch index (toJSON)`);
    const started = performance.now();
    const text = JSON.stringify(index.miniSearch);
    json = { text, ms: performance.now() - started, mb: Buffer.byteLength(text) / 1024 / 1024 };
  }
  return { system: { build: { ms, heapMB }, latency } satisfies SystemStats, passages: index.passages.length, json };
}

function benchLoad(json: { text: string; mb: number; ms: number }, rebuildMs: number, name: string, progress: Progress): PersistStats {
  progress.phase(`${name}: loading the engine's minisearch index (loadJSON)`);
  const loaded = measureBuild(() => MiniSearch.loadJSON(json.text, MINISEARCH_OPTIONS));
  return { jsonMB: json.mb, saveMs: json.ms, loadMs: loaded.ms, loadedHeapMB: loaded.heapMB, rebuildMs };
}

function benchBaseline({ name, documents, queries, buildRepeats, warmup, rounds }: ScaleTarget, progress: Progress): SystemStats {
  progress.phase(`${name}: baseline index build`);
  const { value: baseline, ms, heapMB } = measureBuild(() => buildBaseline(documents), buildRepeats);
  const latency = timeQueries(queries, (query) => baselineAnswer(baseline, query, 1), { warmup, rounds, onProgress: progress.phase(`${name}: baseline queries`) });
  return { build: { ms, heapMB }, latency };
}
