/**
 * An article's text and metadata from the bytes of a web page, a PDF, a Word (.docx) file or a
 * plain-text file; and whether what came out is an article at all. Runs on untrusted bytes: the
 * bot calls it in a worker thread with time and memory limits (engine/extractionTasks.ts).
 */
import { extractHtml } from './extractHtml.js';
import { isoDate, type FoundMeta } from './pageMetadata.js';
import type { ArticleKind } from './safeFetch.js';

export interface ReadArticle {
  meta: FoundMeta;
  /** Paragraphs separated by blank lines. */
  text: string;
}

export interface ReadSource {
  kind: ArticleKind;
  bytes: Uint8Array;
  /** Where it was fetched from (relative links and a missing canonical address resolve against it). */
  url?: string;
  /** The charset its server named. */
  charset?: string;
}

export async function readArticle({ kind, bytes, url, charset }: ReadSource): Promise<ReadArticle> {
  if (kind === 'html') return extractHtml(decode(bytes, charset ?? declaredCharset(bytes)), url);
  if (kind === 'pdf') return readPdf(bytes, url);
  if (kind === 'docx') return readDocx(bytes, url);
  return { meta: url ? { url } : {}, text: decode(bytes, charset) };
}

/** `bytes` as text in `charset`, UTF-8 when it is missing or unknown. */
export function decode(bytes: Uint8Array, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** The charset a page declares in its first 2 KiB (`<meta charset>` or http-equiv), as browsers look for it. */
function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  return /<meta[^>]{0,200}?charset\s*=\s*["']?([\w-]{1,40})/i.exec(head)?.[1];
}

async function readPdf(bytes: Uint8Array, url: string | undefined): Promise<ReadArticle> {
  const { extractText, getDocumentProxy, getMeta } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(pdf, { mergePages: false });
  const { info } = (await getMeta(pdf)) as { info?: Record<string, unknown> };
  const field = (name: string) => (typeof info?.[name] === 'string' && (info[name] as string).trim() !== '' ? (info[name] as string).trim() : undefined);
  // PDF dates are written D:YYYYMMDDHHmmSS.
  const created = /^D:(\d{4})(\d{2})(\d{2})/.exec(field('CreationDate') ?? '');
  const meta: FoundMeta = {
    ...(field('Title') && { title: field('Title') }),
    ...(field('Author') && { author: field('Author') }),
    ...(created && { published: isoDate(`${created[1]}-${created[2]}-${created[3]}`) }),
    ...(url && { url }),
  };
  return {
    meta,
    text: text
      .map((page) => page.trim())
      .filter((page) => page !== '')
      .join('\n\n'),
  };
}

async function readDocx(bytes: Uint8Array, url: string | undefined): Promise<ReadArticle> {
  const mammoth = await import('mammoth');
  const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
  return { meta: url ? { url } : {}, text: value };
}

/** Fewer words than this is a teaser, a link or an error page, not an article to quote from. */
export const MIN_ARTICLE_WORDS = 50;

/** Why `text` is not an article, or undefined when it is. */
export function notAnArticle(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'no article text was found in it';
  // Undecodable bytes and control characters: binary data, or text in an encoding not declared.
  const garbled = trimmed.match(/[\ufffd\u0000-\u0008\u000e-\u001f]/g)?.length ?? 0;
  if (garbled > trimmed.length / 20) return 'it is not readable text (binary data, or garbled)';
  if (/^\S+$/.test(trimmed) && /^(?:https?:\/\/|www\.)/i.test(trimmed)) return 'it holds only a link, not the article: add the link itself';
  const words = trimmed.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
  if (words < MIN_ARTICLE_WORDS) return `it has only ${words} word${words === 1 ? '' : 's'} of text, too few for an article (at least ${MIN_ARTICLE_WORDS})`;
  return undefined;
}
