/**
 * Changing the corpus folder: writing an uploaded article and retiring one, in the base folder or
 * in one server's folder (`servers/<id>/`). Every write is validated by the same checker as a
 * reload, stays inside its folder, and is atomic (a reload or a watcher never sees half a file).
 * Articles are never deleted outright: retired files move to `.removed/` in their folder, which
 * keeps the newest `REMOVED_KEEP` for up to `REMOVED_MAX_AGE_DAYS`.
 *
 * Writes to one folder take a lock that holds across processes (`.write.lock` in the folder, by
 * proper-lockfile), so two shard processes can never both pass the checks for the same id; and in
 * case the lock was lost while a write checked (its holder stalled past the lock's stale time), the
 * folder's ids are checked again just before the file is put in place. Reloads never take it: they
 * read whole files that writes put in place atomically.
 */
import { randomUUID } from 'node:crypto';
import { link, lstat, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { stringify } from 'yaml';
import { corpusEntryRole, duplicateIdProblem, isInside, isServerId, loadCorpus, serverFolder } from '../corpus/loadCorpus.js';
import { fieldValueProblem, parseCorpusFile, REQUIRED_FIELDS, slugify, textProblem } from '../corpus/parseCorpusFile.js';
import { splitIntoPassages } from '../passages/splitIntoPassages.js';
import type { CorpusDocument, CorpusProblem, DocumentMeta } from '../corpus/types.js';

/** Where retired files go, inside the corpus folder (a dot-folder, so the loader skips it). */
export const REMOVED_FOLDER = '.removed';
/**
 * Retired files a folder's `.removed/` keeps, newest first, and for how long: enough to undo a
 * mistake, while add-and-remove cycles cannot fill the disk past a server's quota. Older ones are
 * deleted whenever an article of that folder is retired.
 */
export const REMOVED_KEEP = 20;
export const REMOVED_MAX_AGE_DAYS = 30;

/**
 * A file name that can only land directly inside the corpus folder: the last path segment of
 * `name` (any separator, drive letter or NUL dropped), accents folded, lower-cased, reduced to
 * a-z 0-9 - _, with `.md` in place of its extension. Undefined when no letter or digit remains.
 */
export function safeCorpusFileName(name: string): string | undefined {
  const base = name
    .replace(/\0/g, '')
    .split(/[/\\]/)
    .pop()!
    .replace(/^[a-z]:/i, '');
  const stem = slugify(
    base
      .replace(/\.[^.]*$/, '')
      .normalize('NFKD')
      .replace(/\p{M}/gu, ''),
  );
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
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return 'The disk that holds the corpus folder is full, so nothing was written: free some space (or ask whoever runs the bot to), then try again.';
  if (code === 'EROFS') return 'The corpus folder is on a read-only file system, so nothing was written: whoever runs the bot must make CORPUS_DIR writable.';
  if (code === 'EACCES' || code === 'EPERM')
    return 'The bot is not allowed to write to the corpus folder, so nothing was written: whoever runs the bot must give it write access to CORPUS_DIR.';
  return undefined;
}

/** What a server's own articles take up: they are limited (see `Quota`). */
export interface Usage {
  articles: number;
  bytes: number;
  /** Counted only once articles and bytes are within the quota (it takes reading them). */
  passages?: number;
}

/**
 * The most one server's own articles may take up. Passages bound the memory they take, which
 * bytes do not: a file of one-letter paragraphs makes a passage of every two bytes.
 */
export interface Quota {
  maxArticles: number;
  maxBytes: number;
  maxPassages: number;
}

export type WriteResult =
  /** `file` is named within its folder; `usage` is the server's after the write (for a server's folder). */
  | { ok: true; file: string; documentId: string; replaced: boolean; usage?: Usage }
  | { ok: false; reason: 'invalid' | 'exists'; problems: CorpusProblem[] }
  /** The write would take the server past its quota: `usage` is what it has now. */
  | { ok: false; reason: 'quota'; usage: Usage; quota: Quota };

export interface WriteOptions {
  /** Overwrite a file of the same name (otherwise refused with reason 'exists'). */
  replace: boolean;
  maxFileBytes?: number;
  /** Write into this server's folder (`servers/<scope>/`) instead of the base. */
  scope?: string;
  /** For a server's folder: the most its articles may take up. */
  quota?: Quota;
  /**
   * Who holds the write lock (default: this thread). Its refreshes must not wait for the checks,
   * which read every article the file would be served with: a corpus task's worker has its
   * parent thread hold it (see corpusTasks.ts).
   */
  lock?: LockFolder;
}

/**
 * Writes `bytes` as `safeCorpusFileName(fileName)` in `dir` (or in the server folder of
 * `options.scope`), only if it is a valid corpus file whose id no file it would be served with
 * uses, and the server stays within its quota. Returns the name written, or why nothing was.
 */
export async function writeCorpusFile(dir: string, fileName: string, bytes: Uint8Array, options: WriteOptions): Promise<WriteResult> {
  const prepared = prepareWrite(fileName, bytes, options);
  if ('ok' in prepared) return prepared;
  const { file, document } = prepared;
  const { scope } = options;
  const root = await realpath(dir).catch(() => undefined);
  if (root === undefined) return invalidWrite({ file: dir, message: 'corpus folder not found or not readable' });
  const folder = await writableFolder(root, scope);
  const target = path.join(folder, file);
  // Cannot fail for a safe name; checked anyway because this is where bytes reach the disk.
  if (!isInside(folder, target)) return invalidWrite({ file, message: 'the file would land outside the corpus folder' });
  return withWriteLock(
    folder,
    async () => {
      const listed = await articleStamps(folder);
      const checked = await checkWrite(document, bytes.length, options, {
        replacedBytes: await lstat(target).then(
          (info) => info.size,
          () => undefined,
        ),
        usage: () => folderUsage(folder),
        // Only the folders this article would be served with: the base, and its own server's.
        served: async () =>
          (await loadCorpus(root, { maxFileBytes: options.maxFileBytes, servers: scope === undefined ? [] : [scope] })).documents.map(servedArticle),
      });
      if (!checked.ok) return checked;

      // A dot-file, so neither the loader nor the watcher looks at it while it is being written.
      const temp = path.join(folder, `.upload-${randomUUID()}.tmp`);
      try {
        await writeFile(temp, bytes, { flag: 'wx', flush: true });
        // The checks above take a while: had the lock been lost meanwhile (its holder stalled past
        // its stale time), another process may have written this id since.
        const rival = await sameIdWrittenSince(folder, listed, document.id, file, options.maxFileBytes);
        if (rival !== undefined) return invalidWrite(duplicateIdProblem(file, document.id, scope === undefined ? rival : `${serverFolder(scope)}/${rival}`));
        // Both put the complete file in place at once; link() also refuses a name taken meanwhile.
        if (options.replace) await rename(temp, target);
        else await link(temp, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return existsRefusal(file);
        throw error;
      } finally {
        await rm(temp, { force: true });
      }
      return checked;
    },
    options.lock,
  );
}

const invalidWrite = (...problems: CorpusProblem[]): WriteResult => ({ ok: false, reason: 'invalid', problems });

const existsRefusal = (file: string): WriteResult => ({
  ok: false,
  reason: 'exists',
  problems: [{ file, message: 'a file with this name is already in the corpus' }],
});

/**
 * An upload as it would be written: its safe file name and its document, or why it is not valid
 * (wherever articles are kept: a corpus folder, or the database).
 */
export function prepareWrite(
  fileName: string,
  bytes: Uint8Array,
  options: Pick<WriteOptions, 'maxFileBytes' | 'scope'>,
): { file: string; document: CorpusDocument } | WriteResult {
  const file = safeCorpusFileName(fileName);
  if (file === undefined) return invalidWrite({ file: fileName, message: 'the file name has no letter or digit to keep: rename the file' });
  const parsed = parseCorpusFile(file, bytes, options.maxFileBytes);
  if (!parsed.document) return invalidWrite(...parsed.problems);
  const { scope } = options;
  if (scope !== undefined && !isServerId(scope)) return invalidWrite({ file, message: `"${scope}" is not a server id` });
  return { file, document: parsed.document };
}

/** An article a write is checked against: one the written article would be served with. */
export interface ServedArticle {
  id: string;
  /** Named relative to the corpus folder, e.g. `servers/<id>/notes.md`. */
  file: string;
  scope?: string;
  passages(): number;
}

/** A document read from the corpus folder, as a write's checks see it. */
export const servedArticle = (document: CorpusDocument): ServedArticle => ({
  id: document.id,
  file: document.file,
  ...(document.scope !== undefined && { scope: document.scope }),
  passages: () => splitIntoPassages(document).length,
});

/** Where a write lands, as its checks see it: a corpus folder, or the database's rows. */
export interface WriteTarget {
  /** Bytes of the article of the same name, which the write would replace; undefined when there is none. */
  replacedBytes: number | undefined;
  /** The server's own articles and bytes now (asked for a server's write only). */
  usage(): Promise<Usage>;
  /** The articles the written one would be served with: the base's, and its server's own (asked once the quota in articles and bytes holds). */
  served(): Promise<ServedArticle[]>;
}

/**
 * The checks every write passes, wherever articles are kept: its name free (or `replace`), the
 * server within its quota, and its id used by no article it would be served with. The result
 * the write returns when it is then made (`usage`: the server's after it), or why not.
 */
export async function checkWrite(document: CorpusDocument, bytes: number, options: WriteOptions, target: WriteTarget): Promise<WriteResult> {
  const { file } = document;
  const { scope, quota } = options;
  const replaced = target.replacedBytes !== undefined;
  if (replaced && !options.replace) return existsRefusal(file);
  let usage: Usage | undefined;
  let current: Usage | undefined;
  if (scope !== undefined) {
    current = await target.usage();
    usage = { articles: current.articles + (replaced ? 0 : 1), bytes: current.bytes - (target.replacedBytes ?? 0) + bytes };
    if (quota && (usage.articles > quota.maxArticles || usage.bytes > quota.maxBytes)) return { ok: false, reason: 'quota', usage: current, quota };
  }
  const served = await target.served();
  const relative = scope === undefined ? file : `${serverFolder(scope)}/${file}`;
  const others = served.filter((article) => article.id === document.id && article.file !== relative);
  const other = others.find((article) => article.scope === undefined) ?? others.find((article) => article.scope === scope);
  if (other) return invalidWrite(duplicateIdProblem(file, document.id, other.file, scope !== undefined && other.scope === undefined));
  if (usage && current && quota) {
    const kept = served.filter((article) => article.scope === scope && article.file !== relative);
    const before = kept.reduce((sum, article) => sum + article.passages(), 0);
    usage.passages = before + splitIntoPassages(document).length;
    if (usage.passages > quota.maxPassages) return { ok: false, reason: 'quota', usage: { ...current, passages: before }, quota };
  }
  return { ok: true, file, documentId: document.id, replaced, ...(usage && { usage }) };
}

/** The folder writes for `scope` go to (created for a server's first article), checked to be inside `root`. */
async function writableFolder(root: string, scope: string | undefined): Promise<string> {
  if (scope === undefined) return root;
  const folder = path.join(root, serverFolder(scope));
  await mkdir(folder, { recursive: true });
  // A `servers` folder that is a link to elsewhere would take the write out of the corpus.
  if (!isInside(root, await realpath(folder))) throw new Error(`${serverFolder(scope)} points outside the corpus folder`);
  return folder;
}

/** The article files of `folder`, each with when it last changed (writing, linking or moving a file changes its ctime). */
async function articleStamps(folder: string): Promise<Map<string, number>> {
  const stamps = new Map<string, number>();
  for (const name of await readdir(folder)) {
    if (corpusEntryRole(name, false, true) !== 'article') continue;
    const info = await lstat(path.join(folder, name)).catch(() => undefined);
    if (info) stamps.set(name, info.ctimeMs);
  }
  return stamps;
}

/** An article of `folder` other than `file`, new or changed since `listed`, whose id is `id`. */
async function sameIdWrittenSince(
  folder: string,
  listed: Map<string, number>,
  id: string,
  file: string,
  maxFileBytes: number | undefined,
): Promise<string | undefined> {
  for (const [name, stamp] of await articleStamps(folder)) {
    if (name === file || listed.get(name) === stamp) continue;
    const bytes = await readFile(path.join(folder, name)).catch(() => undefined);
    if (bytes && parseCorpusFile(name, bytes, maxFileBytes).document?.id === id) return name;
  }
  return undefined;
}

/**
 * When each article file (named relative to `dir`) was last written, `YYYY-MM-DD`: the day it was
 * added, or replaced. A file gone since has none.
 */
export async function writtenDates(dir: string, files: readonly string[]): Promise<Map<string, string>> {
  const dates = await Promise.all(
    files.map(
      async (file) =>
        [
          file,
          await stat(path.join(dir, file)).then(
            (info) => info.mtime.toISOString().slice(0, 10),
            () => undefined,
          ),
        ] as const,
    ),
  );
  return new Map(dates.filter((entry): entry is readonly [string, string] => entry[1] !== undefined));
}

/** How many articles a server's folder holds, and their bytes (`.removed/` and other files not counted). */
export async function folderUsage(folder: string): Promise<Usage> {
  const usage: Usage = { articles: 0, bytes: 0 };
  for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory() || corpusEntryRole(entry.name, false, true) !== 'article') continue;
    const size = await stat(path.join(folder, entry.name)).then(
      (info) => info.size,
      () => undefined,
    );
    if (size === undefined) continue;
    usage.articles++;
    usage.bytes += size;
  }
  return usage;
}

