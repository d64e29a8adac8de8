/**
 * What every long-running entry point (the gateway bot, an HTTP worker) does the same way: open
 * the corpus in its worker thread while connecting, and handle signals.
 */
import { hasArticleFiles } from '../corpus/loadCorpus.js';
import { formatProblem } from '../corpus/types.js';
import { Engine } from '../engine/Engine.js';
import type { BotConfig } from './config.js';
import { reloadSummary } from '../library/reloadSummary.js';
import type { Logger } from './logger.js';

/**
 * Starts opening the corpus and returns the engine at once: until it is ready, questions are told
 * to try again in a few seconds, and /help works. Exits when there is nothing to serve.
 */
export async function openCorpus(config: BotConfig, logger: Logger): Promise<Engine> {
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection (the bot keeps running)'));
  if (!(await hasArticleFiles(config.corpusDir))) {
    logger.fatal(
      { corpusDir: config.corpusDir },
      'the corpus folder is missing or has no .md articles: set CORPUS_DIR, or check it with `npm run corpus:check`',
    );
    logger.flush();
    process.exit(1);
  }
  const engine = new Engine({ dir: config.corpusDir, cacheDir: config.cacheDir, semantic: config.semantic, logger });
  engine.ready.then(
    (report) => {
      for (const problem of report.problems) logger.warn({ file: problem.file, line: problem.line }, `corpus file skipped: ${formatProblem(problem)}`);
      logger.info({ corpusDir: config.corpusDir, ...engine.stats(), ms: Math.round(report.ms) }, 'corpus loaded');
      // Started from the saved index: the folder is then read and applied like a reload.
      void engine.upToDate.then((upToDate) => {
        if (upToDate === report) return;
        logger[upToDate.applied ? 'info' : 'warn'](
          reloadSummary(upToDate),
          upToDate.applied ? 'corpus brought up to date with the folder' : 'the folder has problems: the saved corpus keeps being served',
        );
      });
    },
    (error: Error) => {
      logger.fatal({ corpusDir: config.corpusDir, reason: error.message }, 'no valid articles to answer from: check them with `npm run corpus:check`');
      logger.flush();
      process.exit(1);
    },
  );
  return engine;
}

/**
 * SIGINT and SIGTERM run `stop` once, then close the engine and exit 0; SIGHUP (by convention,
 * "re-read your files"; without a handler Node would exit) runs `reload`.
 */
export function handleSignals({ engine, logger, stop, reload }: { engine: Engine; logger: Logger; stop: () => Promise<void>; reload: () => void }): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await stop().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping'));
    await engine.close();
    logger.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', reload);
}
