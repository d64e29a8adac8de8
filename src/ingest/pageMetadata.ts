/**
 * An article page's metadata, from what publishers put in its head for search engines and
 * social sites: JSON-LD (`NewsArticle`, `Article` and kin, also inside `@graph`), Open Graph and
 * `article:*` properties, `<meta name=author|date …>` and `<link rel="canonical">`. JSON-LD is
 * preferred: it names the author and publisher as such, where `<meta>` tags are freer.
 */
import type { DocumentMeta } from '../corpus/types.js';

/** What a page says of itself; any field may be missing. */
export type FoundMeta = Partial<DocumentMeta> & {
  /** JSON-LD `articleBody`: the publisher's own copy of the text, when it gives one. */
  articleBody?: string;
};

interface Element {
  getAttribute(name: string): string | null;
  textContent: string | null;
}
interface QueryableDocument {
  querySelectorAll(selector: string): ArrayLike<Element>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The `@type`s of an article in schema.org: Article and every type below it that pages use. */
const ARTICLE_TYPE = /^(?:\w*Article|BlogPosting|Report|LiveBlogPosting)$/;

export function metadataOf(document: QueryableDocument, pageUrl?: string): FoundMeta {
  const ld = jsonLdArticle(document);
  const metas = metaTags(document);
  const pick = (...names: string[]) => names.map((name) => metas.get(name)).find((value) => value !== undefined && value !== '');

  const title = text(ld?.headline) ?? text(ld?.name) ?? pick('og:title', 'twitter:title') ?? firstText(document, 'title');
  const author = names(ld?.author) ?? pick('author', 'article:author', 'byl', 'parsely-author', 'sailthru.author', 'dc.creator');
  const publisher = names(ld?.publisher) ?? pick('og:site_name', 'application-name', 'publisher');
  const published =
    isoDate(text(ld?.datePublished)) ??
    isoDate(
      pick(
        'article:published_time',
        'datepublished',
        'date',
        'pubdate',
        'publishdate',
        'parsely-pub-date',
        'sailthru.date',
        'dc.date',
        'dc.date.issued',
        'og:published_time',
      ),
    ) ??
    isoDate(firstAttribute(document, 'time[datetime]', 'datetime'));
  const canonical = firstAttribute(document, 'link[rel~="canonical"]', 'href') ?? pick('og:url') ?? text(ld?.url) ?? idOf(ld?.mainEntityOfPage);
  const url = webAddress(canonical, pageUrl) ?? webAddress(pageUrl);
  const articleBody = text(ld?.articleBody);
  const meta: FoundMeta = {};
  for (const [field, value] of Object.entries({ title, author, publisher, published, url, articleBody })) {
    const clean = value?.replace(/\s+/g, ' ').trim();
    if (clean) meta[field as keyof FoundMeta] = field === 'articleBody' ? value!.trim() : clean;
  }
  return meta;
}

/** `<meta>` values by lower-cased `property`, `name` or `itemprop`; the first of each name wins. */
function metaTags(document: QueryableDocument): Map<string, string> {
  const tags = new Map<string, string>();
  for (const meta of Array.from(document.querySelectorAll('meta'))) {
    const content = meta.getAttribute('content');
    if (content === null) continue;
    for (const attribute of ['property', 'name', 'itemprop']) {
      const name = meta.getAttribute(attribute)?.trim().toLowerCase();
      // article:author is often a profile link: a name is wanted.
      if (name && !tags.has(name) && !(name.endsWith('author') && /^https?:/i.test(content))) tags.set(name, content.trim());
    }
  }
  return tags;
}

/** The first article object in the page's JSON-LD blocks (malformed blocks skipped). */
function jsonLdArticle(document: QueryableDocument): JsonObject | undefined {
  for (const script of Array.from(document.querySelectorAll('script[type="application/ld+json"]'))) {
    let parsed: Json;
    try {
      parsed = JSON.parse(script.textContent ?? '') as Json;
    } catch {
      continue;
    }
    // Breadth-first over arrays and @graph, without recursion: nesting is the page's choice.
    const queue: Json[] = [parsed];
    for (let i = 0; i < queue.length; i += 1) {
      const item = queue[i];
      if (Array.isArray(item)) queue.push(...item);
      else if (item !== null && typeof item === 'object') {
        const types = ([] as Json[]).concat(item['@type'] ?? []);
        if (types.some((type) => typeof type === 'string' && ARTICLE_TYPE.test(type))) return item;
        if (item['@graph'] !== undefined) queue.push(item['@graph']);
      }
    }
  }
  return undefined;
}

function text(value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return text(value[0]);
  return undefined;
}

/** A person or organisation as JSON-LD gives it: a string, an object with `name`, or a list of them. */
function names(value: Json | undefined): string | undefined {
  const list = (Array.isArray(value) ? value : [value]).flatMap((item) => {
    const name = typeof item === 'string' ? item : item !== null && typeof item === 'object' && !Array.isArray(item) ? text(item.name) : undefined;
    return name && !/^https?:/i.test(name.trim()) ? [name.trim()] : [];
  });
  return list.length > 0 ? [...new Set(list)].join(', ') : undefined;
}

function idOf(value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return text(value['@id']);
  return undefined;
}

function firstAttribute(document: QueryableDocument, selector: string, attribute: string): string | undefined {
  return Array.from(document.querySelectorAll(selector))[0]?.getAttribute(attribute)?.trim() || undefined;
}

function firstText(document: QueryableDocument, selector: string): string | undefined {
  return Array.from(document.querySelectorAll(selector))[0]?.textContent?.trim() || undefined;
}

/**
 * `YYYY-MM-DD` from a date as pages write it: the calendar date an ISO timestamp starts with (the
 * publisher's own day, whatever its offset), else whatever `Date` reads, in UTC.
 */
export function isoDate(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const iso = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3]}`;
  // Date.parse of a bare number reads it as a year or a timestamp: neither is a page's date.
  if (/^\s*\d+\s*$/.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString().slice(0, 10);
}

/** `address` resolved against `base`, if that makes an http(s) address; without its #fragment. */
export function webAddress(address: string | undefined, base?: string): string | undefined {
  if (!address) return undefined;
  try {
    const url = new URL(address, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}