/**
 * How long a write lock may go without being refreshed before it is taken as left by a crashed
 * process. The holder refreshes it every half of that; a write takes well under a second.
 */
const LOCK_STALE_MS = 10_000;
/** Waiting for another process's write: retried with a growing delay, for up to about 20 s (past a stale lock's 10 s). */
const LOCK_RETRIES = { retries: 30, factor: 1.3, minTimeout: 50, maxTimeout: 1_000 };

/** Another process held the folder's write lock for as long as we waited. */
export class CorpusBusy extends Error {
  override name = 'CorpusBusy';
}

/** Takes a folder's write lock, which holds across processes; resolves to what releases it. */
export type LockFolder = (folder: string) => Promise<() => Promise<void>>;

/**
 * Takes `folder`'s write lock in this thread, which then refreshes it on its timers; a lock whose
 * holder crashed is taken over once stale. Throws `CorpusBusy` when another holder keeps it.
 */
export const lockFolder: LockFolder = async (folder) => {
  try {
    return await lockfile.lock(folder, {
      lockfilePath: path.join(folder, WRITE_LOCK),
      realpath: false,
      stale: LOCK_STALE_MS,
      retries: LOCK_RETRIES,
      // The lock could not be refreshed (the disk went away): the write itself then fails or
      // completes on its own; throwing here, in a timer, would end the process.
      onCompromised: () => undefined,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new CorpusBusy('another change to these articles is still being written');
    throw error;
  }
};

/** Runs `write` holding `folder`'s write lock, taken by `lock`. */
async function withWriteLock<T>(folder: string, write: () => Promise<T>, lock: LockFolder = lockFolder): Promise<T> {
  const release = await lock(folder);
  try {
    return await write();
  } finally {
    await release().catch(() => undefined);
  }
}

/** The lock folder writes to a corpus folder take (a dot-entry: the loader and the watcher skip it). */
export const WRITE_LOCK = '.write.lock';

export interface RetiredFile {
  /** Named within its folder (the base, or the server's). */
  file: string;
  documentId: string;
  title: string;
  /** Where the file is now, relative to its folder: `.removed/<time>-<file>`. */
  movedTo: string;
}

export interface RetireOptions {
  maxFileBytes?: number;
  /**
   * Refuse to move the only valid article (answered with `{ onlyArticle: file }`): an empty
   * corpus would be served until the next start, which then refuses to run.
   */
  keepLast?: boolean;
  /**
   * Retire one of this server's own articles (from `servers/<scope>/`). An id that only the base
   * has is answered with `{ sharedArticle: title }`: a server cannot remove what every server sees.
   */
  scope?: string;
  /** Who holds the write lock, as for `writeCorpusFile`. */
  lock?: LockFolder;
}

export type RetireResult = RetiredFile | { onlyArticle: string } | { sharedArticle: string } | undefined;

/**
 * Moves the file of document `documentId` to `.removed/<ISO time>-<file>` in its folder, then
 * deletes what that `.removed/` no longer keeps (see `REMOVED_KEEP`). Undefined when no valid
 * file of that folder has that id.
 */
export function retireCorpusFile(dir: string, documentId: string, options?: { maxFileBytes?: number }): Promise<RetiredFile | undefined>;
export function retireCorpusFile(dir: string, documentId: string, options: RetireOptions): Promise<RetireResult>;
export async function retireCorpusFile(dir: string, documentId: string, options: RetireOptions = {}): Promise<RetireResult> {
  const { scope } = options;
  if (scope !== undefined && !isServerId(scope)) return undefined;
  const root = await realpath(dir);
  const folder = scope === undefined ? root : path.join(root, serverFolder(scope));
  const find = async () => {
    const { documents } = await loadCorpus(root, { maxFileBytes: options.maxFileBytes, servers: scope === undefined ? [] : [scope] });
    return { documents, document: documents.find((candidate) => candidate.id === documentId && candidate.scope === scope) };
  };
  // A server without a folder has no article of its own: nothing to lock.
  const hasFolder = await stat(folder).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!hasFolder) {
    const { documents } = await find();
    const shared = documents.find((candidate) => candidate.id === documentId);
    return shared ? { sharedArticle: shared.title } : undefined;
  }
  return withWriteLock(
    folder,
    async () => {
      const { documents, document } = await find();
      if (!document) {
        const shared = documents.find((candidate) => candidate.id === documentId);
        return shared ? { sharedArticle: shared.title } : undefined;
      }
      if (options.keepLast && documents.length === 1) return { onlyArticle: path.basename(document.file) };
      const file = path.basename(document.file);
      return { file, documentId, title: document.title, movedTo: await moveToRemoved(root, folder, file, new Date()) };
    },
    options.lock,
  );
}

/** Where an article retired at `at` goes, relative to its folder: `.removed/<ISO time>-<file>`. */
export function removedName(file: string, at: Date): string {
  return `${REMOVED_FOLDER}/${at.toISOString().replace(/:/g, '-')}-${file}`;
}

/**
 * Moves `file` of `folder` (inside the corpus folder `root`) to its `removedName`, then deletes
 * what that `.removed/` no longer keeps (see `REMOVED_KEEP`). Resolves with where it went.
 */
export async function moveToRemoved(root: string, folder: string, file: string, at: Date): Promise<string> {
  await mkdir(path.join(folder, REMOVED_FOLDER), { recursive: true });
  // A `.removed` that is a link to elsewhere would move the file out of the folder.
  if (!isInside(root, await realpath(path.join(folder, REMOVED_FOLDER)))) throw new Error(`${REMOVED_FOLDER} points outside the corpus folder`);
  const movedTo = removedName(file, at);
  await rename(path.join(folder, file), path.join(folder, movedTo));
  await pruneRemoved(path.join(folder, REMOVED_FOLDER), Date.now());
  return movedTo;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a file in `.removed/` was retired, from the time its name starts with; undefined for a file not retired by the bot. */
function retiredAt(name: string): number | undefined {
  const stamp = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}(?:\.\d+)?Z)-/.exec(name);
  const at = stamp ? Date.parse(`${stamp[1]}:${stamp[2]}:${stamp[3]}`) : NaN;
  return Number.isNaN(at) ? undefined : at;
}

/** Deletes the retired files in `removed` past the newest `REMOVED_KEEP` or older than `REMOVED_MAX_AGE_DAYS`; other files are left alone. */
async function pruneRemoved(removed: string, now: number): Promise<void> {
  const retired = (await readdir(removed))
    .flatMap((name) => {
      const at = retiredAt(name);
      return at === undefined ? [] : [{ name, at }];
    })
    .sort((a, b) => b.at - a.at);
  const oldest = now - REMOVED_MAX_AGE_DAYS * DAY_MS;
  const dropped = retired.filter(({ at }, newest) => newest >= REMOVED_KEEP || at < oldest);
  await Promise.all(dropped.map(({ name }) => rm(path.join(removed, name), { force: true })));
}
