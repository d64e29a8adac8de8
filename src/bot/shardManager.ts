/**
 * `npm run start:sharded`: runs the bot as several shards, one process each, with discord.js's
 * ShardingManager. SHARD_COUNT sets how many (default `auto`: the count Discord recommends).
 */
import { ShardingManager } from 'discord.js';
import { fileURLToPath } from 'node:url';
import { configOrExit } from './config.js';
import { createLogger } from './logger.js';
import { planShards } from './sharding.js';

const config = configOrExit('citebot cannot start');
const logger = createLogger(config);

try {
  const plan = await planShards(config, process.env.SHARD_COUNT);
  // The shard entry point next to this file: main.js when built, main.ts under tsx (tests).
  const isTypeScript = import.meta.url.endsWith('.ts');
  const shardFile = fileURLToPath(new URL(isTypeScript ? './main.ts' : './main.js', import.meta.url));
  const manager = new ShardingManager(shardFile, {
    token: config.token,
    totalShards: plan.count,
    mode: 'process',
    respawn: true,
    execArgv: isTypeScript ? ['--import', 'tsx'] : [],
  });
  manager.on('shardCreate', (shard) => logger.info({ shard: shard.id, of: plan.count }, 'shard started'));
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping every shard');
    for (const shard of manager.shards.values()) shard.kill();
    process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // SIGHUP: one shard reloads, and a reload in any shard reloads them all.
  process.on('SIGHUP', () => manager.shards.first()?.process?.kill('SIGHUP'));
  await manager.spawn({ amount: plan.count, delay: plan.delayMs, timeout: 60_000 });
  logger.info({ shards: plan.count }, 'all shards ready');
} catch (error) {
  logger.fatal({ err: error }, `could not start the shards: ${(error as Error).message}`);
  process.exit(1);
}
