/**
 * Fetching a page someone pasted the link of. Everything about it is untrusted: where the name
 * points (checked for every address it resolves to, at every redirect, and the connection made to
 * the address checked, so the name cannot resolve elsewhere in between), how much it sends (the
 * decoded bytes are capped, so a small gzip bomb cannot grow), how long it takes (the whole fetch,
 * and each silence within it) and what it is (an article's types only). Every refusal is a
 * `FetchRefused` whose message is one plain line. A feed is fetched the same way (`fetchFeed`),
 * with its own types and conditional requests.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { refusedAddress } from './addressCheck.js';

/** What the bot can read an article from. */
export type ArticleKind = 'html' | 'pdf' | 'docx' | 'text';

export interface Fetched {
  /** The address the article was finally served from, after redirects. */
  url: string;
  kind: ArticleKind;
  /** The decoded body. */
  bytes: Buffer;
  /** The charset the server named, if any. */
  charset?: string;
}

export interface FetchOptions {
  /** Allow the bot's own network (FETCH_ALLOW_PRIVATE): tests and intranet deployments. */
  allowPrivate?: boolean;
  /** Most decoded bytes kept. */
  maxBytes?: number;
  /** The whole fetch, redirects included. */
  timeoutMs?: number;
  /** Longest silence while connecting or reading. */
  idleMs?: number;
  maxRedirects?: number;
  /** Looks a name up to every address it has (default: the system's resolver, IPv4 first); tests give their own. */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>;
}

/** IPv4 first: the one connected to is the first, and a host without IPv6 is common. */
const systemResolve = (host: string) => dnsLookup(host, { all: true, verbatim: false });

/** A fetch refused or failed; the message is one line, for the moderator. */
export class FetchRefused extends Error {
  /**
   * `transient`: the site may well answer next time (it timed out, could not be reached, broke
   * off, or answered 408, 429 or 5xx), as opposed to a link that is wrong or refused for good.
   */
  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
  }
}

/** Statuses a site answers when it is busy or down for now, not because the link is wrong. */
const TRANSIENT_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

export const FETCH_LIMITS = { maxBytes: 10 * 1024 * 1024, timeoutMs: 20_000, idleMs: 10_000, maxRedirects: 5 };

export const USER_AGENT = 'citebot/0.1 (Discord bot quoting news articles; fetches the links moderators add)';

const KINDS: Record<string, ArticleKind> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'text/plain': 'text',
};

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

/** What a request asks for, and which answers it reads. */
interface Wanted {
  /** What is fetched, for messages: "page", "feed". */
  what: string;
  accept: string;
  /** Sent with every request, besides the user agent, accept and accept-encoding. */
  headers?: Record<string, string>;
  /** Why a body of this (lower-cased, parameterless) type is not read; undefined to read it. */
  refusedType(type: string, url: URL): string | undefined;
  /** A 304 Not Modified answers the request: it was conditional. */
  notModified?: boolean;
}

/** A response's body, read within the limits. */
interface Body {
  url: string;
  /** Lower-cased, without parameters; '' when none was sent. */
  type: string;
  charset?: string;
  bytes: Buffer;
  headers: IncomingHttpHeaders;
}

const ARTICLE: Wanted = {
  what: 'page',
  accept: 'text/html,application/xhtml+xml,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain;q=0.8',
  refusedType: (type, url) =>
    type !== '' && type !== 'application/octet-stream' && KINDS[type] === undefined
      ? `${url.href} is ${type}, not an article: links to web pages, PDF, Word (.docx) or plain-text files can be added.`
      : undefined,
};

/** Fetches `address`, following up to `maxRedirects` redirects, each checked as the first. */
export async function safeFetch(address: string, options: FetchOptions = {}): Promise<Fetched> {
  const { url, type, charset, bytes } = (await fetchChecked(address, options, ARTICLE)) as Body;
  const kind = KINDS[type] ?? sniffKind(bytes);
  if (kind === undefined) throw new FetchRefused(`${url} is not a web page, PDF, Word (.docx) or plain-text file.`);
  return { url, kind, bytes, ...(charset && { charset }) };
}

/** What makes a feed's next request conditional: its last response's `ETag` and `Last-Modified`. */
export interface FeedValidators {
  etag?: string;
  lastModified?: string;
}

export type FetchedFeed = { notModified: true } | { notModified: false; url: string; bytes: Buffer; charset?: string; validators: FeedValidators };

/** Types only feeds are served as. */
const FEED_TYPES = new Set(['application/rss+xml', 'application/x-rss+xml', 'application/atom+xml', 'application/rdf+xml', 'application/feed+json']);
/** Types feeds are also served as, among other things: read if the body starts like XML or JSON. */
const SNIFFED_FEED_TYPES = new Set(['text/xml', 'application/xml', 'application/json', 'text/plain', 'application/octet-stream', '']);

