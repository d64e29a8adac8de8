/**
 * Where followed feeds are kept, one contract for both stores: `.feeds.json` beside a server's
 * articles, and the database (DATABASE_URL, a real PostgreSQL server: the run's own). Updates made
 * at once, as two processes or hosts polling make them, never lose one another.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedListUnreadable, fileFeedStore, type FeedStore, type FollowedFeed } from '../../src/app/feeds/feedStore.js';
import { lockFolder, WRITE_LOCK } from '../../src/engine/corpusFiles.js';
import { StoreUnavailable } from '../../src/engine/corpusTasks.js';
import { createLogger } from '../../src/runtime/logger.js';
import { migrate } from '../../src/store/database.js';
import { databaseFeedStore } from '../../src/store/feedRows.js';
import { testConfig } from '../support/testConfig.js';
import { testDatabase } from '../support/testDatabase.js';

const SERVER = '1150000000000000000';
const OTHER = '1150000000000000001';
const feed = (url: string): FollowedFeed => ({ url, keep: 20, followedBy: '1', followedAt: '2024-03-01T00:00:00.000Z', failures: 0, seen: [], articles: [] });

let parent: string;
/** The last database made: each test of the database store has its own. */
let databaseUrl: string;
const pools: pg.Pool[] = [];
const newPool = () => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  pools.push(pool);
  return pool;
};

const logger = createLogger(testConfig());

beforeAll(async () => {
  parent = await mkdtemp(path.join(os.tmpdir(), 'citebot-feed-store-'));
  databaseUrl = await testDatabase('feed_store');
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await rm(parent, { recursive: true, force: true });
});

const stores: Array<[string, () => Promise<{ one: FeedStore; other: FeedStore }>]> = [
  [
    'files',
    async () => {
      const corpusDir = await mkdtemp(path.join(parent, 'corpus-'));
      return { one: fileFeedStore(corpusDir), other: fileFeedStore(corpusDir) };
    },
  ],
  [
    'the database',
    async () => {
      databaseUrl = await testDatabase('feed_store');
      await migrate(databaseUrl, logger);
      return { one: databaseFeedStore(newPool()), other: databaseFeedStore(newPool()) };
    },
  ],
];

describe.each(stores)('followed feeds kept in %s', (_name, open) => {
  it('keeps each scope’s feeds apart, the base’s too, and lists the scopes that follow any', async () => {
    const { one, other } = await open();
    expect(await one.scopes()).toEqual([]);
    await one.update(SERVER, (feeds) => void feeds.push(feed('https://a.example/rss')));
    await one.update(undefined, (feeds) => void feeds.push(feed('https://base.example/rss')));
    await one.update(OTHER, (feeds) => void feeds.push(feed('https://b.example/rss')));
    await one.update(OTHER, (feeds) => void feeds.splice(0));
    expect((await other.read(SERVER)).map(({ url }) => url)).toEqual(['https://a.example/rss']);
    expect((await other.read(undefined)).map(({ url }) => url)).toEqual(['https://base.example/rss']);
    expect(await other.read(OTHER)).toEqual([]);
    expect((await other.scopes()).sort()).toEqual([SERVER, undefined].sort());
  });

  it('loses no update when two processes change one scope’s feeds at once', async () => {
    const { one, other } = await open();
    await one.update(SERVER, (feeds) => void feeds.push(feed('https://a.example/rss')));
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 ? one : other).update(SERVER, (feeds) => {
          feeds[0]!.seen.push(`item-${index}`);
        }),
      ),
    );
    expect((await one.read(SERVER))[0]!.seen.sort()).toEqual(Array.from({ length: 20 }, (_, index) => `item-${index}`).sort());
  });

  it('returns what the change returns, and writes nothing when it changes nothing', async () => {
    const { one } = await open();
    expect(await one.update(SERVER, (feeds) => feeds.length)).toBe(0);
    expect(await one.scopes()).toEqual([]);
  });
});

it('says which file is damaged when a hand edit broke .feeds.json', async () => {
  const corpusDir = await mkdtemp(path.join(parent, 'corpus-'));
  await mkdir(path.join(corpusDir, 'servers', SERVER), { recursive: true });
  await writeFile(path.join(corpusDir, 'servers', SERVER, '.feeds.json'), '{"feeds": {}}');
  await expect(fileFeedStore(corpusDir).read(SERVER)).rejects.toThrow(FeedListUnreadable);
  await expect(fileFeedStore(corpusDir).read(SERVER)).rejects.toThrow(`servers/${SERVER}/.feeds.json holds no list of feeds`);
});

it('is a lock apart from the write lock of the articles beside it, taken in the same process', async () => {
  const corpusDir = await mkdtemp(path.join(parent, 'corpus-'));
  const folder = path.join(corpusDir, 'servers', SERVER);
  await mkdir(folder, { recursive: true });
  // A feed poll recording an item while that item's article is being written, both in this process.
  const releaseArticles = await lockFolder(folder);
  await fileFeedStore(corpusDir).update(SERVER, (list) => void list.push(feed('https://news.example/feed')));
  await expect(readdir(folder)).resolves.toContain(WRITE_LOCK);
  await expect(releaseArticles()).resolves.toBeUndefined();
  await expect(readdir(folder)).resolves.toEqual(['.feeds.json']);
});

it('keeps only well-formed tries of items to fetch again from a hand-edited .feeds.json', async () => {
  const corpusDir = await mkdtemp(path.join(parent, 'corpus-'));
  await mkdir(path.join(corpusDir, 'servers', SERVER), { recursive: true });
  const tried = { tries: 1, lastTriedAt: '2024-03-01T00:00:00.000Z' };
  const retries = { kept: tried, text: '2', noDate: { tries: 1 }, badCount: { tries: 'x', lastTriedAt: tried.lastTriedAt } };
  await writeFile(path.join(corpusDir, 'servers', SERVER, '.feeds.json'), JSON.stringify({ feeds: [{ ...feed('https://news.example/feed'), retries }] }));
  expect((await fileFeedStore(corpusDir).read(SERVER))[0]!.retries).toEqual({ kept: tried });
});

it('refuses plainly, as storage unavailable, when the database cannot be reached', async () => {
  const unreachable = new URL(databaseUrl);
  // A port nothing listens on.
  unreachable.port = '1';
  const pool = new pg.Pool({ connectionString: unreachable.href, connectionTimeoutMillis: 2_000 });
  pools.push(pool);
  const store = databaseFeedStore(pool);
  await expect(store.read(SERVER)).rejects.toThrow(StoreUnavailable);
  await expect(store.update(SERVER, () => undefined)).rejects.toThrow(StoreUnavailable);
});
