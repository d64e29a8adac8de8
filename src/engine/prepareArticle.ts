/**
 * An article made ready to add from a link or a file (a saved web page, a PDF, a Word .docx or a
 * plain-text file): fetched safely, read off this thread, checked to be an article, its metadata
 * found and overridden by what the moderator gave, and made into the corpus file it becomes. What
 * cannot be found is named with the option that sets it; nothing is written here.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DocumentMeta } from '../corpus/types.js';
import { parseCorpusFile, REQUIRED_FIELDS } from '../corpus/parseCorpusFile.js';
import { notAnArticle, type ReadSource } from '../ingest/readArticle.js';
import { FETCH_LIMITS, FetchRefused, safeFetch, type ArticleKind, type FetchOptions } from '../ingest/safeFetch.js';
import { articleFingerprint, splitIntoPassages } from '../passages/splitIntoPassages.js';
import { markdownFromText, metadataProblems, safeCorpusFileName } from './corpusFiles.js';
import { extractOffThread, ExtractionFailed } from './extractionTasks.js';

/** A link to fetch, a file on disk (the CLI), or a file's bytes already at hand (a Discord upload). */
export type Source = { link: string } | { file: string } | { name: string; bytes: Uint8Array };

export type Prepared =
  | {
      ok: true;
      meta: DocumentMeta;
      /** The body the corpus keeps, exactly as a reload reads it back. */
      text: string;
      /** The corpus file: front matter and body. */
      markdown: string;
      /** Its name in the corpus folder. */
      fileName: string;
      /** How many passages it makes. */
      passages: number;
      /** Their texts, in order. */
      passageTexts: string[];
      /** Its text's `articleFingerprint`: the same article under another name or link. */
      fingerprint: string;
    }
  /** `transient`: fetching it failed in a way that may not happen next time (see FetchRefused). */
  | { ok: false; message: string; transient?: boolean };

export interface PrepareOptions {
  /** Values that override what was found (empty ones are ignored). */
  overrides?: Partial<DocumentMeta>;
  /** Values for the fields that were not found (empty ones are ignored): e.g. an article's current details when it is fetched again. */
  fallbacks?: Partial<DocumentMeta>;
  /** What the messages say happened to a source that is refused (default "was not added"). */
  refused?: string;
  /** How the caller's option for a field is written, e.g. `--author` or `author:`. */
  optionFor: (field: keyof DocumentMeta) => string;
  fetch?: FetchOptions;
}

/** The files an article is read from, by extension. */
export const FILE_KINDS: Readonly<Record<string, ArticleKind>> = { '.html': 'html', '.htm': 'html', '.pdf': 'pdf', '.docx': 'docx', '.txt': 'text' };

export async function prepareArticle(
  source: Source,
  { overrides = {}, fallbacks = {}, refused = 'was not added', optionFor, fetch }: PrepareOptions,
): Promise<Prepared> {
  const name = 'link' in source ? source.link : 'file' in source ? path.basename(source.file) : source.name;
  let read: ReadSource;
  try {
    read =
      'link' in source
        ? await fetched(source.link, fetch)
        : 'file' in source
          ? await fromFile(source.file, fetch?.maxBytes ?? FETCH_LIMITS.maxBytes)
          : { kind: kindOf(source.name), bytes: source.bytes };
  } catch (error) {
    if (error instanceof FetchRefused) return { ok: false, message: error.message, ...(error.transient && { transient: true }) };
    throw error;
  }
  let found;
  try {
    found = await extractOffThread(read);
  } catch (error) {
    if (error instanceof ExtractionFailed) return { ok: false, message: `${name} ${refused}: ${error.message}.` };
    throw error;
  }
  const why = notAnArticle(found.text);
  if (why !== undefined) return { ok: false, message: `${name} ${refused}: ${why}.` };

  const meta = { ...given(fallbacks), ...found.meta, ...given(overrides) } as Partial<DocumentMeta>;
  const missing = REQUIRED_FIELDS.filter((field) => meta[field] === undefined);
  if (missing.length > 0) {
    const asks = missing.map((field) => `${field} (${optionFor(field)}${field === 'published' ? ' YYYY-MM-DD' : ''})`);
    return { ok: false, message: `${name} ${refused}: its ${missing.join(', ')} could not be found. Give ${asks.join(', ')}.` };
  }
  const complete = meta as DocumentMeta;
  const problems = metadataProblems(complete);
  if (problems.length > 0)
    return {
      ok: false,
      message: `${name} ${refused}: ${problems.map(({ field, message }) => `${field} ${message} (set it with ${optionFor(field)})`).join('; ')}.`,
    };

  const fileName = safeCorpusFileName(complete.title) ?? safeCorpusFileName(name) ?? 'article.md';
  const markdown = markdownFromText(found.text, complete);
  const parsed = parseCorpusFile(fileName, new TextEncoder().encode(markdown));
  if (!parsed.document) return { ok: false, message: `${name} ${refused}: ${parsed.problems.map((problem) => problem.message).join('; ')}.` };
  const passages = splitIntoPassages(parsed.document);
  return {
    ok: true,
    meta: complete,
    text: parsed.document.body,
    markdown,
    fileName,
    passages: passages.length,
    passageTexts: passages.map((passage) => passage.text),
    fingerprint: articleFingerprint(passages),
  };
}

/** The fields of `values` that have a value, trimmed. */
function given(values: Partial<DocumentMeta>): Partial<DocumentMeta> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, value]) => value !== undefined && value.trim() !== '')
      .map(([field, value]) => [field, value!.trim()]),
  );
}

async function fetched(link: string, options: FetchOptions | undefined): Promise<ReadSource> {
  const { url, kind, bytes, charset } = await safeFetch(link, options);
  return { kind, bytes, url, ...(charset && { charset }) };
}

function kindOf(file: string): ArticleKind {
  const kind = FILE_KINDS[path.extname(file).toLowerCase()];
  if (kind === undefined)
    throw new FetchRefused(`${path.basename(file)} was not added: only web pages (.html, .htm), PDF, Word (.docx) and plain-text (.txt) files can be read.`);
  return kind;
}

async function fromFile(file: string, maxBytes: number): Promise<ReadSource> {
  const kind = kindOf(file);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new FetchRefused(`${file} was not found: check the path.`);
  if (info.size > maxBytes) throw new FetchRefused(`${path.basename(file)} was not added: it is larger than the ${maxBytes / 1024 / 1024} MiB the bot reads.`);
  return { kind, bytes: await readFile(file) };
}
