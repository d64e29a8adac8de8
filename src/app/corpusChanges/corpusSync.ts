/**
 * How a corpus change reaches every process that serves the corpus. Commands never reload the
 * engine themselves: `CorpusChanges` asks the transport's `CorpusSync`, which knows whether
 * this process is alone, one shard of several, or one of several HTTP workers.
 */
import type { Engine } from '../../engine/Engine.js';
import type { ReloadReport } from '../../library/Library.js';
import type { Metrics } from '../../runtime/metrics.js';

export interface ShardOutcome {
  /** Shard id when sharded (a reload's outcome in each process that reports one). */
  shard?: number;
  report: ReloadReport;
}

export interface CorpusSync {
  /** Reloads the corpus from disk in every process serving it; one outcome per process that reports back. */
  reloadEverywhere(): Promise<ShardOutcome[]>;
  /** Reloads this process only: where every process watches the folder itself (each HTTP worker). */
  reloadHere(): Promise<ShardOutcome[]>;
}

/** This process's own reload, counted in its metrics. */
export function reloadCounted(engine: Pick<Engine, 'reload'>, metrics?: Metrics): () => Promise<ReloadReport> {
  return async () => {
    const report = await engine.reload();
    metrics?.observeReload(report);
    return report;
  };
}

/** One process serves the corpus: reloading it is reloading everywhere. */
export function singleProcessSync(reload: () => Promise<ReloadReport>): CorpusSync {
  const reloadHere = async () => [{ report: await reload() }];
  return { reloadEverywhere: reloadHere, reloadHere };
}
