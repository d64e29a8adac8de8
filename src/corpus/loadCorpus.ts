/** Reads a corpus folder: every `*.md` file directly inside it, validated together. */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MAX_FILE_BYTES, parseCorpusFile } from './parseCorpusFile.js';
import type { CorpusDocument, CorpusProblem } from './types.js';

export interface LoadCorpusOptions {
  /** Files larger than this are rejected before they are read. Default 1 MiB. */
  maxFileBytes?: number;
  /**
   * The documents being served, id → file name. When two files use one id, the file already
   * serving it keeps it and the other is blamed; without this (or for an id not served), the
   * file modified last is blamed.
   */
  served?: ReadonlyMap<string, string>;
}

export interface LoadedCorpus {
  /** The valid documents, in file-name order. */
  documents: CorpusDocument[];
  /** Everything wrong, per file. A reload applies the corpus only when this is empty. */
  problems: CorpusProblem[];
  /** Entries that were not read (subfolders, other file types), and why: not errors, but worth a look. */
  skipped: CorpusProblem[];
}

/**
 * Whether an entry of the corpus folder is read as an article, ignored silently, or skipped
 * with a reason to report. The one place that decides it: dot-entries (`.removed/`, uploads
 * being written) are the bot's own; anything else not read is reported, so that an article in a
 * subfolder or saved as .txt is noticed.
 */
export function corpusEntryRole(name: string, isFolder: boolean): 'article' | 'ignored' | { skipped: string } {
  if (name.startsWith('.')) return 'ignored';
  if (isFolder) return { skipped: 'not read: articles must be directly in the corpus folder, not in a subfolder' };
  if (!name.toLowerCase().endsWith('.md')) return { skipped: 'not read: only .md files are articles (rename it if it is one)' };
  return 'article';
}

/**
 * Loads and validates every `*.md` file in `dir` (not recursive). A symbolic link is followed
 * only when it stays inside `dir`.
 */
export async function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Promise<LoadedCorpus> {
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw new Error('not a folder');
  } catch {
    return { documents: [], problems: [{ file: dir, message: 'corpus folder not found or not readable' }], skipped: [] };
  }

  const files: string[] = [];
  const skipped: CorpusProblem[] = [];
  for (const name of (await readdir(root)).sort()) {
    const isFolder = (await stat(path.join(root, name)).catch(() => undefined))?.isDirectory() ?? false;
    const role = corpusEntryRole(name, isFolder);
    if (role === 'article') files.push(name);
    else if (role !== 'ignored') skipped.push({ file: isFolder ? `${name}/` : name, message: role.skipped });
  }
  return { ...(await readCorpusFiles(root, files, options)), skipped };
}

/**
 * Checks one file as `loadCorpus` would check it in its folder, without the others (so without
 * the duplicate-id check): for `npm run corpus:check -- FILE`.
 */
export async function loadCorpusFile(filePath: string, options: LoadCorpusOptions = {}): Promise<LoadedCorpus> {
  const name = path.basename(filePath);
  const role = corpusEntryRole(name, false);
  if (role !== 'article') return { documents: [], problems: [], skipped: [{ file: name, message: role === 'ignored' ? 'not read: the corpus ignores files whose name starts with "."' : role.skipped }] };
  const folder = await realpath(path.dirname(filePath)).catch(() => undefined);
  if (folder === undefined) return { documents: [], problems: [{ file: filePath, message: 'file not found or not readable' }], skipped: [] };
  return { ...(await readCorpusFiles(folder, [name], options)), skipped: [] };
}

/** Reads and validates `files` of the folder `root`; ids must be unique among them. */
async function readCorpusFiles(root: string, files: string[], options: LoadCorpusOptions): Promise<Omit<LoadedCorpus, 'skipped'>> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const problems: CorpusProblem[] = [];
  const parsed: Array<{ document: CorpusDocument; modified: number }> = [];

  for (const file of files) {
    const fullPath = path.join(root, file);
    try {
      const info = await lstat(fullPath);
      if (info.isSymbolicLink()) {
        const linkTarget = await realpath(fullPath).catch(() => undefined);
        if (linkTarget === undefined || !isInside(root, linkTarget)) {
          problems.push({ file, message: 'symbolic link points outside the corpus folder (or nowhere); it is ignored for safety' });
          continue;
        }
      }
      const entry = await stat(fullPath);
      if (!entry.isFile()) continue;
      if (entry.size > maxFileBytes) {
        problems.push({ file, message: `file is too large (${entry.size} bytes; the limit is ${maxFileBytes})` });
        continue;
      }
      const result = parseCorpusFile(file, await readFile(fullPath), maxFileBytes);
      if (result.document) parsed.push({ document: result.document, modified: entry.mtimeMs });
      else problems.push(...result.problems);
    } catch (error) {
      problems.push({ file, message: `cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
    }
  }

  const keeperOf = new Map<string, { document: CorpusDocument; modified: number }>();
  for (const candidate of parsed) {
    const { id } = candidate.document;
    const kept = keeperOf.get(id);
    if (kept === undefined || keepsIdOver(candidate, kept, options.served?.get(id))) keeperOf.set(id, candidate);
  }
  const documents: CorpusDocument[] = [];
  for (const { document } of parsed) {
    const keeper = keeperOf.get(document.id)!.document;
    if (keeper === document) documents.push(document);
    else problems.push(duplicateIdProblem(document.file, document.id, keeper.file));
  }
  // File-name order, each file's problems in the order found (the sort is stable).
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { documents, problems };
}

/**
 * Whether `dir` is a readable folder with at least one article file: a check cheap enough to run
 * before connecting to Discord, so that a bot with nothing to serve stops at once.
 */
export async function hasArticleFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((name) => corpusEntryRole(name, false) === 'article');
  } catch {
    return false;
  }
}

/**
 * Whether `candidate` rather than `kept` keeps an id both files use: the file serving it, else
 * the older one (the newer file is the one just added or edited), else the first by name.
 */
function keepsIdOver(candidate: { document: CorpusDocument; modified: number }, kept: { document: CorpusDocument; modified: number }, servedBy: string | undefined): boolean {
  if (servedBy === candidate.document.file || servedBy === kept.document.file) return servedBy === candidate.document.file;
  return candidate.modified < kept.modified;
}

/** Shared with uploads, so a refused upload reads like a refused reload. */
export function duplicateIdProblem(file: string, id: string, otherFile: string): CorpusProblem {
  return { file, line: 1, message: `duplicate id "${id}": ${otherFile} already uses it (set a different "id" in the front matter)` };
}

/** Whether `target` is `root` itself or somewhere below it. */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative));
}
