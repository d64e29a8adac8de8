/**
 * A feed's items (RSS 2.0, Atom, RSS 1.0/RDF and JSON Feed) from its bytes, by feedsmith. The bytes
 * are anyone's: the bot calls this in a worker thread with time and memory limits
 * (engine/extractionTasks.ts). feedsmith's XML parser (fast-xml-parser) never expands the entities a
 * document declares, nor fetches external ones, so an entity bomb stays a few bytes of text; it reads
 * in one pass, and what comes out is bounded here (titles, authors, keys, content).
 */
import { createHash } from 'node:crypto';
import { XMLValidator } from 'fast-xml-parser';
import { DetectError, MalformedError, parseFeed, type AnyFeed } from 'feedsmith';
import { parseHTML } from 'linkedom';
import { isoDate, webAddress } from './pageMetadata.js';
import { decode } from './readArticle.js';

export interface FeedItem {
  /** Stable identity of the item: guid/id, else its link, else a hash of its title, date and content. At most KEY_MAX characters. */
  key: string;
  /** The article's address, absolute (resolved against the feed's url); undefined when missing or not http(s). */
  link?: string;
  title?: string;
  /** YYYY-MM-DD when the item has a parseable date. */
  published?: string;
  author?: string;
  /**
   * The item's full HTML content when the feed carries it (content:encoded, Atom content, JSON
   * content_html, or content_text as escaped HTML); undefined for summary-only items, and for
   * content longer than CONTENT_MAX (the article is fetched by its link instead of cut short).
   */
  contentHtml?: string;
}

export interface ParsedFeed {
  format: 'rss' | 'atom' | 'json' | 'rdf';
  title?: string;
  /** The site's home page, if the feed names one. */
  siteUrl?: string;
  /** Newest first (dated items by date, then undated ones in feed order), at most `maxItems`, no two with the same key. */
  items: FeedItem[];
  /** How many items the feed holds, of which `items` are the newest. */
  itemCount: number;
}

/** Why a feed could not be read, in one line a moderator can act on. */
export class FeedUnreadable extends Error {}

export const TITLE_MAX = 300;
export const AUTHOR_MAX = 200;
export const KEY_MAX = 500;
/** Characters of an item's HTML: a long article with its markup is well under this. */
export const CONTENT_MAX = 2 * 1024 * 1024;
/** Longest date string read: real dates are a few dozen characters. */
const DATE_MAX = 100;

/** What one item says of itself, before it is cleaned and bounded. */
interface RawItem {
  id?: unknown;
  link?: unknown;
  title?: unknown;
  titleIsHtml: boolean;
  date?: unknown;
  author?: unknown;
  /** HTML, or text to escape into HTML. */
  content?: { html: string } | { text: string };
  /** Only to tell apart items with no id, link, title or date. */
  summary?: unknown;
}

interface RawFeed {
  title?: unknown;
  titleIsHtml: boolean;
  siteUrl?: unknown;
  items: RawItem[];
}

export function readFeed(bytes: Uint8Array, { url, charset, maxItems }: { url: string; charset?: string; maxItems: number }): ParsedFeed {
  const text = decode(bytes, byteOrderMark(bytes) ?? charset ?? xmlEncoding(bytes));
  let parsed: AnyFeed;
  try {
    parsed = parseFeed(text);
  } catch (error) {
    throw new FeedUnreadable(whyUnreadable(error, text));
  }
  const raw = rawFeed(parsed);
  const feed: ParsedFeed = { format: parsed.format, items: newestItems(raw.items, url, maxItems), itemCount: raw.items.length };
  const title = cleanTitle(raw.title, raw.titleIsHtml);
  const siteUrl = typeof raw.siteUrl === 'string' ? webAddress(raw.siteUrl.trim(), url) : undefined;
  if (title) feed.title = title;
  if (siteUrl) feed.siteUrl = siteUrl;
  return feed;
}

