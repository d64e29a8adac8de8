/**
 * `npm run feeds` (the operator's feeds for the base corpus) against a feed served on 127.0.0.1:
 * following writes the feed down due at once, for the running bot to poll, without polling it
 * itself (it has no corpus changes to add with); unfollowing and listing read the same file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { databaseFeedStore } from '../../src/store/feedRows.js';
import { repoRoot } from '../support/discordSpec.js';
import { testDatabase } from '../support/testDatabase.js';

const server = http.createServer((_request, response) =>
  response
    .writeHead(200, { 'content-type': 'application/rss+xml' })
    .end(
      `<?xml version="1.0"?><rss version="2.0"><channel><title>Council News</title><item><title>Ferry times change</title><link>${at('/articles/ferry')}</link><guid>ferry</guid></item></channel></rss>`,
    ),
);
const at = (route: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${route}`;
let corpusDir: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  corpusDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-feeds-cli-'));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(corpusDir, { recursive: true, force: true });
});

const feedsCli = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/feeds.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, CORPUS_DIR: corpusDir, FETCH_ALLOW_PRIVATE: 'true' },
  });

it('follows a feed for the base corpus, due at once for the running bot, then lists and unfollows it', async () => {
  const followed = await feedsCli('follow', at('/feed'), '--keep', '5');
  expect(followed.stdout).toBe('Following “Council News” (1 item now); the running bot adds them at its next poll.\n');
  const [feed] = (JSON.parse(await readFile(path.join(corpusDir, '.feeds.json'), 'utf8')) as { feeds: Array<Record<string, unknown>> }).feeds;
  expect(feed).toMatchObject({ url: at('/feed'), title: 'Council News', keep: 5, failures: 0, seen: [], articles: [] });
  // Not polled, so neither failed nor waiting: the bot's poller takes it at its next tick.
  expect(feed).not.toHaveProperty('lastPollAt');
  expect(feed).not.toHaveProperty('nextPollAt');
  expect(feed).not.toHaveProperty('lease');

  expect((await feedsCli('list')).stdout).toMatch(/^Council News {2}http:\/\/127\.0\.0\.1:\d+\/feed\n {2}new, last poll never, 0 of 5 articles kept\n$/);
  expect((await feedsCli('unfollow', at('/feed'))).stdout).toBe('No longer following “Council News”; its 0 articles stay in the corpus folder.\n');
  expect((await feedsCli('list')).stdout).toBe('The base corpus follows no feed.\n');
}, 60_000);

it('keeps the base corpus’s feeds in the database when DATABASE_URL is set, as the running bot does', async () => {
  const databaseUrl = await testDatabase('feeds_cli');
  const withDatabase = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/feeds.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, CORPUS_DIR: corpusDir, FETCH_ALLOW_PRIVATE: 'true', DATABASE_URL: databaseUrl },
    });
  await withDatabase('follow', at('/feed'));
  const pool = new pg.Pool({ connectionString: databaseUrl });
  try {
    expect((await databaseFeedStore(pool).read(undefined)).map((feed) => feed.title)).toEqual(['Council News']);
  } finally {
    await pool.end();
  }
  expect(await readFile(path.join(corpusDir, '.feeds.json'), 'utf8').catch(() => 'no file')).not.toContain('Council News');
  expect((await withDatabase('list')).stdout).toMatch(/^Council News {2}http/);
}, 60_000);
