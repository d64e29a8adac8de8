/**
 * Reads a corpus folder, validated together: the `*.md` files directly inside it are the base
 * corpus, which every server sees; `servers/<server id>/*.md` are each server's own articles.
 */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MAX_FILE_BYTES, parseCorpusFile } from './parseCorpusFile.js';
import { documentKey, type CorpusDocument, type CorpusProblem } from './types.js';

export interface LoadCorpusOptions {
  /** Files larger than this are rejected before they are read. Default 1 MiB. */
  maxFileBytes?: number;
  /**
   * The documents being served, id → file name. When two files use one id, the file already
   * serving it keeps it and the other is blamed; without this (or for an id not served), the
   * file modified last is blamed.
   */
  served?: ReadonlyMap<string, string>;
  /**
   * Read only these servers' folders besides the base (default: every server's). Checking an
   * upload needs only the base and the uploading server's articles, not thousands of others.
   */
  servers?: readonly string[];
}

export interface LoadedCorpus {
  /** The valid documents, in file-name order. */
  documents: CorpusDocument[];
  /** Everything wrong, per file: each such file is left out, the others served. */
  problems: CorpusProblem[];
  /** Entries that were not read (subfolders, other file types), and why: not errors, but worth a look. */
  skipped: CorpusProblem[];
}

/** The folder of the corpus folder that holds each server's own articles, one folder per server. */
export const SERVERS_FOLDER = 'servers';
/** A server's folder is named by its id: 17–20 digits. */
const SERVER_ID = /^\d{17,20}$/;

/** Where a server's own articles are, relative to the corpus folder (with "/", as files are named). */
export function serverFolder(scope: string): string {
  return `${SERVERS_FOLDER}/${scope}`;
}

/** Whether `scope` can name a server's folder (anything else could climb out of `servers/`). */
export function isServerId(scope: string): boolean {
  return SERVER_ID.test(scope);
}

/** A file of the corpus to read: its path relative to the corpus folder, and whose article it is. */
interface CorpusEntry {
  file: string;
  scope?: string;
}

/**
 * Whether an entry of the corpus folder is read as an article, ignored silently, or skipped
 * with a reason to report. The one place that decides it: dot-entries (`.removed/`, uploads
 * being written) are the bot's own; anything else not read is reported, so that an article in a
 * subfolder or saved as .txt is noticed.
 */
export function corpusEntryRole(name: string, isFolder: boolean, inServerFolder = false): 'article' | 'ignored' | 'servers' | { skipped: string } {
  if (name.startsWith('.')) return 'ignored';
  if (isFolder && name === SERVERS_FOLDER && !inServerFolder) return 'servers';
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

  const base: CorpusEntry[] = [];
  const servers: CorpusEntry[] = [];
  const skipped: CorpusProblem[] = [];
  for (const name of (await readdir(root)).sort()) {
    const isFolder = await isFolderAt(path.join(root, name));
    const role = corpusEntryRole(name, isFolder);
    if (role === 'article') base.push({ file: name });
    else if (role === 'servers') servers.push(...(await listServerArticles(root, skipped, options.servers)));
    else if (role !== 'ignored') skipped.push({ file: isFolder ? `${name}/` : name, message: role.skipped });
  }
  return { ...(await readCorpusFiles(root, [...base, ...servers], options)), skipped };
}

const isFolderAt = async (fullPath: string) => (await stat(fullPath).catch(() => undefined))?.isDirectory() ?? false;

/** The article files of every server folder under `servers/` (or of `only` those servers), reporting what is not read. */
async function listServerArticles(root: string, skipped: CorpusProblem[], only: readonly string[] | undefined): Promise<CorpusEntry[]> {
  const entries: CorpusEntry[] = [];
  const serversRoot = path.join(root, SERVERS_FOLDER);
  for (const scope of (await readdir(serversRoot)).sort()) {
    if (scope.startsWith('.')) continue;
    const folder = path.join(serversRoot, scope);
    if (!isServerId(scope) || !(await isFolderAt(folder))) {
      skipped.push({
        file: `${SERVERS_FOLDER}/${scope}`,
        message: `not read: ${SERVERS_FOLDER}/ holds one folder per server, named by the server's id (17–20 digits)`,
      });
      continue;
    }
    if (only && !only.includes(scope)) continue;
    // A server folder that is a link to elsewhere would bring outside files in.
    if (!isInside(root, await realpath(folder))) {
      skipped.push({ file: `${serverFolder(scope)}/`, message: 'not read: it links outside the corpus folder' });
      continue;
    }
    for (const name of (await readdir(folder)).sort()) {
      const isFolder = await isFolderAt(path.join(folder, name));
      const role = corpusEntryRole(name, isFolder, true);
      const file = `${serverFolder(scope)}/${name}`;
      if (role === 'article') entries.push({ file, scope });
      else if (typeof role === 'object') skipped.push({ file: isFolder ? `${file}/` : file, message: role.skipped });
    }
  }
  return entries;
}

/**
 * Checks one file as `loadCorpus` would check it in its folder, without the others (so without
 * the duplicate-id check): for `npm run corpus:check -- FILE`.
 */
