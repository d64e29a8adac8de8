/** How a corpus change reaches every shard of the gateway bot (see src/app/corpusChanges/corpusSync.ts). */
import type { Client } from 'discord.js';
import type { CorpusSync, ShardOutcome } from '../../app/corpusChanges/corpusSync.js';
import type { ReloadReport } from '../../library/Library.js';

/**
 * Name of the function each shard's client carries to reload its own engine: the manager
 * evaluates code in every shard by sending it as text, so it can reach the engine only
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
      const outcomes = await client.shard!.broadcastEval(
        async (shardClient, { hook }) => {
          const reloadThisShard = (shardClient as unknown as Record<string, () => Promise<ReloadReport>>)[hook]!;
          return { shard: shardClient.shard!.ids[0], report: await reloadThisShard() };
        },
        { context: { hook: RELOAD_THIS_SHARD } },
      );
      return outcomes as ShardOutcome[];
    },
    reloadHere: async () => [{ shard: client.shard!.ids[0], report: await reload() }],
  };
}
