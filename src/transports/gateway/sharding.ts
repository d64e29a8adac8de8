/**
 * Which shards this process runs (one; several in one process; or the one discord.js's
 * `ShardingManager` gave it), and how many shards to run.
 */
import { REST, Routes, type ClientOptions, type RESTGetAPIGatewayBotResult } from 'discord.js';
import type { BotConfig } from '../../runtime/config.js';

/** `ShardingManager` marks the processes it spawns with this variable. */
export function isManagedShard(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SHARDING_MANAGER === 'true';
}

/**
 * Client options for this process: under the manager, none (the client takes its shard from the
 * manager). Otherwise exactly one shard, even when SHARDS/SHARD_COUNT are set in the environment.
 */
export function singleShardUnlessManaged(env: NodeJS.ProcessEnv = process.env): Partial<ClientOptions> {
  return isManagedShard(env) ? {} : shardsInThisProcess(1, env);
}

/**
 * Client options that run shards 0 … count-1 in this one process (discord.js internal sharding),
 * all served by one engine. SHARDS/SHARD_COUNT are removed from the environment: discord.js reads
 * them whenever `shardCount` is its default of 1, and SHARD_COUNT may say "auto".
 */
export function shardsInThisProcess(count: number, env: NodeJS.ProcessEnv = process.env): Partial<ClientOptions> {
  delete env.SHARDS;
  delete env.SHARD_COUNT;
  return { shards: Array.from({ length: count }, (_, shard) => shard), shardCount: count };
}

/** Discord's recommended spacing between shard starts in one identify bucket. */
const SPAWN_DELAY_MS = 5_500;

export interface ShardPlan {
  count: number;
  /** Milliseconds between shard starts: none when every shard fits one identify bucket. */
  delayMs: number;
}

/**
 * How many shards to run. `auto` asks `GET /gateway/bot` through the bot's own REST base
 * (DISCORD_API_URL): the manager's built-in `auto` would call discord.com directly.
 */
export async function planShards(config: Pick<BotConfig, 'token' | 'apiUrl'>, shardCount: string | undefined): Promise<ShardPlan> {
  const requested = shardCount?.trim() || 'auto';
  if (requested !== 'auto') {
    const count = Number(requested);
    if (!Number.isInteger(count) || count < 1) throw new Error(`SHARD_COUNT must be a whole number of at least 1, or "auto", not "${requested}".`);
    return { count, delayMs: count > 1 ? SPAWN_DELAY_MS : 0 };
  }
  const rest = new REST({ ...(config.apiUrl && { api: config.apiUrl }) }).setToken(config.token);
  const gateway = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
  return { count: gateway.shards, delayMs: gateway.shards <= gateway.session_start_limit.max_concurrency ? 0 : SPAWN_DELAY_MS };
}
