/**
 * Runs the gateway bot in this process: opens the corpus in the engine (while connecting),
 * connects the shards `clientOptions` names, and handles signals. `npm start` runs one shard
 * this way; `npm run start:sharded` several, sharing the one engine (or, with
 * SHARDING_MODE=process, one process per shard, each calling this).
 */
import type { Server } from 'node:http';
import type { ClientOptions } from 'discord.js';
import { commands } from '../../app/commands/index.js';
import type { BotConfig } from '../../runtime/config.js';
import { openDatabaseStore } from '../../store/databaseStore.js';
import { createBot } from './createBot.js';
import type { Logger } from '../../runtime/logger.js';
import { serveOps } from '../../runtime/ops.js';
import { handleSignals, openCorpus } from '../../runtime/startup.js';
import { watchFolder } from '../../app/corpusChanges/watchFolder.js';

export async function runBot(config: BotConfig, logger: Logger, clientOptions: Partial<ClientOptions>): Promise<void> {
  // The corpus opens in a worker while the bot connects.
  const engine = await openCorpus(config, logger);
  const store = config.databaseUrl
    ? openDatabaseStore({ databaseUrl: config.databaseUrl, corpusDir: config.corpusDir, cacheDir: config.cacheDir, logger })
    : undefined;
  const bot = createBot({ config, engine, logger, commands, clientOptions, store });

  let stopWatching: (() => void) | undefined;
  let ops: Server | undefined;
  handleSignals({
    engine,
    logger,
    async stop() {
      stopWatching?.();
      ops?.close();
      await bot.stop();
    },
    reload: () => void bot.corpus.reload({ id: 'SIGHUP', reason: 'signal' }),
  });

  try {
    await bot.start();
  } catch (error) {
    const code = (error as { code?: string }).code;
    logger.fatal(
      { code },
      code === 'TokenInvalid'
        ? 'Discord rejected DISCORD_TOKEN: reset the token in the Developer Portal and update .env'
        : `could not connect to Discord: ${(error as Error).message}`,
    );
    process.exit(1);
  }
  // One watcher per engine: under the process manager only shard 0 watches, since a reload in any shard reloads them all.
  const shard = bot.client.shard?.ids[0] ?? 0;
  if (config.corpusWatch && shard === 0) stopWatching = watchFolder(config.corpusDir, bot.corpus, 'everywhere', logger);
  // Under the process manager each shard is a process with its own metrics: shard N listens on METRICS_PORT + N.
  if (config.metricsPort !== undefined) {
    const port = config.metricsPort + shard;
    const host = config.metricsHost;
    ops = await serveOps({ port, host }, { engine, metrics: bot.metrics, store: store?.state }, logger).catch((error: unknown) => {
      logger.error({ err: error, port, host }, 'could not serve /metrics and /healthz (the bot keeps running)');
      return undefined;
    });
    if (ops) logger.info({ port, host }, 'serving /metrics and /healthz');
  }
}