export async function loadCorpusFile(filePath: string, options: LoadCorpusOptions = {}): Promise<LoadedCorpus> {
  const name = path.basename(filePath);
  const role = corpusEntryRole(name, false);
  if (role !== 'article')
    return {
      documents: [],
      problems: [],
      skipped: [
        {
          file: name,
          message:
            role === 'ignored'
              ? 'not read: the corpus ignores files whose name starts with "."'
              : typeof role === 'object'
                ? role.skipped
                : 'not read: not a file',
        },
      ],
    };
  const folder = await realpath(path.dirname(filePath)).catch(() => undefined);
  if (folder === undefined) return { documents: [], problems: [{ file: filePath, message: 'file not found or not readable' }], skipped: [] };
  return { ...(await readCorpusFiles(folder, [{ file: name }], options)), skipped: [] };
}

/**
 * Reads and validates `files` of the folder `root`. Ids must be unique among the base files, and
 * among one server's files; a server's article and a base one never collide (keys are scoped, see
 * `documentKey`), so a base file added later cannot take a server's article away.
 */
async function readCorpusFiles(root: string, files: CorpusEntry[], options: LoadCorpusOptions): Promise<Omit<LoadedCorpus, 'skipped'>> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const problems: CorpusProblem[] = [];
  const parsed: Candidate[] = [];
  // In file order, whatever order the reads finish in.
  for (const outcome of await mapConcurrently(files, READ_CONCURRENCY, (entry) => readCorpusFile(root, entry, maxFileBytes))) {
    if ('candidate' in outcome) parsed.push(outcome.candidate);
    else problems.push(...outcome.problems);
  }

  const keeperOf = new Map<string, Candidate>();
  for (const candidate of parsed) {
    const key = documentKey(candidate.document);
    const kept = keeperOf.get(key);
    if (kept === undefined || keepsIdOver(candidate, kept, options.served?.get(key))) keeperOf.set(key, candidate);
  }
  const documents: CorpusDocument[] = [];
  for (const { document } of parsed) {
    const keeper = keeperOf.get(documentKey(document))!.document;
    if (keeper === document) documents.push(document);
    else problems.push(duplicateIdProblem(document.file, document.id, keeper.file));
  }
  // File-name order, each file's problems in the order found (the sort is stable).
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { documents, problems };
}

/**
 * Files read at once. Each read is a few round trips to libuv's thread pool (lstat, stat, open,
 * read, close): one at a time, 10,000 articles took 5 s of mostly waiting; a few dozen in flight
 * keep the pool (4 threads by default) busy without holding many files open.
 */
const READ_CONCURRENCY = 32;

/** One file read and parsed: a candidate document, or why it is not one (no problems: not a file). */
async function readCorpusFile(
  root: string,
  { file, scope }: CorpusEntry,
  maxFileBytes: number,
): Promise<{ candidate: Candidate } | { problems: CorpusProblem[] }> {
  const fullPath = path.join(root, file);
  try {
    const info = await lstat(fullPath);
    if (info.isSymbolicLink()) {
      const linkTarget = await realpath(fullPath).catch(() => undefined);
      if (linkTarget === undefined || !isInside(root, linkTarget)) {
        return { problems: [{ file, message: 'symbolic link points outside the corpus folder (or nowhere); it is ignored for safety' }] };
      }
    }
    const entry = await stat(fullPath);
    if (!entry.isFile()) return { problems: [] };
    if (entry.size > maxFileBytes) return { problems: [{ file, message: `file is too large (${entry.size} bytes; the limit is ${maxFileBytes})` }] };
    const result = parseCorpusFile(file, await readFile(fullPath), maxFileBytes);
    if (!result.document) return { problems: result.problems };
    return { candidate: { document: scope === undefined ? result.document : { ...result.document, scope }, modified: entry.mtimeMs } };
  } catch (error) {
    return { problems: [{ file, message: `cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})` }] };
  }
}

/** `map` over `items` with at most `limit` calls pending at once; results in the items' order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await map(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface Candidate {
  document: CorpusDocument;
  modified: number;
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
function keepsIdOver(candidate: Candidate, kept: Candidate, servedBy: string | undefined): boolean {
  if (servedBy === candidate.document.file || servedBy === kept.document.file) return servedBy === candidate.document.file;
  return candidate.modified < kept.modified;
}

/**
 * Shared with uploads, so a refused upload reads like a refused reload. `otherIsBase`: `file` is a
 * server's article and `otherFile` a base article, which every server sees.
 */
export function duplicateIdProblem(file: string, id: string, otherFile: string, otherIsBase = false): CorpusProblem {
  if (otherIsBase)
    return {
      file,
      line: 1,
      message: `duplicate id "${id}": ${otherFile}, an article every server sees, already uses it, and a server's own article may not reuse it (set a different "id" in the front matter)`,
    };
  return { file, line: 1, message: `duplicate id "${id}": ${otherFile} already uses it (set a different "id" in the front matter)` };
}

/** Whether `target` is `root` itself or somewhere below it. */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative));
}
