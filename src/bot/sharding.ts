/**
 * What changes when this process is one shard of several (started by discord.js's
 * `ShardingManager`): which shards the client runs.
 */
import type { ClientOptions } from 'discord.js';

/** `ShardingManager` marks the processes it spawns with this variable. */
export function isManagedShard(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SHARDING_MANAGER === 'true';
}

/**
 * Client options for this process: under the manager, none (the client takes its shard from the
 * manager). Otherwise exactly one shard, even when SHARDS/SHARD_COUNT are set in the environment:
 * discord.js reads them whenever `shardCount` is its default of 1, so they are removed here.
 */
export function singleShardUnlessManaged(env: NodeJS.ProcessEnv = process.env): Partial<ClientOptions> {
  if (isManagedShard(env)) return {};
  delete env.SHARDS;
  delete env.SHARD_COUNT;
  return { shards: 0, shardCount: 1 };
}
