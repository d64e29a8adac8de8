/**
 * Fetching and reading a feed, against an HTTP server this file starts on 127.0.0.1: conditional
 * requests (ETag, Last-Modified), the size cap on a feed that never ends, redirects checked at
 * each hop, loopback refused without allowPrivate, and feeds made to hurt read off the thread.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusalOf } from '../support/fetchRefusal.js';
import { ExtractionFailed, readFeedOffThread } from '../../src/engine/extractionTasks.js';
import { fetchFeed, type FetchedFeed } from '../../src/ingest/safeFetch.js';
import { entityBomb, numberedItems, rssFeed } from '../support/feedFiles.js';

const MiB = 1024 * 1024;
const LAST_MODIFIED = 'Tue, 05 Mar 2024 09:30:00 GMT';
const BIG_FEED = rssFeed(numberedItems(10_000));

let version = 1;
const feedOf = (v: number) => rssFeed([{ title: `Story ${v}`, guid: `story-${v}`, link: `/stories/${v}` }]);
/** Each request's route and the conditional headers it carried. */
const requests: Array<{ route: string; ifNoneMatch?: string; ifModifiedSince?: string }> = [];
/** Bytes the endless feed had sent when its connection closed, one promise per request. */
let endlessClosed: Promise<number> | undefined;

