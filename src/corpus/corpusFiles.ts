/**
 * Changing the corpus folder: writing an uploaded article and retiring one. Every write is
 * validated by the same checker as a reload, stays inside the folder, and is atomic (a reload or
 * a watcher never sees half a file). Nothing is ever deleted: retired files move to `.removed/`.
 */
import { randomUUID } from 'node:crypto';
import { link, lstat, mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { duplicateIdProblem, isInside, loadCorpus } from './loadCorpus.js';
import { fieldValueProblem, parseCorpusFile, REQUIRED_FIELDS, slugify, textProblem } from './parseCorpusFile.js';
import type { CorpusProblem, DocumentMeta } from './types.js';

/** Where retired files go, inside the corpus folder (a dot-folder, so the loader skips it). */
export const REMOVED_FOLDER = '.removed';

/**
 * A file name that can only land directly inside the corpus folder: the last path segment of
 * `name` (any separator, drive letter or NUL dropped), accents folded, lower-cased, reduced to
 * a-z 0-9 - _, with `.md` in place of its extension. Undefined when no letter or digit remains.
 */
export function safeCorpusFileName(name: string): string | undefined {
  const base = name.replace(/\0/g, '').split(/[/\\]/).pop()!.replace(/^[a-z]:/i, '');
  const stem = slugify(base.replace(/\.[^.]*$/, '').normalize('NFKD').replace(/\p{M}/gu, ''));
  return stem === '' ? undefined : `${stem}.md`;
}

/** The text of an uploaded plain-text file, or why it is not UTF-8 text. */
export function decodeText(file: string, bytes: Uint8Array, maxFileBytes?: number): { text: string } | { problem: CorpusProblem } {
  const problem = textProblem(file, bytes, maxFileBytes);
  return problem ? { problem } : { text: new TextDecoder('utf-8').decode(bytes) };
}

/**
 * A corpus file for a plain-text article. Paragraphs are separated by blank lines when the text
 * has any; otherwise each line is a paragraph (text pasted from a web page often has no blank
 * lines). The front matter is serialized by `yaml`, so colons and quotes in a title are safe.
 */
export function markdownFromText(text: string, meta: DocumentMeta): string {
  const normalized = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
  const paragraphs = normalized.includes('\n\n') ? normalized.split(/\n{2,}/) : normalized.split('\n');
  const { title, author, publisher, published, url } = meta;
  const frontMatter = stringify({ title, author, publisher, published, url }, { lineWidth: 0 });
  return `---\n${frontMatter}---\n\n${paragraphs.join('\n\n')}\n`;
}

/**
 * What is wrong with metadata given outside a file (a .txt upload's options), field by field,
 * checked as the front matter it becomes would be. `message` continues the field's name.
 */
export function metadataProblems(meta: DocumentMeta): Array<{ field: keyof DocumentMeta; message: string }> {
  return REQUIRED_FIELDS.flatMap((field) => {
    const message = fieldValueProblem(field, meta[field].trim());
    return message === undefined ? [] : [{ field, message }];
  });
}

/**
 * A one-line message for a moderator when the corpus folder cannot be written (disk full,
 * read-only, no permission), or undefined for any other error. Writes and moves fail whole, so
 * nothing was changed.
 */
export function unwritableFolderMessage(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'The disk that holds the corpus folder is full, so nothing was written: free some space (or ask whoever runs the bot to), then try again.';
  if (code === 'EROFS') return 'The corpus folder is on a read-only file system, so nothing was written: whoever runs the bot must make CORPUS_DIR writable.';
  if (code === 'EACCES' || code === 'EPERM') return 'The bot is not allowed to write to the corpus folder, so nothing was written: whoever runs the bot must give it write access to CORPUS_DIR.';
  return undefined;
}

export type WriteResult =
  | { ok: true; file: string; documentId: string; replaced: boolean }
  | { ok: false; reason: 'invalid' | 'exists'; problems: CorpusProblem[] };

export interface WriteOptions {
  /** Overwrite a file of the same name (otherwise refused with reason 'exists'). */
  replace: boolean;
  maxFileBytes?: number;
}

/**
 * Writes `bytes` as `safeCorpusFileName(fileName)` in `dir`, only if it is a valid corpus file
 * whose id no other file uses. Returns the name written, or why nothing was.
 */
export async function writeCorpusFile(dir: string, fileName: string, bytes: Uint8Array, options: WriteOptions): Promise<WriteResult> {
  const invalid = (...problems: CorpusProblem[]): WriteResult => ({ ok: false, reason: 'invalid', problems });
  const file = safeCorpusFileName(fileName);
  if (file === undefined) return invalid({ file: fileName, message: 'the file name has no letter or digit to keep: rename the file' });
  const exists: WriteResult = { ok: false, reason: 'exists', problems: [{ file, message: 'a file with this name is already in the corpus' }] };
  const parsed = parseCorpusFile(file, bytes, options.maxFileBytes);
  if (!parsed.document) return invalid(...parsed.problems);

  const root = await realpath(dir).catch(() => undefined);
  if (root === undefined) return invalid({ file: dir, message: 'corpus folder not found or not readable' });
  const target = path.join(root, file);
  // Cannot fail for a safe name; checked anyway because this is where bytes reach the disk.
  if (!isInside(root, target)) return invalid({ file, message: 'the file would land outside the corpus folder' });
  const replaced = await lstat(target).then(
    () => true,
    () => false,
  );
  if (replaced && !options.replace) return exists;
  const { documents } = await loadCorpus(root, { maxFileBytes: options.maxFileBytes });
  const other = documents.find((document) => document.id === parsed.document.id && document.file !== file);
  if (other) return invalid(duplicateIdProblem(file, parsed.document.id, other.file));

  // A dot-file, so neither the loader nor the watcher looks at it while it is being written.
  const temp = path.join(root, `.upload-${randomUUID()}.tmp`);
  try {
    await writeFile(temp, bytes, { flag: 'wx', flush: true });
    // Both put the complete file in place at once; link() also refuses a name taken meanwhile.
    if (options.replace) await rename(temp, target);
    else await link(temp, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return exists;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
  return { ok: true, file, documentId: parsed.document.id, replaced };
}

export interface RetiredFile {
  file: string;
  documentId: string;
  title: string;
  /** Where the file is now, relative to the corpus folder: `.removed/<time>-<file>`. */
  movedTo: string;
}

export interface RetireOptions {
  maxFileBytes?: number;
  /**
   * Refuse to move the only valid article (answered with `{ onlyArticle: file }`): an empty
   * corpus would be served until the next start, which then refuses to run.
   */
  keepLast?: boolean;
}

/**
 * Moves the file of document `documentId` to `.removed/<ISO time>-<file>` (never deletes it).
 * Undefined when no valid file in `dir` has that id.
 */
export function retireCorpusFile(dir: string, documentId: string, options?: RetireOptions & { keepLast?: false }): Promise<RetiredFile | undefined>;
export function retireCorpusFile(dir: string, documentId: string, options: RetireOptions): Promise<RetiredFile | { onlyArticle: string } | undefined>;
export async function retireCorpusFile(dir: string, documentId: string, options: RetireOptions = {}): Promise<RetiredFile | { onlyArticle: string } | undefined> {
  const root = await realpath(dir);
  const { documents } = await loadCorpus(root, options);
  const document = documents.find((candidate) => candidate.id === documentId);
  if (!document) return undefined;
  if (options.keepLast && documents.length === 1) return { onlyArticle: document.file };
  await mkdir(path.join(root, REMOVED_FOLDER), { recursive: true });
  // A `.removed` that is a link to elsewhere would move the file out of the folder.
  if (!isInside(root, await realpath(path.join(root, REMOVED_FOLDER)))) throw new Error(`${REMOVED_FOLDER} points outside the corpus folder`);
  const stamp = new Date().toISOString().replace(/:/g, '-');
  const movedTo = path.join(REMOVED_FOLDER, `${stamp}-${document.file}`);
  await rename(path.join(root, document.file), path.join(root, movedTo));
  return { file: document.file, documentId, title: document.title, movedTo };
}