/** The items of any format as one shape: which field holds what differs by format. */
function rawFeed(parsed: AnyFeed): RawFeed {
  switch (parsed.format) {
    case 'rss': {
      const { feed } = parsed;
      return {
        title: feed.title,
        titleIsHtml: true,
        siteUrl: feed.link,
        items: (feed.items ?? []).map((item) => {
          // A guid is the article's address unless it says it is not (isPermaLink="false").
          const permalink = item.guid?.isPermaLink !== false ? item.guid?.value : undefined;
          return {
            id: item.guid?.value,
            link: item.link ?? permalink,
            title: item.title,
            titleIsHtml: true,
            date: item.pubDate ?? item.dc?.dates?.[0],
            author: item.dc?.creators?.[0] ?? item.authors?.[0]?.name,
            ...(typeof item.content?.encoded === 'string' && { content: { html: item.content.encoded } }),
            summary: item.description,
          };
        }),
      };
    }
    case 'rdf': {
      const { feed } = parsed;
      return {
        title: feed.title,
        titleIsHtml: true,
        siteUrl: feed.link,
        items: (feed.items ?? []).map((item) => ({
          id: item.rdf?.about,
          link: item.link ?? item.rdf?.about,
          title: item.title,
          titleIsHtml: true,
          date: item.dc?.dates?.[0],
          author: item.dc?.creators?.[0],
          ...(typeof item.content?.encoded === 'string' && { content: { html: item.content.encoded } }),
          summary: item.description,
        })),
      };
    }
    case 'atom': {
      const { feed } = parsed;
      return {
        title: feed.title?.value,
        titleIsHtml: isHtmlText(feed.title?.type),
        siteUrl: alternateLink(feed.links),
        items: (feed.entries ?? []).map((entry) => {
          const content = atomContent(entry.content);
          return {
            id: entry.id,
            link: alternateLink(entry.links),
            title: entry.title?.value,
            titleIsHtml: isHtmlText(entry.title?.type),
            date: entry.published ?? entry.updated ?? entry.dc?.dates?.[0],
            // An entry without an author has the feed's (RFC 4287 §4.2.1).
            author: entry.authors?.[0]?.name ?? feed.authors?.[0]?.name,
            ...(content && { content }),
            summary: entry.summary?.value,
          };
        }),
      };
    }
    case 'json': {
      const { feed } = parsed;
      return {
        title: feed.title,
        titleIsHtml: false,
        siteUrl: feed.home_page_url,
        items: (feed.items ?? []).map((item) => {
          // JSON Feed 1.0 named one `author`; 1.1 lists `authors`.
          const legacyAuthor = (item as { author?: { name?: unknown } }).author?.name;
          return {
            id: item.id,
            link: item.url ?? item.external_url,
            title: item.title,
            titleIsHtml: false,
            date: item.date_published ?? item.date_modified,
            author: item.authors?.[0]?.name ?? legacyAuthor ?? feed.authors?.[0]?.name,
            ...(typeof item.content_html === 'string'
              ? { content: { html: item.content_html } }
              : typeof item.content_text === 'string' && { content: { text: item.content_text } }),
            summary: item.summary,
          };
        }),
      };
    }
  }
}

/** An Atom text construct's type that holds markup: html and xhtml (the default, and "text", do not). */
function isHtmlText(type: string | undefined): boolean {
  return type !== undefined && /^\s*(?:x?html|text\/html|application\/xhtml\+xml)\s*$/i.test(type);
}

/** An Atom content element as HTML or text; undefined when it points elsewhere (src) or is not text (media types). */
function atomContent(content: { value?: string; type?: string; src?: string } | undefined): RawItem['content'] {
  if (content?.value === undefined || content.src !== undefined) return undefined;
  if (isHtmlText(content.type)) return { html: content.value };
  if (content.type === undefined || /^\s*(?:text|text\/.*)\s*$/i.test(content.type)) return { text: content.value };
  return undefined;
}

/** The link a reader follows: rel="alternate" (or no rel), an HTML one first. */
function alternateLink(links: ReadonlyArray<{ href?: string; rel?: string; type?: string }> | undefined): string | undefined {
  const alternates = (links ?? []).filter((link) => (link.rel ?? 'alternate').trim().toLowerCase() === 'alternate' && typeof link.href === 'string');
  return (alternates.find((link) => /html/i.test(link.type ?? '')) ?? alternates[0])?.href;
}

/** The newest `maxItems` items, cleaned: sorted by date (undated last, in feed order), first of each key kept. */
function newestItems(raw: RawItem[], url: string, maxItems: number): FeedItem[] {
  const order = raw.map((item, index) => ({ item, index, time: timeOf(item.date) }));
  order.sort((a, b) => (b.time ?? Number.NEGATIVE_INFINITY) - (a.time ?? Number.NEGATIVE_INFINITY) || a.index - b.index);
  const items: FeedItem[] = [];
  const keys = new Set<string>();
  for (const { item } of order) {
    if (items.length >= maxItems) break;
    const cleaned = cleanItem(item, url);
    if (keys.has(cleaned.key)) continue;
    keys.add(cleaned.key);
    items.push(cleaned);
  }
  return items;
}

