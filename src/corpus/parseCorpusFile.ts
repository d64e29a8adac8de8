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
import { LineCounter, parseDocument, isMap, isScalar, type Node as YamlNode, type YAMLError } from 'yaml';
import type { CorpusDocument, CorpusProblem, DocumentMeta } from './types.js';

/** Largest corpus file accepted, in bytes (an article is a few kB; this leaves room for long reads). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** The front matter every article needs (besides an optional `id`). */
export const REQUIRED_FIELDS = ['title', 'author', 'publisher', 'published', 'url'] as const satisfies ReadonlyArray<keyof DocumentMeta>;
/** Every key the front matter may set. */
const KNOWN_FIELDS: readonly string[] = [...REQUIRED_FIELDS, 'id'];
/** Free-text fields, where an unquoted " #" silently cuts the value (the others are checked by their format). */
const TEXT_FIELDS: readonly string[] = ['title', 'author', 'publisher'];
const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Front matter past these is refused before YAML reads it: six short fields need a few hundred bytes. */
export const MAX_FRONT_MATTER_BYTES = 16 * 1024;
export const MAX_FRONT_MATTER_FIELDS = 30;
const KEEP_FRONT_MATTER_SHORT = 'keep only title, author, publisher, published, url and id there, and the article’s text after the closing "---"';
const FRONT_MATTER_FENCE = /^---[ \t]*$/;

export type ParseResult = { document: CorpusDocument; problems: [] } | { document?: undefined; problems: CorpusProblem[] };

/** `text` lower-cased and reduced to a-z, 0-9, "-" and "_" (at most 64); '' when nothing is left. */
export function slugify(text: string): string {
  // (?<!-): a trailing run of "-" is matched from its start only, not retried at every position of a long run mid-name.
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|(?<!-)-+$/g, '')
    .slice(0, 64);
}

/**
 * The id a file gets when its front matter has none: its name (without the folders of a path such
 * as `servers/<id>/x.md`), lower-cased, made URL-safe.
 */
export function idFromFileName(file: string): string {
  return slugify(file.split('/').pop()!.replace(/\.md$/i, '')) || 'document';
}

