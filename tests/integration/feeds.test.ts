/**
 * The feed poller against feeds and pages served on 127.0.0.1, with the real fetching and parsing
 * and the real feed store, and a corpus that records what it is asked to add and remove: which
 * items become articles, what a poll costs, what survives a restart, how failures are counted and
 * told, and what hostile feeds do (a state and a log line, nothing else).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, ServerCorpusChanges, Upload } from '../../src/app/corpusChanges/corpusChanges.js';
import { createFeeds, type Feeds, type FeedsOptions } from '../../src/app/feeds/feeds.js';
import { feedState, fileFeedStore, type FeedStore, type FollowedFeed } from '../../src/app/feeds/feedStore.js';
import { StoreUnavailable } from '../../src/engine/corpusTasks.js';
import { fetchFeed } from '../../src/ingest/safeFetch.js';
import { parseCorpusFile } from '../../src/corpus/parseCorpusFile.js';
import { createLogger } from '../../src/runtime/logger.js';
import { testConfig } from '../support/testConfig.js';

const SCOPE = '1100000000000000001';
const moderator: Actor = { id: '1000000000000000077', reason: '/corpus follow' };

const words = (topic: string) =>
  `The council met on Tuesday to discuss ${topic}. Residents, engineers and the mayor spoke at length about ${topic}, and the members agreed to publish a report on ${topic} next month.`;
/** An article page as a site serves it. */
const page = (title: string, topic: string) =>
  `<html><head><title>${title}</title><meta name="author" content="Jane Doe"><meta property="og:site_name" content="Example News"><meta property="article:published_time" content="2024-03-0${(topic.length % 9) + 1}"></head><body><article><h1>${title}</h1><p>${words(topic)}</p><p>${words(`the cost of ${topic}`)}</p></article></body></html>`;

interface Item {
  slug: string;
  title: string;
  day: number;
}
let items: Item[] = [];
/** What the feed route answers instead of the feed, when set. */
let feedOverride: ((response: http.ServerResponse) => void) | undefined;
/** Articles whose page answers 503 Service Unavailable, by slug: how many more times. */
const unavailable = new Map<string, number>();
/** Run before an article's page is answered, when set: what happens while a poll fetches it. */
let beforeArticle: ((slug: string) => Promise<void>) | undefined;
const requests: Array<{ url: string; conditional: boolean }> = [];

const rss = (list: Item[]) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Council News</title><link>https://council.example/</link>${list
    .map(
      (item) =>
        `<item><title>${item.title}</title><link>${at(`/articles/${item.slug}`)}</link><guid>${item.slug}</guid><pubDate>${new Date(Date.UTC(2024, 2, item.day)).toUTCString()}</pubDate><description>A short summary.</description></item>`,
    )
    .join('')}</channel></rss>`;

const server = http.createServer((request, response) => {
  const url = request.url ?? '/';
  requests.push({ url, conditional: request.headers['if-none-match'] !== undefined || request.headers['if-modified-since'] !== undefined });
  if (url === '/feed') {
    if (feedOverride) return feedOverride(response);
    const body = rss(items);
    const etag = `"${Buffer.from(body).length}-${items.length}"`;
    if (request.headers['if-none-match'] === etag) return response.writeHead(304).end();
    return response.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(body);
  }
  const article = items.find((item) => url === `/articles/${item.slug}`);
  const downFor = article && unavailable.get(article.slug);
  if (article && downFor) {
    unavailable.set(article.slug, downFor - 1);
    return response.writeHead(503).end();
  }
  if (article)
    return void (beforeArticle?.(article.slug) ?? Promise.resolve()).then(() =>
      response.writeHead(200, { 'content-type': 'text/html' }).end(page(article.title, article.slug.replace(/-/g, ' '))),
    );
  return response.writeHead(404).end();
});
const at = (route: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${route}`;

