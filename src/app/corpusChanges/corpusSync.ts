/**
 * How a corpus change reaches every process that serves the corpus. Commands never reload the
 * engine themselves: `CorpusChanges` asks the transport's `CorpusSync`, which knows whether
 * this process is alone, one shard of several, or one of several HTTP workers.
 */
import type { Client } from 'discord.js';
import type { Engine } from '../../engine/Engine.js';
import { formatProblemLines } from '../../corpus/types.js';
import type { ReloadReport } from '../../library/Library.js';
import type { ShardOutcome } from './corpusChanges.js';
import type { Metrics } from '../../runtime/metrics.js';

export interface CorpusSync {
  /** Reloads the corpus from disk in every process serving it; one outcome per process that reports back. */
  reloadEverywhere(): Promise<ShardOutcome[]>;
}

/** This process's own reload, counted in its metrics. */
export function reloadCounted(library: Pick<Engine, 'reload'>, metrics?: Metrics): () => Promise<ReloadReport> {
  return async () => {
    const report = await library.reload();
    metrics?.observeReload(report);
    return report;
  };
}

/**
 * Ids and problems a reload's log line lists, at most: enough to find what changed or what is
 * broken (other servers' files included), never a whole large corpus on every reload.
 */
const LOGGED_ITEMS = 20;

/** A reload's outcome for a log line: counts, the first few ids of each change, and the first problems (files left out, or why it was refused). */
export function reloadSummary({ applied, added, removed, changed, analysed, problems, documents, passages, ms }: ReloadReport): Record<string, unknown> {
  return {
    applied,
    documents,
    passages,
    ms: Math.round(ms),
    analysed,
    counts: { added: added.length, removed: removed.length, changed: changed.length, problems: problems.length },
    added: added.slice(0, LOGGED_ITEMS),
    removed: removed.slice(0, LOGGED_ITEMS),
    changed: changed.slice(0, LOGGED_ITEMS),
    ...(problems.length > 0 && { firstProblems: formatProblemLines(problems).slice(0, LOGGED_ITEMS) }),
  };
}

/** One process serves the corpus: reloading it is reloading everywhere. */
export function singleProcessSync(reload: () => Promise<ReloadReport>): CorpusSync {
  return { reloadEverywhere: async () => [{ report: await reload() }] };
}

/**
 * Name of the function each shard's client carries to reload its own library: the manager
 * evaluates code in every shard by sending it as text, so it can reach the library only
 * through the client.
 */
export const RELOAD_THIS_SHARD = 'citebotReloadThisShard';

/**
 * Shards (discord.js ShardingManager): every shard reloads, through the manager, and reports.
 * Each reads the same CORPUS_DIR and applies it only if valid, so all serve the same corpus.
 */
export function shardedSync(client: Client, reload: () => Promise<ReloadReport>): CorpusSync {
  Object.assign(client, { [RELOAD_THIS_SHARD]: reload });
  return {
    async reloadEverywhere() {
      const outcomes = await client.shard!.broadcastEval(async (shardClient, { hook }) => {
        const reloadThisShard = (shardClient as unknown as Record<string, () => Promise<ReloadReport>>)[hook]!;
        return { shard: shardClient.shard!.ids[0], report: await reloadThisShard() };
      }, { context: { hook: RELOAD_THIS_SHARD } });
      return outcomes as ShardOutcome[];
    },
  };
}
