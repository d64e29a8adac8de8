/**
 * `npm run feedback -- [--guild ID] [--days N] [--cache DIR]`: what `/feedback` shows, in a
 * terminal: questions answered and declined, votes, and the questions that failed most. From the
 * database when DATABASE_URL is set (in the environment or .env), as the bot then records it.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { feedbackReport } from '../feedback/feedbackReport.js';
import { config as loadDotenv } from 'dotenv';
import { FeedbackStore, summarizeFeedback, type FeedbackRecords } from '../feedback/feedbackStore.js';
import { createLogger } from '../runtime/logger.js';
import { createPool } from '../store/database.js';
import { DatabaseFeedback } from '../store/feedbackRows.js';
import { forTerminal, runCli, UsageError } from './runCli.js';

const USAGE = `Usage: npm run feedback -- [--guild ID] [--days N] [--cache DIR]

Summarises the feedback the bot recorded: questions answered and declined, 👍/👎 votes, and
the five questions most often declined or voted down.

  --guild ID    one server only (default: every server)
  --days N      the last N days (1-365, default 7)
  --cache DIR   the bot's CACHE_DIR (default: $CACHE_DIR or ./.cache); with DATABASE_URL
                set, the database is read instead
  --help        show this help`;

const DAY_MS = 24 * 60 * 60 * 1000;

runCli(async () => {
  const { values, positionals } = parseArgs({
    options: {
      guild: { type: 'string' },
      days: { type: 'string', default: '7' },
      cache: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const problem =
    positionals.length > 0
      ? `Unexpected argument "${positionals[0]}"`
      : values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)
        ? `--guild must be a server id (17–20 digits), not "${values.guild}".`
        : !/^\d+$/.test(values.days) || Number(values.days) < 1 || Number(values.days) > 365
          ? `--days must be a whole number from 1 to 365, not "${values.days}".`
          : undefined;
  if (problem) throw new UsageError(problem);
  const days = Number(values.days);
  loadDotenv({ quiet: true });
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
  const pool = databaseUrl ? createPool(databaseUrl, createLogger({ logLevel: 'silent', logPretty: false, token: '', databaseUrl })) : undefined;
  const cacheDir = values.cache ?? process.env.CACHE_DIR ?? './.cache';
  const store: FeedbackRecords = pool ? new DatabaseFeedback(pool) : new FeedbackStore({ dir: path.join(cacheDir, 'feedback') });
  const records = await store.read(new Date(Date.now() - days * DAY_MS)).finally(() => pool?.end());
  const summary = summarizeFeedback(records, values.guild);
  console.log(values.guild === undefined ? 'Feedback from every server' : `Feedback from server ${values.guild}`);
  for (const line of feedbackReport(summary, days, (question) => forTerminal(question.replace(/\s+/g, ' ')))) console.log(line);
  return 0;
}, 'npm run feedback -- --help');