/** A corpus that keeps what it is given, as corpus changes would (ids from the file's front matter). */
function recordingCorpus() {
  const articles = new Map<string, { upload: Upload; title: string }>();
  const removed: string[] = [];
  const corpus: ServerCorpusChanges = {
    reload: async () => [],
    async add(_actor, upload) {
      const { document } = parseCorpusFile(upload.fileName, upload.bytes);
      if (!document) return { refused: 'invalid', outcomes: [] };
      const same = [...articles.entries()].find(([, article]) => article.upload.unique?.url === upload.unique?.url);
      if (same) return { duplicate: { document: { id: same[0], scope: SCOPE } } as never, outcomes: [] };
      if (articles.has(document.id)) return { write: { ok: false, reason: 'exists', problems: [] }, outcomes: [] };
      articles.set(document.id, { upload, title: document.title });
      return { write: { ok: true, file: upload.fileName, documentId: document.id, replaced: false }, outcomes: [] };
    },
    async remove(_actor, documentId) {
      removed.push(documentId);
      articles.delete(documentId);
      return { retired: { file: `${documentId}.md`, movedTo: `.removed/${documentId}.md`, title: documentId } as never, outcomes: [] };
    },
  };
  return { corpus, articles, removed };
}

let dir: string;
let store: FeedStore;
let log: string[];
let audits: string[];
let recorded: ReturnType<typeof recordingCorpus>;

function feedsWith(options: Partial<FeedsOptions> = {}, allowPrivate = true): Feeds {
  const config = testConfig({ logLevel: 'info' });
  const destination = new Writable({
    write(chunk, _encoding, done) {
      log.push(String(chunk));
      done();
    },
  });
  return createFeeds({
    store,
    config: { feedPollSeconds: 60, serverMaxFeeds: 5, fetchAllowPrivate: allowPrivate },
    logger: createLogger(config, destination),
    corpusFor: () => recorded.corpus,
    audit: async (text) => void audits.push(text),
    ...options,
  });
}

/** Makes every followed feed due now, as the interval passing would. */
const makeDue = () =>
  store.update(SCOPE, (feeds) => {
    for (const feed of feeds) feed.nextPollAt = new Date(Date.now() - 1000).toISOString();
  });
const followed = async () => (await store.read(SCOPE))[0]!;
/** A feed as following it leaves it, before its first poll. */
const followedNow = (url: string): FollowedFeed => ({
  url,
  keep: 5,
  followedBy: moderator.id,
  followedAt: new Date().toISOString(),
  failures: 0,
  seen: [],
  articles: [],
});
const logLines = (message: string) => log.map((line) => JSON.parse(line) as { msg: string; reason?: string }).filter((line) => line.msg === message);

beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-feeds-'));
  store = fileFeedStore(dir);
  log = [];
  audits = [];
  requests.length = 0;
  feedOverride = undefined;
  beforeArticle = undefined;
  unavailable.clear();
  recorded = recordingCorpus();
  items = [
    { slug: 'ferry-times', title: 'Ferry times change', day: 1 },
    { slug: 'library-hours', title: 'Library opens later', day: 2 },
    { slug: 'bridge-works', title: 'Bridge works begin', day: 3 },
  ];
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the feed poller', () => {
  it('adds the newest `keep` items oldest first, then an unchanged feed costs one conditional request and adds nothing', async () => {
    const feeds = feedsWith();
    const outcome = await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 2);
    expect(outcome).toMatchObject({ items: 3, followed: { title: 'Council News', keep: 2 } });
    await feeds.pollDue();
    expect([...recorded.articles.values()].map((article) => article.title)).toEqual(['Library opens later', 'Bridge works begin']);
    const article = [...recorded.articles.values()][0]!;
    expect(article.upload.unique?.url).toBe(at('/articles/library-hours'));
    expect(feedState(await followed())).toBe('ok');

    requests.length = 0;
    await makeDue();
    await feeds.pollDue();
    expect(requests).toEqual([{ url: '/feed', conditional: true }]);
    expect(recorded.articles.size).toBe(2);
  });

  it('adds a new item on the next poll and retires the feed’s oldest article beyond `keep`', async () => {
    const feeds = feedsWith();
    await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 2);
    await feeds.pollDue();
    items.push({ slug: 'harbour-dredging', title: 'Harbour dredging approved', day: 4 });
    await makeDue();
    await feeds.pollDue();
    expect(recorded.removed).toEqual(['library-opens-later']);
    expect([...recorded.articles.values()].map((article) => article.title)).toEqual(['Bridge works begin', 'Harbour dredging approved']);
    expect((await followed()).articles.map((entry) => entry.key)).toEqual(['bridge-works', 'harbour-dredging']);
  });

  it('adds nothing twice after a restart, nor when two processes poll at once', async () => {
    const outcome = await feedsWith().forScope(SCOPE).follow(moderator, at('/feed'), 4);
    expect(outcome).toMatchObject({ first: { added: ['Ferry times change', 'Library opens later', 'Bridge works begin'], skipped: [] } });
    items.push({ slug: 'harbour-dredging', title: 'Harbour dredging approved', day: 4 });
    requests.length = 0;
    await makeDue();
    // Two processes' pollers over one store, polling together.
    await Promise.all([feedsWith().pollDue(), feedsWith().pollDue()]);
    expect(recorded.articles.size).toBe(4);
    expect(requests.filter((request) => request.url === '/articles/harbour-dredging')).toHaveLength(1);

    requests.length = 0;
    await store.update(SCOPE, (feeds) => {
      // A restart forgets nothing, but a server may no longer answer "not modified".
      delete feeds[0]!.validators;
      feeds[0]!.nextPollAt = new Date(Date.now() - 1000).toISOString();
    });
    await feedsWith().pollDue();
    expect(requests.map((request) => request.url)).toEqual(['/feed']);
    expect(recorded.articles.size).toBe(4);
  });

  it('takes an item’s article from the feed itself when the feed carries the whole text, without fetching its link', async () => {
    const body = [words('the harbour'), words('the dredging'), words('the fishing fleet'), words('the new quay'), words('the tides')]
      .map((text) => `<p>${text}</p>`)
      .join('');
    feedOverride = (response) =>
      response
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Harbour Gazette</title><item><title>Harbour to be dredged</title><dc:creator>Sam Smith</dc:creator><link>${at('/articles/harbour')}</link><guid>harbour</guid><pubDate>Tue, 05 Mar 2024 09:00:00 GMT</pubDate><description>The harbour will be dredged.</description><content:encoded><![CDATA[${body}]]></content:encoded></item></channel></rss>`,
        );
    const feeds = feedsWith();
    await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 2);
    await feeds.pollDue();
    expect(requests.filter((request) => request.url.startsWith('/articles/'))).toEqual([]);
    const [article] = [...recorded.articles.values()];
    expect(article?.title).toBe('Harbour to be dredged');
    const { document } = parseCorpusFile(article!.upload.fileName, article!.upload.bytes);
    expect(document).toMatchObject({ author: 'Sam Smith', publisher: 'Harbour Gazette', published: '2024-03-05', url: at('/articles/harbour') });
    expect(document!.body).toContain('the fishing fleet');
  });

  it('spreads feeds missed by a whole interval (the bot was stopped) over the next interval instead of polling them all at once', async () => {
    const feeds = feedsWith();
    await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 2);
    await feeds.pollDue();
    requests.length = 0;
    await store.update(SCOPE, (list) => {
      list[0]!.nextPollAt = new Date(Date.now() - 3 * 60_000).toISOString();
    });
    await feeds.pollDue();
    expect(requests).toEqual([]);
    const next = Date.parse((await followed()).nextPollAt!) - Date.now();
    expect(next).toBeGreaterThan(-1000);
    expect(next).toBeLessThanOrEqual(60_000);
  });

  it('goes on polling other servers’ feeds when one server’s list of feeds is damaged, and says which', async () => {
    const OTHER = '1100000000000000002';
    const feeds = feedsWith();
    await feeds.forScope(OTHER).follow(moderator, at('/feed'), 2);
    // Cut short, as a hand edit might leave it.
    await mkdir(path.join(dir, 'servers', SCOPE), { recursive: true });
    await writeFile(path.join(dir, 'servers', SCOPE, '.feeds.json'), '{"feeds": [');
    items.push({ slug: 'harbour-dredging', title: 'Harbour dredging approved', day: 4 });
    await store.update(OTHER, (list) => {
      list[0]!.nextPollAt = new Date(Date.now() - 1000).toISOString();
    });
    await feeds.pollDue();
    expect((await store.read(OTHER))[0]!.articles.map((article) => article.key)).toEqual(['bridge-works', 'harbour-dredging']);
    expect(logLines('could not read the feeds this scope follows')).toHaveLength(1);
    await expect(feeds.forScope(SCOPE).list()).rejects.toThrow(/servers\/1100000000000000001\/\.feeds\.json is not valid JSON/);
  });

  it('refuses a feed address carrying a user name or password, which would be kept and shown', async () => {
    const address = at('/feed').replace('http://', 'http://reader:secret@');
    expect(await feedsWith().forScope(SCOPE).follow(moderator, address, 2)).toEqual({
      refused: 'Give the feed’s address without a user name or password: the bot follows public feeds only.',
    });
    expect(requests).toEqual([]);
  });

  it('ends a poll whose turn ran out, so other feeds are polled, and adds the rest at its next poll', async () => {
    // Each article page served moves the clock on by 2 minutes: the third item starts past the poll's 3-minute turn.
    let offset = 0;
    const clock = () => Date.now() + offset;
    const onRequest = (request: http.IncomingMessage) => {
      if (request.url?.startsWith('/articles/')) offset += 2 * 60_000;
    };
    server.prependListener('request', onRequest);
    try {
      const feeds = feedsWith({ now: clock });
      const outcome = await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 3);
      expect(outcome).toMatchObject({ first: { added: ['Ferry times change', 'Library opens later'] } });
      expect(logLines('feed poll interrupted')).toHaveLength(1);
      const state = await followed();
      expect(state.failures).toBe(0);
      expect(Date.parse(state.nextPollAt!) - clock()).toBeLessThanOrEqual(60_000);
      offset += 60_000;
      await feeds.pollDue();
      expect([...recorded.articles.values()].map((article) => article.title)).toEqual(['Ferry times change', 'Library opens later', 'Bridge works begin']);
    } finally {
      server.removeListener('request', onRequest);
    }
  });

  it('does not read a feed served again byte for byte without validators, and reads it once it changes', async () => {
    feedOverride = (response) => response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(items));
    const polls: string[] = [];
    const feeds = feedsWith({ metrics: { observePoll: (outcome) => void polls.push(outcome), observeItem: () => undefined, observeFeeds: () => undefined } });
    await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 3);
    await makeDue();
    await feeds.pollDue();
    expect(polls.at(-1)).toBe('not-modified');
    items.push({ slug: 'harbour-dredging', title: 'Harbour dredging approved', day: 4 });
    await makeDue();
    await feeds.pollDue();
    expect(polls.at(-1)).toBe('new');
    expect(recorded.articles.has('harbour-dredging-approved')).toBe(true);
  });

  it('counts failed polls, tells the audit channel once after 3 in a row, and clears it when the feed answers again', async () => {
    const feeds = feedsWith();
    await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 2);
    feedOverride = (response) => response.writeHead(503).end();
    for (let poll = 1; poll <= 4; poll += 1) {
      await makeDue();
      await feeds.pollDue();
      expect((await followed()).failures).toBe(poll);
    }
    expect(feedState(await followed())).toBe('failing');
    expect(audits.filter((text) => text.includes('failed 3 polls in a row'))).toHaveLength(1);
    expect(logLines('feed poll failed')).toHaveLength(4);
    // Backing off: the next poll waits longer after each failure.
    expect(Date.parse((await followed()).nextPollAt!) - Date.now()).toBeGreaterThan(4 * 60_000);

    feedOverride = undefined;
    await makeDue();
    await feeds.pollDue();
    expect(await followed()).toMatchObject({ failures: 0 });
    expect(feedState(await followed())).toBe('ok');
    expect(logLines('feed recovered')).toHaveLength(1);
    expect(recorded.articles.size).toBe(2);
  });

  it('adds an item whose title is a kept article’s (a daily briefing) under a name of its own', async () => {
    items = [
      { slug: 'minutes-march', title: 'Council minutes', day: 1 },
      { slug: 'minutes-april', title: 'Council minutes', day: 2 },
    ];
    const outcome = await feedsWith().forScope(SCOPE).follow(moderator, at('/feed'), 5);
    expect(outcome).toMatchObject({ first: { added: ['Council minutes', 'Council minutes'], skipped: [] } });
    expect([...recorded.articles.keys()]).toEqual(['council-minutes', expect.stringMatching(/^council-minutes-[0-9a-f]{8}$/)]);
    expect((await followed()).articles.map((entry) => entry.documentId)).toEqual([...recorded.articles.keys()]);
  });

  it('tries an item again when the corpus cannot take it now (busy), without counting the feed as failing or skipping the item', async () => {
    const busy = 'Another change to this server’s articles is still being written (perhaps from another shard): try again in a moment.';
    const add = recorded.corpus.add;
    recorded.corpus.add = async (actor, upload) => (recorded.articles.size === 1 ? { refused: busy, outcomes: [] } : add(actor, upload));
    const feeds = feedsWith();
    const outcome = await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 3);
    expect(outcome).toMatchObject({ first: { added: ['Ferry times change'], skipped: [] } });
    expect(await followed()).toMatchObject({ failures: 0, seen: ['ferry-times'] });
    expect((await followed()).validators).toBeUndefined();
    expect(logLines('feed poll interrupted')).toHaveLength(1);
    expect(logLines('feed item skipped')).toEqual([]);
    expect(audits.filter((text) => text.includes('skipped'))).toEqual([]);

    recorded.corpus.add = add;
    await makeDue();
    await feeds.pollDue();
    expect([...recorded.articles.values()].map((article) => article.title)).toEqual(['Ferry times change', 'Library opens later', 'Bridge works begin']);
    expect(await followed()).toMatchObject({ failures: 0, seen: ['ferry-times', 'library-hours', 'bridge-works'] });
  });

  it('keeps an article the corpus would not retire now as the feed’s own, and retires it after a later item', async () => {
    const feeds = feedsWith();
    await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 2);
    const remove = recorded.corpus.remove;
    recorded.corpus.remove = async () => ({ refused: 'busy', outcomes: [] });
    items.push({ slug: 'harbour-dredging', title: 'Harbour dredging approved', day: 4 });
    await makeDue();
    await feeds.pollDue();
    expect((await followed()).articles.map((entry) => entry.key)).toEqual(['library-hours', 'bridge-works', 'harbour-dredging']);

    recorded.corpus.remove = remove;
    items.push({ slug: 'school-meals', title: 'School meals go local', day: 5 });
    await makeDue();
    await feeds.pollDue();
    expect(recorded.removed).toEqual(['library-opens-later', 'bridge-works-begin']);
    expect((await followed()).articles.map((entry) => entry.key)).toEqual(['harbour-dredging', 'school-meals']);
  });

  it('takes an article written just before its process died, without the item recorded, as the feed’s own: retired beyond `keep`', async () => {
    const add = recorded.corpus.add;
    recorded.corpus.add = async (actor, upload) => {
      const outcome = await add(actor, upload);
      // The process dies right after this write: its poll never records the item.
      if (outcome.write?.ok && outcome.write.documentId === 'library-opens-later') throw new Error('the process died');
      return outcome;
    };
    const feeds = feedsWith();
    await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 3);
    expect(await followed()).toMatchObject({ seen: ['ferry-times'], adding: 'library-hours' });

    recorded.corpus.add = add;
    await makeDue();
    await feeds.pollDue();
    items.push({ slug: 'harbour-dredging', title: 'Harbour dredging approved', day: 4 });
    await makeDue();
    await feeds.pollDue();
    expect(recorded.removed).toEqual(['ferry-times-change']);
    expect([...recorded.articles.keys()]).toEqual(['library-opens-later', 'bridge-works-begin', 'harbour-dredging-approved']);
    const state = await followed();
    expect(state.articles.map((entry) => entry.documentId)).toEqual(['library-opens-later', 'bridge-works-begin', 'harbour-dredging-approved']);
    expect(state.adding).toBeUndefined();
  });

  it.each([
    ['locked by another process too long', () => Object.assign(new Error('Lock file is already being held'), { code: 'ELOCKED' })],
    ['in a database that cannot be reached', () => new StoreUnavailable('the database cannot be reached: connection refused')],
  ])('does not count a poll stopped by the list of feeds being %s as the feed failing; the next poll goes on', async (_name, unavailable) => {
    await store.update(SCOPE, (list) => void list.push(followedNow(at('/feed'))));
    let updates = 0;
    const locked: FeedStore = {
      ...store,
      update: async (scope, change) => {
        updates += 1;
        // The third change is recording the first item added.
        if (updates === 3) throw unavailable();
        return store.update(scope, change);
      },
    };
    await feedsWith({ store: locked }).pollDue();
    expect(await followed()).toMatchObject({ failures: 0, adding: 'ferry-times' });
    expect(logLines('feed poll interrupted')).toHaveLength(1);
    expect(logLines('feed poll failed unexpectedly')).toEqual([]);

    // Its lease runs out; the next poll takes the article written as the feed's, and adds the rest.
    await store.update(SCOPE, (list) => void (list[0]!.lease!.until = new Date(Date.now() - 1000).toISOString()));
    await feedsWith().pollDue();
    expect(await followed()).toMatchObject({ failures: 0, seen: ['ferry-times', 'library-hours', 'bridge-works'] });
    expect((await followed()).articles.map((entry) => entry.key)).toEqual(['ferry-times', 'library-hours', 'bridge-works']);
  });

  it('tries an item whose page is down for now (503) again at the next polls, then skips it; the others are added meanwhile', async () => {
    unavailable.set('library-hours', 2);
    unavailable.set('bridge-works', 100);
    let clock = Date.now();
    const feeds = feedsWith({ now: () => clock });
    /** Due at the poller's clock, as the interval passing would make it. */
    const dueNow = () =>
      store.update(SCOPE, (list) => {
        list[0]!.nextPollAt = new Date(clock - 1000).toISOString();
      });
    const outcome = await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 5);
    expect(outcome).toMatchObject({
      first: {
        added: ['Ferry times change'],
        skipped: [],
        retried: [
          expect.stringMatching(/^“Library opens later”: .* answered 503 Service Unavailable: try again later\.$/),
          expect.stringMatching(/^“Bridge works begin”: /),
        ],
      },
    });
    expect(await followed()).toMatchObject({ failures: 0, seen: ['ferry-times'], retries: { 'library-hours': { tries: 1 }, 'bridge-works': { tries: 1 } } });
    // Read whole next time, not answered "not modified": the items to try again are in it.
    expect((await followed()).validators).toBeUndefined();

    // Polled again within the interval (as after an interrupted poll): not fetched again yet, nor counted.
    requests.length = 0;
    await dueNow();
    await feeds.pollDue();
    expect(requests.filter((request) => request.url.startsWith('/articles/'))).toEqual([]);
    expect(await followed()).toMatchObject({ retries: { 'library-hours': { tries: 1 }, 'bridge-works': { tries: 1 } } });

    clock += 61_000;
    await dueNow();
    await feeds.pollDue();
    expect(requests.filter((request) => request.url === '/feed').at(-1)!.conditional).toBe(false);
    expect(recorded.articles.size).toBe(1);
    clock += 61_000;
    await dueNow();
    await feeds.pollDue();
    expect([...recorded.articles.values()].map((entry) => entry.title)).toEqual(['Ferry times change', 'Library opens later']);
    expect(await followed()).toMatchObject({ failures: 0, seen: ['ferry-times', 'library-hours', 'bridge-works'] });
    expect((await followed()).retries).toBeUndefined();
    expect(audits).toEqual([
      expect.stringMatching(
        /skipped 1 new item\(s\), not retried:\n“Bridge works begin”: its link failed at 3 polls in a row, the last time: .* answered 503 /,
      ),
    ]);
    expect(logLines('feed item tried again next poll')).toHaveLength(4);
  });

  it('polls only as many of a server’s feeds as it may now follow, once the limit was lowered, the first followed first', async () => {
    await store.update(SCOPE, (list) => void list.push(followedNow(at('/feed')), followedNow(at('/other-feed'))));
    const lowered = { feedPollSeconds: 60, serverMaxFeeds: 1, fetchAllowPrivate: true };
    await feedsWith({ config: lowered }).pollDue();
    expect(requests.map((request) => request.url).filter((url) => url.endsWith('feed'))).toEqual(['/feed']);
    expect((await store.read(SCOPE))[1]!.lastPollAt).toBeUndefined();
    await feedsWith({ config: { ...lowered, serverMaxFeeds: 2 } }).pollDue();
    expect(requests.map((request) => request.url).filter((url) => url.endsWith('feed'))).toEqual(['/feed', '/other-feed']);
  });

  it('writes nothing for a feed unfollowed while its poll fetched an article', async () => {
    const feeds = feedsWith();
    await store.update(SCOPE, (list) => void list.push(followedNow(at('/feed'))));
    beforeArticle = async () => void (await feeds.forScope(SCOPE).unfollow(moderator, at('/feed')));
    await feeds.pollDue();
    expect(recorded.articles.size).toBe(0);
    expect(await store.read(SCOPE)).toEqual([]);
  });

  it('stops a poll whose lease ran out and was taken by another process, which then polls the feed alone', async () => {
    await store.update(SCOPE, (list) => void list.push(followedNow(at('/feed'))));
    let other: Promise<void> | undefined;
    beforeArticle = async () => {
      if (other) return;
      // This poll stalls past its lease (a paused process): another process takes the feed and polls it whole.
      other = store.update(SCOPE, (list) => void (list[0]!.lease!.until = new Date(Date.now() - 1000).toISOString())).then(() => feedsWith().pollDue());
      await other;
    };
    await feedsWith().pollDue();
    // The stalled poll may give up on its page first (a slow machine), and end before the other does.
    await other;
    expect(recorded.articles.size).toBe(3);
    // The other process fetched the three pages; the stalled poll, only the one it was fetching.
    expect(requests.filter((request) => request.url.startsWith('/articles/'))).toHaveLength(4);
    expect(await followed()).toMatchObject({ failures: 0, seen: ['ferry-times', 'library-hours', 'bridge-works'] });
    expect((await followed()).lease).toBeUndefined();
  });

  it('stop() during a follow’s first poll waits for it, and leaves the items not yet added to the next process', async () => {
    const feeds = feedsWith();
    feeds.start();
    let stopping: Promise<number> | undefined;
    beforeArticle = async () => {
      // Once stop() has resolved, the poll has ended and recorded where it stopped.
      stopping ??= feeds.stop().then(() => logLines('feed poll interrupted').length);
    };
    const outcome = await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 3);
    expect(await stopping).toBe(1);
    expect(outcome).toMatchObject({ first: { added: ['Ferry times change'] } });
    const state = await followed();
    expect(state.lease).toBeUndefined();
    expect(state.validators).toBeUndefined();

    // Due at once for the next process, which reads the feed whole rather than being told "not modified".
    await feedsWith().pollDue();
    expect([...recorded.articles.values()].map((article) => article.title)).toEqual(['Ferry times change', 'Library opens later', 'Bridge works begin']);
  });

  it('skips an item whose link points at this machine when private addresses are not allowed, once, without fetching it', async () => {
    // The feed is fetched as a public one would be (it is served on loopback here); its items' links are checked as they are.
    const feeds = feedsWith({ fetchFeed: (url, options) => fetchFeed(url, { ...options, allowPrivate: true }) }, false);
    await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 2);
    await feeds.pollDue();
    expect(requests.filter((request) => request.url.startsWith('/articles/'))).toEqual([]);
    expect(recorded.articles.size).toBe(0);
    const skipped = logLines('feed item skipped');
    expect(skipped).toHaveLength(2);
    expect(skipped[0]!.reason).toMatch(/not fetched/);
    expect(audits.filter((text) => text.includes('skipped 2 new item(s)'))).toHaveLength(1);
    expect(feedState(await followed())).toBe('ok');

    // Seen once, never retried.
    await makeDue();
    await feeds.pollDue();
    expect(logLines('feed item skipped')).toHaveLength(2);
  });
});

describe('hostile feeds', () => {
  const rssHeader = (response: http.ServerResponse) => response.writeHead(200, { 'content-type': 'application/rss+xml' });
  /** 50 MiB streamed as the server can take it: the bot must stop reading long before the end. */
  const fiftyMiB = (response: http.ServerResponse) => {
    rssHeader(response).write('<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>');
    const chunk = Buffer.alloc(1024 * 1024, ' ');
    let sent = 0;
    const more = () => {
      while (sent < 50) {
        sent += 1;
        if (!response.write(chunk)) return void response.once('drain', more);
      }
      response.end();
    };
    more();
  };
  /** Nine levels of ten references each: expanded, the title would be 10^9 "lol"s. */
  const entityBomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from(
    { length: 9 },
    (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level === 0 ? '' : level};`.repeat(10)}">`,
  ).join(
    '',
  )}]><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><guid>bomb</guid><link>ftp://127.0.0.1/x</link></item></channel></rss>`;

  /** Follows the feed while it is well, then polls it once answering `answer` instead. */
  async function pollHostile(answer: (response: http.ServerResponse) => void) {
    const feeds = feedsWith();
    await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 2);
    await feeds.pollDue();
    recorded = recordingCorpus();
    log.length = 0;
    feedOverride = answer;
    await makeDue();
    await feeds.pollDue();
    expect(recorded.articles.size).toBe(0);
    return followed();
  }

  it.each([
    ['a 50 MiB feed', fiftyMiB, /larger than the 10 MiB/],
    ['malformed XML', (response: http.ServerResponse) => rssHeader(response).end('<rss><channel><title>Broken</channel><item>'), /malformed|not .*feed/i],
  ])(
    '%s is a failed poll with its reason in one log line, and nothing else',
    async (_name, answer, reason) => {
      const state = await pollHostile(answer);
      expect(state.failures).toBe(1);
      expect(state.lastError).toMatch(reason);
      expect(logLines('feed poll failed')).toHaveLength(1);
      expect(logLines('feed poll failed')[0]!.reason).toMatch(reason);
    },
    60_000,
  );

  it('an XML entity bomb is read with its entities left unexpanded: its item is skipped in one log line', async () => {
    const state = await pollHostile((response) => rssHeader(response).end(entityBomb));
    expect(state.failures).toBe(0);
    expect(state.title!.length).toBeLessThan(100);
    expect(logLines('feed item skipped')).toHaveLength(1);
    expect(logLines('feed polled: new items')).toHaveLength(1);
  }, 60_000);

  it('a feed of 10,000 items reads only its newest `keep`, and following it says how many it holds', async () => {
    items = Array.from({ length: 10_000 }, (_, index) => ({ slug: `item-${index}`, title: `Item ${index}`, day: 1 + (index % 28) }));
    const feeds = feedsWith();
    const outcome = await feeds.forScope(SCOPE).follow(moderator, at('/feed'), 2);
    expect(outcome).toMatchObject({ items: 10_000 });
    await feeds.pollDue();
    expect(requests.filter((request) => request.url.startsWith('/articles/'))).toHaveLength(2);
    expect(recorded.articles.size).toBe(2);
  }, 60_000);
});