/** Byte offset of the first byte that is not valid UTF-8, or -1 when all of it is. */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const [length, min] =
      b < 0x80 ? [1, 0] : b >= 0xc2 && b <= 0xdf ? [2, 0x80] : b >= 0xe0 && b <= 0xef ? [3, 0x800] : b >= 0xf0 && b <= 0xf4 ? [4, 0x10000] : [0, 0];
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
  if (invalid === -1) return undefined;
  const lineStart = bytes.lastIndexOf(0x0a, invalid - 1) + 1;
  // Everything before the bad byte is valid UTF-8, so it decodes to the characters an editor counts.
  const column = [...new TextDecoder('utf-8').decode(bytes.subarray(lineStart, invalid))].length + 1;
  const byte = `0x${bytes[invalid]!.toString(16).padStart(2, '0')}`;
  return {
    file,
    line: lineAtByte(bytes, invalid),
    message: `the text is not valid UTF-8 (byte ${byte} in column ${column}; probably Latin-1 or Windows-1252): save the file as UTF-8`,
  };
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

  const frontMatter = lines.slice(1, closing).join('\n');
  const frontMatterBytes = Buffer.byteLength(frontMatter);
  if (frontMatterBytes > MAX_FRONT_MATTER_BYTES)
    return fail(`front matter is too long (${frontMatterBytes} bytes; at most ${MAX_FRONT_MATTER_BYTES}): ${KEEP_FRONT_MATTER_SHORT}`, 1);
  // A field starts a line; its value's continuation lines are indented.
  const fieldCount = lines.slice(1, closing).filter((line) => /^[^\s#]/.test(line)).length;
  if (fieldCount > MAX_FRONT_MATTER_FIELDS)
    return fail(`front matter has ${fieldCount} fields; at most ${MAX_FRONT_MATTER_FIELDS} are read: ${KEEP_FRONT_MATTER_SHORT}`, 1);

  const problems: CorpusProblem[] = [];
  const problem = (message: string, line?: number) => problems.push({ file, line, message });
  const lineCounter = new LineCounter();
  // uniqueKeys compares every key with every other: duplicates are found below, with a Set.
  const yaml = parseDocument(frontMatter, { lineCounter, uniqueKeys: false });
  const lineOf = (node: YamlNode | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line + 1 : 1);

  // One problem per line: a value YAML cannot read often raises several errors on its line.
  const yamlErrorLines = new Map<number, string>();
  for (const error of yaml.errors) {
    const line = (error.linePos?.[0].line ?? 0) + 1;
    if (!yamlErrorLines.has(line)) yamlErrorLines.set(line, yamlProblem(lines[line - 1] ?? '', error));
  }
  if (isMap(yaml.contents)) {
    const seen = new Set<unknown>();
    for (const { key } of yaml.contents.items) {
      const name = isScalar(key) ? key.value : key;
      if (!seen.has(name)) seen.add(name);
      else if (!yamlErrorLines.has(lineOf(key as YamlNode)))
        yamlErrorLines.set(lineOf(key as YamlNode), `"${String(name)}" is set twice: keep one of the two lines`);
    }
  }
  for (const [line, message] of [...yamlErrorLines].sort(([a], [b]) => a - b)) problem(message, line);
  if (problems.length > 0) return { problems };
  if (!isMap(yaml.contents)) return fail('front matter must be a mapping of fields (title: …, author: …), not a list or a single value', 2);

  const fields = yaml.contents;
  const pairOf = (field: string) => fields.items.find((item) => isScalar(item.key) && item.key.value === field);
  const fieldLine = (field: string) => lineOf(pairOf(field)?.key as YamlNode | undefined);
  const otherKeys = fields.items.flatMap((item) =>
    isScalar(item.key) && typeof item.key.value === 'string' && !KNOWN_FIELDS.includes(item.key.value) ? [item.key] : [],
  );
  const meta: Record<string, string> = {};
  for (const field of KNOWN_FIELDS) {
    const pair = pairOf(field);
    if (!pair) {
      // A key that is probably this one mistyped says more than "missing".
      const typo = likelyTypo(
        field,
        otherKeys.map((key) => key.value as string),
      );
      if (typo) problem(typo.message, lineOf(otherKeys.find((key) => key.value === typo.key)));
      else if (field !== 'id') problem(`front matter is missing "${field}"`, closing + 1);
      continue;
    }
    const line = fieldLine(field);
    const value = isScalar(pair.value) ? pair.value.value : pair.value === null ? null : undefined;
    const plain = pair.value === null || (isScalar(pair.value) && pair.value.type === 'PLAIN');
    const cut = plain && TEXT_FIELDS.includes(field) ? cutByComment(lines[line - 1] ?? '') : undefined;
    if (cut !== undefined) problem(`the text after "#" in the ${field} is dropped as a YAML comment: ${wrapInQuotes(field, cut)}`, line);
    else if (value !== null && typeof value !== 'string' && typeof value !== 'number') problem(`"${field}" must be text`, line);
    else {
      const text = String(value ?? '').trim();
      const fault = fieldValueProblem(field, text);
      if (fault) problem(`"${field}" ${fault}`, line);
      else meta[field] = text;
    }
  }

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

/**
 * What is wrong with a metadata value, as the end of a sentence that starts with the field's name
 * (`must be a real date…`), or undefined. Shared with uploads, whose metadata comes as options.
 */
export function fieldValueProblem(field: string, value: string): string | undefined {
  if (value.trim() === '') return 'is blank';
  if (field === 'published' && !isCalendarDate(value)) return `must be a real date written YYYY-MM-DD, not "${value}"`;
  if (field === 'url' && !isWebUrl(value)) return `must be an http(s) address, not "${value}"`;
  if (field === 'id' && !ID_PATTERN.test(value)) return 'may use only a-z, 0-9, "-" and "_" (at most 64)';
  return undefined;
}

/** `key: "value"`, the value escaped for a YAML double-quoted string (JSON's escapes are YAML's). */
function wrapInQuotes(key: string, value: string): string {
  return `wrap the ${key} in double quotes: ${key}: ${JSON.stringify(value)}`;
}

/**
 * A YAML error in plain words. Most come from a `key: value` line whose unquoted value holds
 * characters YAML reads as structure (": ", a leading "@", "[" or "`"): quoting fixes them.
 */
function yamlProblem(rawLine: string, error: YAMLError): string {
  const pair = /^([A-Za-z_][\w-]*):[ \t]+([^"'\s].*?)\s*$/.exec(rawLine);
  // The yaml library's message counts lines from inside the front matter: keep only its words.
  const yamlMessage = error.message.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?$/, '');
  const inValue = pair !== null && (error.linePos?.[0].col ?? 0) > pair[1]!.length + 1;
  if (!inValue) return `front matter is not valid YAML: ${yamlMessage}`;
  const [, field, value] = pair as unknown as [string, string, string];
  const reason = value.includes(': ') ? 'contains ": ", which YAML reads as the start of another field' : `is not plain text to YAML (${yamlMessage})`;
  return `the ${field} ${reason}: ${wrapInQuotes(field, value)}`;
}

/**
 * The whole value of a `key: plain value` line that YAML cuts at a comment (`title: Microsoft #1
 * partner` is read as "Microsoft": in a plain value, "#" after a space starts a comment), or
 * undefined when the line has no comment.
 */
function cutByComment(rawLine: string): string | undefined {
  const value = rawLine.slice(rawLine.indexOf(':') + 1);
  return /(^|[ \t])#/.test(value) ? value.trim() : undefined;
}

/**
 * A key among `keys` that is probably `field` mistyped: the same word in other case, or within
 * fewer edits than half its letters (at most two: none for "id", one for "url").
 */
function likelyTypo(field: string, keys: string[]): { key: string; message: string } | undefined {
  const recased = keys.find((key) => key.toLowerCase() === field);
  if (recased !== undefined) return { key: recased, message: `keys are lowercase: use "${field}", not "${recased}"` };
  const misspelt = keys.find((key) => {
    const distance = editDistance(key.toLowerCase(), field);
    return distance <= 2 && distance * 2 < field.length;
  });
  return misspelt === undefined ? undefined : { key: misspelt, message: `unknown key "${misspelt}": did you mean "${field}"?` };
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i]![j] = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i]![j] = Math.min(rows[i]![j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
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
