/**
 * Parses and validates one corpus file: UTF-8 Markdown with YAML front matter.
 *
 * ```
 * ---
 * title: …
 * author: …
 * publisher: …
 * published: 2015-09-25
 * url: https://…
 * id: optional-stable-id
 * ---
 * First paragraph…
 * ```
 */
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument, isMap, isScalar, type Node as YamlNode } from 'yaml';
import type { CorpusDocument, CorpusProblem, DocumentMeta } from './types.js';

/** Largest corpus file accepted, in bytes (an article is a few kB; this leaves room for long reads). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** The front matter every article needs (besides an optional `id`). */
export const REQUIRED_FIELDS = ['title', 'author', 'publisher', 'published', 'url'] as const satisfies ReadonlyArray<keyof DocumentMeta>;
const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const FRONT_MATTER_FENCE = /^---[ \t]*$/;

export type ParseResult = { document: CorpusDocument; problems: [] } | { document?: undefined; problems: CorpusProblem[] };

/** `text` lower-cased and reduced to a-z, 0-9, "-" and "_" (at most 64); '' when nothing is left. */
export function slugify(text: string): string {
  // (?<!-): a trailing run of "-" is matched from its start only, not retried at every position of a long run mid-name.
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|(?<!-)-+$/g, '').slice(0, 64);
}

/** The id a file gets when its front matter has none: its name, lower-cased, made URL-safe. */
export function idFromFileName(file: string): string {
  return slugify(file.replace(/\.md$/i, '')) || 'document';
}

/** Byte offset of the first byte that is not valid UTF-8, or -1 when all of it is. */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const [length, min] = b < 0x80 ? [1, 0] : b >= 0xc2 && b <= 0xdf ? [2, 0x80] : b >= 0xe0 && b <= 0xef ? [3, 0x800] : b >= 0xf0 && b <= 0xf4 ? [4, 0x10000] : [0, 0];
    if (length === 0 || i + length > bytes.length) return i;
    let codePoint = length === 1 ? b : b & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k]!;
      if ((next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    // Overlong encodings, UTF-16 surrogates and values past U+10FFFF are not valid UTF-8.
    if (codePoint < min || (codePoint >= 0xd800 && codePoint <= 0xdfff) || codePoint > 0x10ffff) return i;
    i += length;
  }
  return -1;
}

function lineAtByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Why `bytes` cannot be a corpus file's text (too large, empty, binary, not UTF-8), or undefined. */
export function textProblem(file: string, bytes: Uint8Array, maxFileBytes = DEFAULT_MAX_FILE_BYTES): CorpusProblem | undefined {
  if (bytes.length > maxFileBytes) return { file, message: `file is too large (${bytes.length} bytes; the limit is ${maxFileBytes})` };
  if (bytes.length === 0) return { file, message: 'file is empty' };
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { file, line: lineAtByte(bytes, nul), message: 'file is binary (it contains NUL bytes), not UTF-8 text' };
  const invalid = firstInvalidUtf8Offset(bytes);
  if (invalid !== -1) return { file, line: lineAtByte(bytes, invalid), message: `file is not valid UTF-8 (bad byte 0x${bytes[invalid]!.toString(16)} at offset ${invalid})` };
  return undefined;
}

/**
 * Parses one file. `file` is its name relative to the corpus folder (used in problems and as the
 * default id). Returns the document, or every problem found.
 */
export function parseCorpusFile(file: string, bytes: Uint8Array, maxFileBytes = DEFAULT_MAX_FILE_BYTES): ParseResult {
  const fail = (message: string, line?: number): ParseResult => ({ problems: [{ file, line, message }] });

  const unusable = textProblem(file, bytes, maxFileBytes);
  if (unusable) return { problems: [unusable] };

  const text = new TextDecoder('utf-8').decode(bytes).replace(/\r\n?/g, '\n'); // drops a BOM too
  const lines = text.split('\n');
  if (!FRONT_MATTER_FENCE.test(lines[0] ?? '')) return fail('file must start with YAML front matter: a line "---", the fields, then another "---"', 1);
  const closing = lines.findIndex((line, index) => index > 0 && FRONT_MATTER_FENCE.test(line));
  if (closing === -1) return fail('front matter is not closed: add a line "---" after the fields', 1);

  const problems: CorpusProblem[] = [];
  const problem = (message: string, line?: number) => problems.push({ file, line, message });
  const lineCounter = new LineCounter();
  const yaml = parseDocument(lines.slice(1, closing).join('\n'), { lineCounter, uniqueKeys: true });
  const lineOf = (node: YamlNode | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line + 1 : 1);

  // The yaml library's message counts lines from inside the front matter: keep only its words.
  for (const error of yaml.errors) {
    const message = error.message.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?$/, '');
    problem(`front matter is not valid YAML: ${message}`, (error.linePos?.[0].line ?? 0) + 1);
  }
  if (yaml.errors.length > 0) return { problems };
  if (!isMap(yaml.contents)) return fail('front matter must be a mapping of fields (title: …, author: …), not a list or a single value', 2);

  const fields = yaml.contents;
  const pairOf = (field: string) => fields.items.find((item) => isScalar(item.key) && item.key.value === field);
  const fieldLine = (field: string) => lineOf(pairOf(field)?.key as YamlNode | undefined);
  const meta: Record<string, string> = {};
  for (const field of [...REQUIRED_FIELDS, 'id']) {
    const pair = pairOf(field);
    if (!pair) {
      if (field !== 'id') problem(`front matter is missing "${field}"`, closing + 1);
      continue;
    }
    const line = fieldLine(field);
    const value = isScalar(pair.value) ? pair.value.value : pair.value === null ? null : undefined;
    if (value === null || (typeof value === 'string' && value.trim() === '')) problem(`"${field}" is blank`, line);
    else if (typeof value !== 'string' && typeof value !== 'number') problem(`"${field}" must be text`, line);
    else meta[field] = String(value).trim();
  }
  if (meta.published !== undefined && !isCalendarDate(meta.published)) problem(`"published" must be a real date written YYYY-MM-DD, not "${meta.published}"`, fieldLine('published'));
  if (meta.url !== undefined && !isWebUrl(meta.url)) problem(`"url" must be an http(s) address, not "${meta.url}"`, fieldLine('url'));
  if (meta.id !== undefined && !ID_PATTERN.test(meta.id)) problem('"id" may use only a-z, 0-9, "-" and "_" (at most 64)', fieldLine('id'));

  const body = lines.slice(closing + 1).join('\n');
  if (body.trim() === '') problem('the article has no text after the front matter', closing + 2);
  if (problems.length > 0) return { problems };

  return {
    document: {
      id: meta.id ?? idFromFileName(file),
      title: meta.title!,
      author: meta.author!,
      publisher: meta.publisher!,
      published: meta.published!,
      // Normalised (spaces and non-ASCII percent-encoded): Discord refuses malformed links in embeds.
      url: new URL(meta.url!).href,
      file,
      body,
      bodyLine: closing + 2,
      hash: createHash('sha256').update(bytes).digest('hex'),
    },
    problems: [],
  };
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}
