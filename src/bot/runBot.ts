/**
 * Runs the bot in this process: opens the corpus in the engine (while connecting), connects the
 * shards `clientOptions` names, and handles signals. `npm start` runs one shard this way;
 * `npm run start:sharded` several, sharing the one engine (or, with SHARDING_MODE=process, one
 * process per shard, each calling this).
 */
import type { ClientOptions } from 'discord.js';
import { hasArticleFiles } from '../corpus/loadCorpus.js';
import { formatProblem } from '../corpus/types.js';
import { Engine } from '../engine/Engine.js';
import { commands } from './commands/index.js';
import type { BotConfig } from './config.js';
import { createBot } from './createBot.js';
import type { Logger } from './logger.js';
import { watchCorpus } from './watchCorpus.js';

export async function runBot(config: BotConfig, logger: Logger, clientOptions: Partial<ClientOptions>): Promise<void> {
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection (the bot keeps running)'));

  // The corpus opens in a worker while the bot connects: until it is ready, questions are told
  // to try again in a few seconds, and /help works.
  if (!(await hasArticleFiles(config.corpusDir))) {
    logger.fatal({ corpusDir: config.corpusDir }, 'the corpus folder is missing or has no .md articles: set CORPUS_DIR, or check it with `npm run corpus:check`');
    logger.flush();
    process.exit(1);
  }
  const library = new Engine({ dir: config.corpusDir, cacheDir: config.cacheDir, semantic: config.semantic, logger });
  library.ready.then(
    (report) => {
      for (const problem of report.problems) logger.warn({ file: problem.file, line: problem.line }, `corpus file skipped: ${formatProblem(problem)}`);
      logger.info({ corpusDir: config.corpusDir, ...library.stats(), ms: Math.round(report.ms) }, 'corpus loaded');
      // Started from the saved index: the folder is then read and applied like a reload.
      void library.upToDate.then((upToDate) => {
        if (upToDate === report) return;
        const { problems, skipped: _skipped, titles: _titles, ...summary } = upToDate;
        logger[upToDate.applied ? 'info' : 'warn']({ ...summary, problems: problems.map(formatProblem) }, upToDate.applied ? 'corpus brought up to date with the folder' : 'the folder has problems: the saved corpus keeps being served');
      });
    },
    (error: Error) => {
      logger.fatal({ corpusDir: config.corpusDir, reason: error.message }, 'no valid articles to answer from: check them with `npm run corpus:check`');
      logger.flush();
      process.exit(1);
    },
  );

  const bot = createBot({ config, library, logger, commands, clientOptions });

  let stopping = false;
  let stopWatching: (() => void) | undefined;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stopWatching?.();
    await bot.stop().catch((error: unknown) => logger.warn({ err: error }, 'error while disconnecting'));
    await library.close();
    logger.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // Without a handler Node exits on SIGHUP; by convention it means "re-read your files".
  process.on('SIGHUP', () => void bot.corpus.reload({ id: 'SIGHUP', reason: 'signal' }));

  try {
    await bot.start();
  } catch (error) {
    const code = (error as { code?: string }).code;
    logger.fatal({ code }, code === 'TokenInvalid' ? 'Discord rejected DISCORD_TOKEN: reset the token in the Developer Portal and update .env' : `could not connect to Discord: ${(error as Error).message}`);
    process.exit(1);
  }
  // One watcher per engine: under the process manager only shard 0 watches, since a reload in any shard reloads them all.
  if (config.corpusWatch && (bot.client.shard?.ids[0] ?? 0) === 0) stopWatching = watchCorpus(config.corpusDir, () => void bot.corpus.reload({ id: 'watcher', reason: 'files changed' }), { logger });
}
