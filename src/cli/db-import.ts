/**
 * `npm run db:import -- [--corpus DIR] [--cache DIR]`: copies a files-based deployment (each
 * server's own articles, and feedback) into the database DATABASE_URL names, before the bot runs
 * with it. Safe to run again: it copies only what changed since.
 */
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { createLogger } from '../runtime/logger.js';
import { importFiles } from '../store/importFiles.js';
import { runCli, UsageError } from './runCli.js';

const USAGE = `Usage: npm run db:import -- [--corpus DIR] [--cache DIR]

Copies each server's own articles (CORPUS_DIR/servers/) and the recorded feedback
(CACHE_DIR/feedback/) into the database DATABASE_URL names (also read from .env), creating
its tables if needed. Run it before starting the bot with DATABASE_URL; running it again
copies only what changed since.

  --corpus DIR  the bot's CORPUS_DIR (default: $CORPUS_DIR or ./corpus)
  --cache DIR   the bot's CACHE_DIR (default: $CACHE_DIR or ./.cache)
  --help        show this help`;

runCli(async () => {
  const { values, positionals } = parseArgs({
    options: { corpus: { type: 'string' }, cache: { type: 'string' }, help: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}"`);
  loadDotenv({ quiet: true });
  const databaseUrl = process.env.DATABASE_URL?.trim();
  if (!databaseUrl) throw new UsageError('DATABASE_URL is not set: set it (or put it in .env) to the database to copy into');
  const logger = createLogger({ logLevel: 'warn', logPretty: false, token: '', databaseUrl });
  const summary = await importFiles({
    databaseUrl,
    corpusDir: values.corpus ?? process.env.CORPUS_DIR ?? './corpus',
    cacheDir: values.cache ?? process.env.CACHE_DIR ?? './.cache',
    logger,
  });
  for (const skipped of summary.skipped) console.log(`skipped ${skipped}`);
  console.log(
    `Copied ${summary.articles} articles (${summary.unchanged} already there), ${summary.feeds} followed feeds (${summary.feedsUnchanged} already there) and ${summary.feedback} feedback records (${summary.feedbackUnchanged} already there).`,
  );
  return 0;
}, 'npm run db:import -- --help');
