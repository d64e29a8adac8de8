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
 * A plain `npm start` is exactly one shard, even when SHARDS/SHARD_COUNT are set in the
 * environment (discord.js clients read them); under the manager, the client takes its shard
 * from there.
 */
export function shardClientOptions(env: NodeJS.ProcessEnv = process.env): Partial<ClientOptions> {
  return isManagedShard(env) ? {} : { shards: 0, shardCount: 1 };
}