/** Longest validator kept: real ones are a few dozen characters. */
const VALIDATOR_MAX = 1000;

/**
 * Fetches a feed, with the same checks as `safeFetch`: feed types accepted (RSS, Atom, RDF and JSON
 * Feed types; generic XML, JSON and text types when the body starts like XML or JSON); conditional
 * when `validators` are given (If-None-Match, If-Modified-Since), a 304 then answered as
 * `notModified`; the response's own validators returned for the next request.
 */
export async function fetchFeed(address: string, options: FetchOptions & { validators?: FeedValidators } = {}): Promise<FetchedFeed> {
  const { validators, ...fetchOptions } = options;
  const conditional: Record<string, string> = {};
  if (usableValidator(validators?.etag)) conditional['if-none-match'] = validators!.etag!;
  if (usableValidator(validators?.lastModified)) conditional['if-modified-since'] = validators!.lastModified!;
  const outcome = await fetchChecked(address, fetchOptions, {
    what: 'feed',
    accept:
      'application/rss+xml,application/atom+xml,application/feed+json,application/rdf+xml;q=0.9,application/xml;q=0.8,text/xml;q=0.8,application/json;q=0.8,*/*;q=0.1',
    headers: conditional,
    notModified: Object.keys(conditional).length > 0,
    refusedType: (type, url) => {
      if (FEED_TYPES.has(type) || SNIFFED_FEED_TYPES.has(type)) return undefined;
      if (type === 'text/html' || type === 'application/xhtml+xml')
        return `${url.href} is a web page, not a feed: give the address of its RSS, Atom or JSON feed (sites often link it as "RSS").`;
      return `${url.href} is ${type}, not a feed: give the address of an RSS, Atom or JSON feed.`;
    },
  });
  if ('notModified' in outcome) return outcome;
  const { url, type, charset, bytes, headers } = outcome;
  if (!FEED_TYPES.has(type) && !startsLikeFeed(bytes)) throw new FetchRefused(`${url} is not an RSS, Atom or JSON feed (it is neither XML nor JSON).`);
  const etag = headers.etag;
  const lastModified = headers['last-modified'];
  const fresh: FeedValidators = {
    ...(usableValidator(etag) && { etag }),
    ...(usableValidator(lastModified) && { lastModified }),
  };
  return { notModified: false, url, bytes, ...(charset && { charset }), validators: fresh };
}

/** A validator that can be sent back as a header: present, short, printable. */
function usableValidator(value: string | undefined): value is string {
  return value !== undefined && value.length > 0 && value.length <= VALIDATOR_MAX && /^[\x20-\x7e\t]+$/.test(value);
}

/** Whether a body starts like XML or JSON, after a byte order mark and white space. */
function startsLikeFeed(bytes: Buffer): boolean {
  // UTF-16 (a byte order mark): the parser reads it, and tells.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return true;
  let at = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (at < bytes.length && (bytes[at] === 0x20 || bytes[at] === 0x09 || bytes[at] === 0x0a || bytes[at] === 0x0d)) at += 1;
  return bytes[at] === 0x3c || bytes[at] === 0x7b; // '<' or '{'
}

/** Fetches `address` as `wanted` says, following up to `maxRedirects` redirects, each checked as the first. */
async function fetchChecked(address: string, options: FetchOptions, wanted: Wanted): Promise<Body | { notModified: true }> {
  const limits = { ...FETCH_LIMITS, ...options };
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const seen = new Set<string>();
  let url = parseAddress(address);
  for (let hop = 0; ; hop += 1) {
    seen.add(url.href);
    const pinned = await checkedAddress(url, limits.allowPrivate ?? false, limits.resolve ?? systemResolve);
    const outcome = await request(url, pinned, limits, deadline, wanted);
    if (!('location' in outcome)) return outcome;
    const next = parseAddress(outcome.location, url);
    if (seen.has(next.href)) throw new FetchRefused(`${url.host} redirects in a loop (back to ${next.href}).`);
    if (hop + 1 > limits.maxRedirects) throw new FetchRefused(`${address} redirects more than ${limits.maxRedirects} times.`);
    url = next;
  }
}

