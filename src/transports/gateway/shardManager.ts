/**
 * `npm run start:sharded`: runs the bot as several shards. SHARD_COUNT sets how many (default
 * `auto`: the count Discord recommends). By default every shard runs in this one process
 * (discord.js internal sharding), served by one engine and so one copy of the index; with
 * SHARDING_MODE=process, one process per shard under discord.js's ShardingManager, each with its
 * own copy.
 */
import { ShardingManager } from 'discord.js';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { configOrExit } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';
import { runBot } from './runBot.js';
import { planShards, shardsInThisProcess } from './sharding.js';

/** How long a shard may take to connect, at start and after a restart. */
const READY_TIMEOUT_MS = 60_000;
/**
 * A shard that dies is started again after 0.5 s, doubling while it keeps dying, up to a minute:
 * one that cannot start (corpus emptied, Discord unreachable) must not spin, flood the log or
 * spend the 1,000 identifies Discord allows a day.
 */
const RESPAWN_FIRST_MS = 500;
const RESPAWN_MAX_MS = 60_000;
/** A shard that ran this long before dying is healthy again: its next restart starts at the first delay. */
const STABLE_MS = 60_000;

const config = configOrExit('citebot cannot start');
const logger = createLogger(config);

if (config.shardingMode === 'internal') {
  let count: number;
  try {
    ({ count } = await planShards(config, process.env.SHARD_COUNT));
  } catch (error) {
    logger.fatal({ err: error }, `could not start the shards: ${(error as Error).message}`);
    process.exit(1);
  }
  logger.info({ shards: count, mode: 'internal' }, 'starting every shard in this process');
  // discord.js spaces the shards' identifies by Discord's max_concurrency itself.
  await runBot(config, logger, shardsInThisProcess(count));
} else {
  await manageShardProcesses();
}

/** SHARDING_MODE=process: one process per shard, restarted with a growing delay while it keeps dying. */
async function manageShardProcesses(): Promise<void> {
  let stopping = false;
  let manager: ShardingManager | undefined;
  const killShards = () => {
    stopping = true;
    // kill() throws for a shard whose process is already gone (one waiting to be restarted).
    for (const shard of manager?.shards.values() ?? []) if (shard.process) shard.kill();
  };

  try {
    const plan = await planShards(config, process.env.SHARD_COUNT);
    // The shard entry point next to this file: main.js when built, main.ts under tsx (tests).
    const isTypeScript = import.meta.url.endsWith('.ts');
    const shardFile = fileURLToPath(new URL(isTypeScript ? './main.ts' : './main.js', import.meta.url));
    manager = new ShardingManager(shardFile, {
      token: config.token,
      totalShards: plan.count,
      mode: 'process',
      // Restarts are ours (below): discord.js would restart a dead shard at once, again and again.
      respawn: false,
      execArgv: isTypeScript ? ['--import', 'tsx'] : [],
    });
    // In 'process' mode each shard's child is a ChildProcess, never a Worker.
    manager.on('shardCreate', (shard) => {
      let spawnedAt = Date.now();
      let failures = 0;
      shard.on('spawn', (child) => {
        spawnedAt = Date.now();
        logger.info({ shard: shard.id, of: plan.count, pid: (child as ChildProcess).pid }, 'shard started');
      });
      shard.on('death', (child) => {
        if (stopping) return;
        failures = Date.now() - spawnedAt >= STABLE_MS ? 0 : failures + 1;
        const restartInMs = Math.min(RESPAWN_MAX_MS, RESPAWN_FIRST_MS * 2 ** failures);
        const { exitCode, signalCode } = child as ChildProcess;
        logger.error({ shard: shard.id, exitCode, signal: signalCode, restartInMs }, `shard ${shard.id} stopped`);
        setTimeout(() => {
          if (stopping) return;
          // A shard that dies again is restarted by its next 'death'; this only reports it.
          shard
            .spawn(READY_TIMEOUT_MS)
            .catch((error: Error) => logger.error({ err: error, shard: shard.id }, `shard ${shard.id} did not come back: ${error.message}`));
        }, restartInMs);
      });
    });
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping every shard');
      killShards();
      process.exit(0);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    // SIGHUP: one shard reloads, and a reload in any shard reloads them all.
    process.on('SIGHUP', () => manager?.shards.first()?.process?.kill('SIGHUP'));
    await manager.spawn({ amount: plan.count, delay: plan.delayMs, timeout: READY_TIMEOUT_MS });
    logger.info({ shards: plan.count }, 'all shards ready');
  } catch (error) {
    logger.fatal({ err: error }, `could not start the shards: ${(error as Error).message}`);
    // Shards already started would otherwise outlive the manager, connected but out of its reach.
    killShards();
    process.exit(1);
  }
}
