/**
 * The bot's entry point (`npm start`, or `node dist/bot/main.js` under a process manager):
 * validates configuration, loads the corpus, connects, and handles signals.
 */
import type { Server } from 'node:http';
import { commands } from './commands/index.js';
import { configOrExit } from './config.js';
import { createBot } from './createBot.js';
import { createLogger } from './logger.js';
import { serveOps } from './ops.js';
import { singleShardUnlessManaged } from './sharding.js';
import { handleSignals, openCorpus } from './startup.js';
import { watchCorpus } from './watchCorpus.js';

const config = configOrExit('citebot cannot start');
const logger = createLogger(config);
// The corpus opens in a worker while the bot connects.
const library = await openCorpus(config, logger);
const bot = createBot({ config, library, logger, commands, clientOptions: singleShardUnlessManaged() });

let stopWatching: (() => void) | undefined;
let ops: Server | undefined;
handleSignals({
  library,
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
  logger.fatal({ code }, code === 'TokenInvalid' ? 'Discord rejected DISCORD_TOKEN: reset the token in the Developer Portal and update .env' : `could not connect to Discord: ${(error as Error).message}`);
  process.exit(1);
}
// Sharded, one watcher is enough (shard 0): a reload in any shard reloads every shard.
const shard = bot.client.shard?.ids[0] ?? 0;
if (config.corpusWatch && shard === 0) stopWatching = watchCorpus(config.corpusDir, () => void bot.corpus.reload({ id: 'watcher', reason: 'files changed' }), { logger });
// Sharded, each shard is a process with its own metrics: shard N listens on METRICS_PORT + N.
if (config.metricsPort !== undefined) {
  const port = config.metricsPort + shard;
  ops = await serveOps(port, { library, metrics: bot.metrics }, logger).catch((error: unknown) => {
    logger.error({ err: error, port }, 'could not serve /metrics and /healthz (the bot keeps running)');
    return undefined;
  });
  if (ops) logger.info({ port }, 'serving /metrics and /healthz');
}
