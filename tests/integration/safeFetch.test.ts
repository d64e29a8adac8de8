/**
 * Fetching a pasted link, against HTTP servers this file starts on 127.0.0.1 (and nothing else:
 * every other address here is refused before any connection). Loopback needs `allowPrivate`, which
 * the first test shows.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusalOf } from '../support/fetchRefusal.js';
import { type FetchRefused, safeFetch, USER_AGENT } from '../../src/ingest/safeFetch.js';

const MiB = 1024 * 1024;
const ARTICLE = `<html><head><title>A page</title></head><body><p>${'Words of an article. '.repeat(40)}</p></body></html>`;
const userAgents: string[] = [];
const hosts: string[] = [];
const drips = new Set<NodeJS.Timeout>();

const server = http.createServer((request, response) => {
  userAgents.push(request.headers['user-agent'] ?? '');
  hosts.push(request.headers.host ?? '');
  const route = request.url ?? '/';
  const redirect = (to: string) => response.writeHead(302, { location: to }).end();
  if (route === '/article') return response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ARTICLE);
  if (route === '/paper.pdf') return response.writeHead(200, { 'content-type': 'application/octet-stream' }).end('%PDF-1.4\n%…');
  if (route === '/image') return response.writeHead(200, { 'content-type': 'image/png' }).end(randomBytes(64));
  if (route === '/missing') return response.writeHead(404).end('not here');
  if (route === '/down') return response.writeHead(503).end('later');
  if (route === '/loop-a') return redirect('/loop-b');
  if (route === '/loop-b') return redirect('/loop-a');
  if (route.startsWith('/hop/')) {
    const hop = Number(route.slice('/hop/'.length));
    return hop === 0 ? redirect('/article') : redirect(`/hop/${hop - 1}`);
  }
  if (route === '/to-metadata') return redirect('http://169.254.169.254/latest/meta-data/');
  if (route === '/to-decimal-loopback') return redirect(`http://2130706433:${port()}/article`);
  if (route === '/declared-huge') return response.writeHead(200, { 'content-type': 'text/html', 'content-length': String(40 * MiB) }).end();
  if (route === '/huge') {
    // 40 MiB without a declared length: the cap must stop reading.
    response.writeHead(200, { 'content-type': 'text/html' });
    const chunk = Buffer.alloc(MiB, 'a');
    let sent = 0;
    const more = () => {
      while (sent < 40 && !response.destroyed) {
        sent += 1;
        if (!response.write(chunk)) return void response.once('drain', more);
      }
      response.end();
    };
    return more();
  }
  if (route === '/bomb') {
    // 64 MiB of zeros gzipped to a few dozen kB: what counts is the decoded size.
    return response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(64 * MiB)));
  }
  if (route === '/silent') return response.writeHead(200, { 'content-type': 'text/html' }).write('<html>');
  if (route === '/drip') {
    // A byte every 100 ms: never silent for long, never finished.
    response.writeHead(200, { 'content-type': 'text/html' });
    const timer = setInterval(() => response.write('.'), 100);
    drips.add(timer);
    response.on('close', () => clearInterval(timer));
    return;
  }
  response.writeHead(500).end();
});
const port = () => (server.address() as AddressInfo).port;
const at = (route: string) => `http://127.0.0.1:${port()}${route}`;
const local = { allowPrivate: true };

beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
afterAll(() => {
  for (const timer of drips) clearInterval(timer);
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const refusal = (address: string, options = {}) => refusalOf(safeFetch, address, options);

describe('safeFetch', () => {
  it('refuses this machine without allowPrivate, and fetches from it with it, naming the bot', async () => {
    expect(await refusal(at('/article'))).toMatch(/loopback.*FETCH_ALLOW_PRIVATE=true/);
    const fetched = await safeFetch(at('/article'), local);
    expect(fetched).toMatchObject({ url: at('/article'), kind: 'html', charset: 'utf-8' });
    expect(fetched.bytes.toString()).toBe(ARTICLE);
    expect(userAgents.at(-1)).toBe(USER_AGENT);
  });

  it('refuses a name that resolves to this machine; allowed, connects to the address checked, under the name', async () => {
    expect(await refusal(`http://localhost:${port()}/article`)).toMatch(/^localhost was not fetched: .*loopback/);
    // The server listens on 127.0.0.1 alone: the connection went to the IPv4 address looked up.
    expect((await safeFetch(`http://localhost:${port()}/article`, local)).bytes.toString()).toBe(ARTICLE);
    expect(hosts.at(-1)).toBe(`localhost:${port()}`);
  });

  it('checks every address a name has, and connects to the one checked without looking the name up again', async () => {
    const lookups: string[] = [];
    // A name that rebinds: 127.0.0.1 when first looked up, an address nothing listens on after.
    const rebinding = async (host: string) => {
      lookups.push(host);
      return [{ address: lookups.length === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    };
    expect((await safeFetch(`http://news.test:${port()}/article`, { ...local, resolve: rebinding })).bytes.toString()).toBe(ARTICLE);
    expect(lookups).toEqual(['news.test']);
    expect(hosts.at(-1)).toBe(`news.test:${port()}`);
    // One private address among public ones is enough to refuse.
    const mixed = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    expect(await refusal('http://news.test/article', { resolve: mixed })).toMatch(/^news\.test was not fetched: 10\.0\.0\.7 is a private network address/);
  });

  it('follows up to 5 redirects, each checked, and refuses a sixth and a loop', async () => {
    expect((await safeFetch(at('/hop/4'), local)).url).toBe(at('/article'));
    expect(await refusal(at('/hop/5'), local)).toMatch(/redirects more than 5 times/);
    expect(await refusal(at('/loop-a'), local)).toMatch(/redirects in a loop/);
    // Link-local holds cloud metadata services: refused even where private addresses are allowed.
    expect(await refusal(at('/to-metadata'), local)).toMatch(/169\.254\.169\.254 is a link-local address/);
    expect(await refusal(at('/to-decimal-loopback'))).toMatch(/loopback/);
  });

  it('says what is wrong with a 404, an image and a file of no article type', async () => {
    expect(await refusal(at('/missing'), local)).toMatch(/answered 404 Not Found/);
    expect(await refusal(at('/image'), local)).toMatch(/is image\/png, not an article/);
    expect((await safeFetch(at('/paper.pdf'), local)).kind).toBe('pdf');
  });

  it('tells a failure that may pass (503, nothing listening) from a link that is wrong (404, not an article)', async () => {
    const transient = (address: string) =>
      safeFetch(address, local).then(
        () => undefined,
        (error: FetchRefused) => error.transient,
      );
    expect(await refusal(at('/down'), local)).toMatch(/answered 503 Service Unavailable: try again later\.$/);
    expect(await transient(at('/down'))).toBe(true);
    expect(await transient('http://127.0.0.1:1/nothing-listens')).toBe(true);
    expect(await transient(at('/missing'))).toBe(false);
    expect(await transient(at('/image'))).toBe(false);
    // A name that does not exist is a wrong link; a resolver that failed for now is not.
    const failing = (code: string) => async () => {
      throw Object.assign(new Error(`getaddrinfo ${code} news.test`), { code });
    };
    const lookedUp = (code: string) =>
      safeFetch('http://news.test/article', { resolve: failing(code) }).then(
        () => undefined,
        (error: FetchRefused) => [error.transient, error.message],
      );
    expect(await lookedUp('ENOTFOUND')).toEqual([false, 'news.test could not be found (no such name in DNS): check the link.']);
    expect(await lookedUp('EAI_AGAIN')).toEqual([true, 'news.test could not be looked up in DNS now (EAI_AGAIN): try again later.']);
  });

  it('stops reading past the size cap, declared or not, and counts decoded bytes (a gzip bomb)', async () => {
    expect(await refusal(at('/declared-huge'), local)).toMatch(/is 40 MiB, larger than the 10 MiB/);
    expect(await refusal(at('/huge'), local)).toMatch(/larger than the 10 MiB/);
    expect(await refusal(at('/bomb'), local)).toMatch(/larger than the 10 MiB/);
  });

  it('gives up on a page that never finishes: silent, or sent a byte at a time', async () => {
    expect(await refusal(at('/silent'), { ...local, idleMs: 300 })).toMatch(/sent nothing for 0\.3 s/);
    expect(await refusal(at('/drip'), { ...local, idleMs: 5_000, timeoutMs: 1_000 })).toMatch(/took longer than 1 s/);
  });

  it('refuses other schemes and what is not an address', async () => {
    expect(await refusal('file:///etc/passwd')).toMatch(/Only http and https/);
    expect(await refusal('ftp://127.0.0.1/x')).toMatch(/Only http and https/);
    expect(await refusal('not a link')).toMatch(/is not a web address/);
  });
});