function parseAddress(address: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(address.trim(), base);
  } catch {
    throw new FetchRefused(`"${address.slice(0, 200)}" is not a web address: give a link starting with https://.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FetchRefused(`Only http and https links can be added, not ${url.protocol.replace(/:$/, '')}.`);
  return url;
}

/** The address to connect to for `url`: its IP literal, or every address its name resolves to, each checked. */
async function checkedAddress(url: URL, allowPrivate: boolean, resolve: NonNullable<FetchOptions['resolve']>): Promise<{ address: string; family: number }> {
  // The URL parser has already read decimal, octal and hex IPv4 (2130706433, 0177.0.0.1) as dotted.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: Array<{ address: string; family: number }>;
  if (ipaddr.isValid(host)) addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      // No such name is a wrong link; a resolver that failed or timed out may answer next time.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') throw new FetchRefused(`${host} could not be found (no such name in DNS): check the link.`);
      throw new FetchRefused(`${host} could not be looked up in DNS now (${code ?? 'no answer'}): try again later.`, true);
    }
  }
  for (const { address } of addresses) {
    const refused = refusedAddress(address, allowPrivate);
    if (refused !== undefined) throw new FetchRefused(`${host} was not fetched: ${refused}.`);
  }
  if (addresses.length === 0) throw new FetchRefused(`${host} could not be found (no address in DNS): check the link.`);
  return addresses[0]!;
}

type Outcome = Body | { notModified: true } | { location: string };

function request(url: URL, pinned: { address: string; family: number }, limits: typeof FETCH_LIMITS, deadline: AbortSignal, wanted: Wanted): Promise<Outcome> {
  // The connection goes to the checked address: no second lookup between the check and the connect.
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<Outcome>((resolve, reject) => {
    let settled = false;
    const fail = (message: string, transient = false) => {
      if (settled) return;
      settled = true;
      deadline.removeEventListener('abort', onDeadline);
      req.destroy();
      reject(new FetchRefused(message, transient));
    };
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      deadline.removeEventListener('abort', onDeadline);
      req.destroy();
      resolve(outcome);
    };
    const req = client.get(url, {
      lookup,
      agent: false,
      headers: { ...wanted.headers, 'user-agent': USER_AGENT, accept: wanted.accept, 'accept-encoding': 'gzip, deflate, br' },
    });
    const onDeadline = () => fail(`${url.host} took longer than ${limits.timeoutMs / 1000} s to send the ${wanted.what}.`, true);
    if (deadline.aborted) return onDeadline();
    deadline.addEventListener('abort', onDeadline, { once: true });
    req.setTimeout(limits.idleMs, () => fail(`${url.host} sent nothing for ${limits.idleMs / 1000} s.`, true));
    req.on('error', (error: NodeJS.ErrnoException) => fail(`${url.host} could not be reached (${error.code ?? error.message}).`, true));
    req.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status === 304 && wanted.notModified) return finish({ notModified: true });
      if (status >= 300 && status < 400 && response.headers.location) return finish({ location: response.headers.location });
      if (status < 200 || status >= 300) {
        const transient = TRANSIENT_STATUSES.has(status);
        return fail(
          `${url.href} answered ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}: ${transient ? 'try again later' : 'check the link'}.`,
          transient,
        );
      }
      const type = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const charset = /charset\s*=\s*"?([\w-]+)/i.exec(response.headers['content-type'] ?? '')?.[1];
      const refused = wanted.refusedType(type, url);
      if (refused !== undefined) return fail(refused);
      const length = Number(response.headers['content-length']);
      if (Number.isFinite(length) && length > limits.maxBytes)
        return fail(`${url.href} is ${mib(length)}, larger than the ${mib(limits.maxBytes)} the bot reads.`);
      readBody(response, limits.maxBytes).then(
        (bytes) => finish({ url: url.href, type, bytes, headers: response.headers, ...(charset && { charset }) }),
        (error: Error) =>
          error instanceof FetchRefused
            ? fail(`${url.href} ${error.message}`)
            : fail(`${url.host} broke off while sending the ${wanted.what} (${error.message}).`, true),
      );
    });
  });
}

/** The decoded body, stopped once it passes `maxBytes` (counted after decompression). */
function readBody(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decoders: Record<string, () => Readable> = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress };
  let stream: Readable = response;
  if (encoding !== 'identity' && encoding !== '') {
    const decoder = decoders[encoding];
    if (!decoder) return Promise.reject(new FetchRefused(`is sent with an encoding the bot does not read (${encoding}).`));
    stream = response.pipe(decoder() as unknown as NodeJS.WritableStream) as unknown as Readable;
    response.on('error', (error) => stream.destroy(error));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stream.destroy();
        response.destroy();
        reject(new FetchRefused(`is larger than the ${mib(maxBytes)} the bot reads.`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
    response.on('close', () => {
      if (!response.complete) reject(new Error('the connection closed early'));
    });
  });
}

/** A body sent without a useful type: PDF and .docx (a zip) by their first bytes. */
function sniffKind(bytes: Buffer): ArticleKind | undefined {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'docx';
  return undefined;
}

/** `FETCH_ALLOW_PRIVATE` (off unless true, 1, yes or on), for entry points without the bot's validated configuration. */
export function allowPrivateFrom(env: NodeJS.ProcessEnv): boolean {
  return /^\s*(true|1|yes|on)\s*$/i.test(env.FETCH_ALLOW_PRIVATE ?? '');
}