function cleanItem(raw: RawItem, url: string): FeedItem {
  const rawLink = stringOf(raw.link);
  const link = webAddress(rawLink, url);
  const title = cleanTitle(raw.title, raw.titleIsHtml);
  const date = stringOf(raw.date);
  const published = date !== undefined && date.length <= DATE_MAX ? isoDate(date) : undefined;
  const author = cleanLine(stringOf(raw.author), AUTHOR_MAX);
  const contentHtml = raw.content && ('html' in raw.content ? raw.content.html.trim() : textAsHtml(raw.content.text));
  const key = stringOf(raw.id) ?? link ?? rawLink ?? `sha256:${sha256([title ?? '', date ?? '', contentHtml ?? stringOf(raw.summary) ?? ''].join('\n'))}`;
  const item: FeedItem = { key: key.length <= KEY_MAX ? key : `sha256:${sha256(key)}` };
  if (link) item.link = link;
  if (title) item.title = title;
  if (published) item.published = published;
  if (author) item.author = author;
  if (contentHtml && contentHtml.length <= CONTENT_MAX) item.contentHtml = contentHtml;
  return item;
}

/** A non-empty trimmed string, from a string or a number (JSON ids may be numbers). */
function stringOf(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
  return text === '' ? undefined : text;
}

function timeOf(date: unknown): number | undefined {
  const text = stringOf(date);
  if (text === undefined || text.length > DATE_MAX) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** A title as plain text: markup dropped and entities decoded when it may hold HTML. */
function cleanTitle(value: unknown, isHtml: boolean): string | undefined {
  const text = stringOf(value);
  if (text === undefined) return undefined;
  // Only the start can be shown: what is cut is never parsed.
  const head = text.slice(0, 4 * TITLE_MAX);
  return cleanLine(isHtml ? htmlText(head) : head, TITLE_MAX);
}

/** One line of at most `max` characters, an ellipsis where it was cut. */
function cleanLine(text: string | undefined, max: number): string | undefined {
  const line = text?.replace(/\s+/g, ' ').trim();
  if (!line) return undefined;
  if (line.length <= max) return line;
  // Not between the two halves of a surrogate pair.
  const end = /[\ud800-\udbff]/.test(line[max - 2]!) ? max - 2 : max - 1;
  return `${line.slice(0, end).trimEnd()}…`;
}

/** One document, reused: each fragment is parsed into a fresh element of it. */
let fragmentDocument: ReturnType<typeof parseHTML>['document'] | undefined;

function htmlText(html: string): string {
  fragmentDocument ??= parseHTML('<!doctype html><html><body></body></html>').document;
  const holder = fragmentDocument.createElement('div');
  holder.innerHTML = html;
  return holder.textContent ?? '';
}

/** Plain text as HTML: escaped, a paragraph per blank-line-separated block. */
function textAsHtml(text: string): string | undefined {
  const paragraphs = text
    .split(/\n[^\S\n]*\n\s*/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '');
  if (paragraphs.length === 0) return undefined;
  return paragraphs.map((paragraph) => `<p>${paragraph.replace(/[&<>]/g, (char) => ESCAPES[char]!)}</p>`).join('\n');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A UTF-16 byte order mark's encoding: it overrides any charset named (as browsers do). */
function byteOrderMark(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** The encoding an XML declaration names (`<?xml version="1.0" encoding="…"?>`), for a server that named none. */
function xmlEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512));
  return /^(?:\ufeff|\xef\xbb\xbf)?\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([\w.:-]{1,40})["']/.exec(head)?.[1];
}

/** The one-line reason for a parse failure: where the XML or JSON breaks, or that it is no feed. */
function whyUnreadable(error: unknown, text: string): string {
  const head = text.slice(0, 1024);
  if (error instanceof MalformedError) {
    const validation = XMLValidator.validate(text);
    const where = validation === true ? undefined : `line ${validation.err.line}: ${validation.err.msg}`;
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    return `its XML is malformed${where || cause ? ` (${shortened(where ?? cause!)})` : ''}`;
  }
  if (error instanceof DetectError && /^\s*[{[]/.test(head)) {
    try {
      JSON.parse(text);
    } catch (invalid) {
      return `its JSON is malformed (${shortened((invalid as Error).message)})`;
    }
    return 'it is JSON but not a JSON Feed';
  }
  if (/<html[\s>]/i.test(head)) return 'it is a web page, not a feed: give the address of its RSS, Atom or JSON feed';
  return 'it is not an RSS, Atom or JSON feed';
}

/** A message from a parser, on one short line: it may quote the feed. */
function shortened(message: string): string {
  return cleanLine(message.replace(/\.$/, ''), 160) ?? '';
}
