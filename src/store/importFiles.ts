/**
 * `npm run db:import`: copies a files-based deployment into the database, for an operator moving
 * to DATABASE_URL: each server's own articles (CORPUS_DIR/servers/<id>/), through the same checks
 * as an upload, the feeds each follows (`.feeds.json`, the base's too) and the feedback records of
 * CACHE_DIR/feedback/. Run again, it copies only what changed since: an article whose row has the
 * same text, a feed the database already follows, and a feedback line copied before, are left
 * alone. The base corpus stays the operator's files, deployed with the app on every host.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { corpusEntryRole, isServerId, SERVERS_FOLDER, serverFolder } from '../corpus/loadCorpus.js';
import { formatProblem } from '../corpus/types.js';
import { safeCorpusFileName } from '../engine/corpusFiles.js';
import { FeedbackStore } from '../feedback/feedbackStore.js';
import type { Logger } from '../runtime/logger.js';
import { articleText, writeArticleRow } from './articleRows.js';
import { fileFeedStore } from '../app/feeds/feedStore.js';
import { connectClient, createPool, migrate } from './database.js';
import { databaseFeedStore } from './feedRows.js';
import { importFeedback } from './feedbackRows.js';

export interface ImportSummary {
  /** Articles written as rows (new, or changed since the last import). */
  articles: number;
  /** Articles whose row already had their text. */
  unchanged: number;
  /** Files not imported, each with why (a file the bot would not serve either). */
  skipped: string[];
  /** Followed feeds copied with what each has seen and added. */
  feeds: number;
  /** Feeds the database already follows (the database's state of them is kept). */
  feedsUnchanged: number;
  feedback: number;
  /** Feedback records an earlier import copied. */
  feedbackUnchanged: number;
}

export async function importFiles({
  databaseUrl,
  corpusDir,
  cacheDir,
  logger,
}: {
  databaseUrl: string;
  corpusDir: string;
  cacheDir: string;
  logger: Logger;
}): Promise<ImportSummary> {
  await migrate(databaseUrl, logger);
  const summary: ImportSummary = { articles: 0, unchanged: 0, skipped: [], feeds: 0, feedsUnchanged: 0, feedback: 0, feedbackUnchanged: 0 };
  const client = connectClient(databaseUrl);
  await client.connect();
  try {
    const servers = (await readdir(path.join(corpusDir, SERVERS_FOLDER)).catch(() => [])).filter(isServerId).sort();
    for (const scope of servers) {
      const folder = path.join(corpusDir, serverFolder(scope));
      const names = (await readdir(folder)).filter((name) => corpusEntryRole(name, false, true) === 'article').sort();
      for (const name of names) {
        const bytes = await readFile(path.join(folder, name));
        const file = safeCorpusFileName(name) ?? name;
        const { rows } = await client.query<{ text: string }>('SELECT text FROM articles WHERE scope = $1 AND file = $2', [scope, file]);
        if (rows[0]?.text === articleText(bytes)) {
          summary.unchanged++;
          continue;
        }
        const written = await writeArticleRow(client, corpusDir, name, bytes, { replace: true, scope });
        if (written.ok) summary.articles++;
        else
          summary.skipped.push(
            `${serverFolder(scope)}/${name}: ${written.reason === 'quota' ? 'over the quota' : written.problems.map(formatProblem).join('; ')}`,
          );
      }
    }
    await importFeeds(databaseUrl, corpusDir, logger, summary);
    const records = await new FeedbackStore({ dir: path.join(cacheDir, 'feedback') }).read(new Date(0));
    await client.query('BEGIN');
    for (const record of records) {
      if (await importFeedback(client, record)) summary.feedback++;
      else summary.feedbackUnchanged++;
    }
    await client.query('COMMIT');
  } finally {
    await client.end().catch(() => undefined);
  }
  return summary;
}

/** Each scope's followed feeds from its `.feeds.json`, added to the database's by address. */
async function importFeeds(databaseUrl: string, corpusDir: string, logger: Logger, summary: ImportSummary): Promise<void> {
  const files = fileFeedStore(corpusDir);
  const pool = createPool(databaseUrl, logger);
  try {
    const database = databaseFeedStore(pool);
    for (const scope of await files.scopes()) {
      const followed = await files.read(scope);
      await database.update(scope, (feeds) => {
        for (const feed of followed) {
          if (feeds.some(({ url }) => url === feed.url)) summary.feedsUnchanged++;
          else {
            // A poll in progress in the stopped bot ends with it.
            const { lease: _lease, ...state } = feed;
            feeds.push(state);
            summary.feeds++;
          }
        }
      });
    }
  } finally {
    await pool.end().catch(() => undefined);
  }
}