const server = http.createServer((request, response) => {
  const route = request.url ?? '/';
  requests.push({
    route,
    ...(request.headers['if-none-match'] && { ifNoneMatch: request.headers['if-none-match'] }),
    ...(request.headers['if-modified-since'] && { ifModifiedSince: request.headers['if-modified-since'] }),
  });
  const rss = { 'content-type': 'application/rss+xml; charset=utf-8' };
  if (route === '/etag.xml') {
    const etag = `"v${version}"`;
    if (request.headers['if-none-match'] === etag) return response.writeHead(304, { etag }).end();
    return response.writeHead(200, { ...rss, etag }).end(feedOf(version));
  }
  if (route === '/dated.xml') {
    if (request.headers['if-modified-since'] === LAST_MODIFIED) return response.writeHead(304).end();
    return response.writeHead(200, { ...rss, 'last-modified': LAST_MODIFIED }).end(feedOf(version));
  }
  if (route === '/moved') return response.writeHead(301, { location: '/etag.xml' }).end();
  if (route === '/to-metadata') return response.writeHead(302, { location: 'http://169.254.169.254/latest/feed.xml' }).end();
  if (route === '/big.xml') return response.writeHead(200, rss).end(BIG_FEED);
  if (route === '/bomb.xml') return response.writeHead(200, { 'content-type': 'text/xml' }).end(entityBomb());
  if (route === '/as-text') return response.writeHead(200, { 'content-type': 'text/plain' }).end(feedOf(version));
  if (route === '/words') return response.writeHead(200, { 'content-type': 'text/plain' }).end('Just some words, not a feed.');
  if (route === '/page') return response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>News</body></html>');
  if (route === '/image') return response.writeHead(200, { 'content-type': 'image/png' }).end('PNG');
  if (route === '/endless.xml') {
    // 50 MiB of items without a declared length, sent as fast as the reader takes them.
    response.writeHead(200, rss);
    const items = Buffer.from(
      rssFeed(numberedItems(2_000))
        .split('<item>')
        .slice(1)
        .map((item) => `<item>${item}`)
        .join(''),
    );
    let sent = 0;
    endlessClosed = new Promise((resolve) => response.on('close', () => resolve(sent)));
    response.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Endless</title>');
    const more = () => {
      while (sent < 50 * MiB && !response.destroyed) {
        sent += items.length;
        if (!response.write(items)) return void response.once('drain', more);
      }
      response.end('</channel></rss>');
    };
    return more();
  }
  response.writeHead(404).end();
});
const at = (route: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${route}`;
const local = { allowPrivate: true };

beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const refusal = (address: string, options = {}) => refusalOf(fetchFeed, address, options);

function fetched(outcome: FetchedFeed): Extract<FetchedFeed, { notModified: false }> {
  expect(outcome.notModified).toBe(false);
  return outcome as Extract<FetchedFeed, { notModified: false }>;
}

describe('fetchFeed', () => {
  it('sends the ETag back as If-None-Match: a 304 is notModified, a changed feed comes with its new ETag', async () => {
    version = 1;
    const first = fetched(await fetchFeed(at('/etag.xml'), local));
    expect(first).toMatchObject({ url: at('/etag.xml'), charset: 'utf-8', validators: { etag: '"v1"' } });
    expect(first.bytes.toString()).toBe(feedOf(1));
    expect(requests.at(-1)).toEqual({ route: '/etag.xml' });

    expect(await fetchFeed(at('/etag.xml'), { ...local, validators: first.validators })).toEqual({ notModified: true });
    expect(requests.at(-1)).toEqual({ route: '/etag.xml', ifNoneMatch: '"v1"' });

    version = 2;
    const changed = fetched(await fetchFeed(at('/etag.xml'), { ...local, validators: first.validators }));
    expect(changed.validators).toEqual({ etag: '"v2"' });
    expect(changed.bytes.toString()).toBe(feedOf(2));
  });

  it('sends Last-Modified back as If-Modified-Since: a 304 is notModified', async () => {
    const first = fetched(await fetchFeed(at('/dated.xml'), local));
    expect(first.validators).toEqual({ lastModified: LAST_MODIFIED });
    expect(await fetchFeed(at('/dated.xml'), { ...local, validators: first.validators })).toEqual({ notModified: true });
    expect(requests.at(-1)).toEqual({ route: '/dated.xml', ifModifiedSince: LAST_MODIFIED });
  });

  it('follows a redirect to another path, checking each hop', async () => {
    version = 3;
    const moved = fetched(await fetchFeed(at('/moved'), local));
    expect(moved.url).toBe(at('/etag.xml'));
    expect(moved.bytes.toString()).toBe(feedOf(3));
    expect(requests.slice(-2).map((request) => request.route)).toEqual(['/moved', '/etag.xml']);
    // Link-local holds cloud metadata services: refused at the hop, even where private addresses are allowed.
    expect(await refusal(at('/to-metadata'), local)).toMatch(/169\.254\.169\.254 is a link-local address/);
  });

  it('refuses a loopback feed without allowPrivate, before any request', async () => {
    const before = requests.length;
    expect(await refusal(at('/etag.xml'))).toMatch(/loopback.*FETCH_ALLOW_PRIVATE=true/);
    expect(requests.length).toBe(before);
  });

  it('stops reading a 50 MiB feed at the size cap, long before the server has sent it all', async () => {
    expect(await refusal(at('/endless.xml'), local)).toMatch(/endless\.xml is larger than the 10 MiB the bot reads/);
    // What the server got out before the connection closed: the cap and the sockets' buffers, not 50 MiB.
    expect(await endlessClosed).toBeLessThan(25 * MiB);
  });

  it('reads feeds served as text when they start like one, and says what a page, plain words or an image are', async () => {
    expect(fetched(await fetchFeed(at('/as-text'), local)).bytes.toString()).toMatch(/^<\?xml/);
    expect(await refusal(at('/words'), local)).toMatch(/words is not an RSS, Atom or JSON feed \(it is neither XML nor JSON\)/);
    expect(await refusal(at('/page'), local)).toMatch(/page is a web page, not a feed: give the address of its RSS, Atom or JSON feed/);
    expect(await refusal(at('/image'), local)).toMatch(/image is image\/png, not a feed/);
  });
});

describe('readFeedOffThread', () => {
  it('reads a fetched feed of 10,000 items to its newest maxItems, well within its time limit', async () => {
    const feed = fetched(await fetchFeed(at('/big.xml'), local));
    const start = performance.now();
    const parsed = await readFeedOffThread({ bytes: feed.bytes, url: feed.url, ...(feed.charset && { charset: feed.charset }) }, { maxItems: 20 });
    const elapsed = performance.now() - start;
    expect(parsed.items.map((item) => item.key)).toEqual(Array.from({ length: 20 }, (_, i) => `item-${9999 - i}`));
    expect(parsed.items[0]!.link).toBe(at('/articles/9999'));
    // The worker is stopped at 15 s; this takes about a second on a quiet machine.
    expect(elapsed).toBeLessThan(10_000);
  });

  it('reads an entity bomb at once, its entities left as written', async () => {
    const feed = fetched(await fetchFeed(at('/bomb.xml'), local));
    const start = performance.now();
    const parsed = await readFeedOffThread({ bytes: feed.bytes, url: feed.url }, { maxItems: 20 });
    expect(parsed.title).toBe('&lol9;');
    expect(performance.now() - start).toBeLessThan(10_000);
  });

  it('says in one line why a feed cannot be read', async () => {
    const error = await readFeedOffThread(
      { bytes: new TextEncoder().encode('<rss version="2.0"><channel><title>x</titel>'), url: at('/x') },
      { maxItems: 5 },
    ).catch((caught: unknown) => caught);
    expect(error).toEqual(
      new ExtractionFailed("its XML is malformed (line 1: Expected closing tag 'title' (opened in line 1, col 29) instead of closing tag 'titel')"),
    );
  });
});
