/**
 * The search index saved in `CACHE_DIR`, so that a restart loads it in seconds instead of
 * analysing the whole corpus again, and a reload only analyses what changed since.
 *
 * Layout: `CACHE_DIR/index/<name>/` holds one saved index (`meta.json`, `documents.jsonl`, one line
 * per document with its passages, and `minisearch.json`); `CACHE_DIR/index/current` names the
 * folder to load. A save writes a new folder, then replaces `current` by renaming a file over it,
 * so a crash mid-save leaves the previous index in place; older folders are then deleted.
 * `meta.json` holds each other file's SHA-256: an index edited or damaged on disk is rebuilt from
 * the articles, never served (an unchanged article keeps its saved passages, unread otherwise).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import MiniSearch from 'minisearch';
import { cacheKey } from '../cache/cacheKey.js';
import { documentKey, scopedKey, type DocumentInfo } from '../corpus/types.js';
import type { Passage } from '../passages/splitIntoPassages.js';
import { fieldLengthSharer } from './bulkLoad.js';
import { MINISEARCH_OPTIONS, type SearchIndex } from './buildSearchIndex.js';

/**
 * The saved index's format. Bump it whenever a change alters what is saved: the layout of the
 * files, how text is split into passages, analysed into terms (src/text/analyze.ts) or indexed
 * (MINISEARCH_OPTIONS, bulkLoad). A saved index of another format is rebuilt rather than trusted.
 */
export const INDEX_FORMAT = 'snapshot-format-6';

/** The libraries whose version shapes the saved index: the index itself, the stemmer and the stop words. */
export const INDEX_PACKAGES = ['minisearch', 'wink-porter2-stemmer', 'stopword'] as const;

/** What a saved index depends on besides the corpus: its format and the versions of the libraries that shape it. */
export const INDEX_CACHE_KEY = cacheKey(INDEX_FORMAT, INDEX_PACKAGES);

interface SnapshotMeta {
  key: string;
  /** The corpus folder it was built from (absolute). */
  corpusDir: string;
  documents: number;
  passages: number;
  nextId: number;
  savedAt: string;
  /** SHA-256 of each other file of the folder, by name. */
  checksums: Record<string, string>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A saved file's text, if it is as saved (see `checksums`). */
async function readChecked(folder: string, meta: SnapshotMeta, file: string): Promise<string> {
  const text = await readFile(path.join(folder, file), 'utf8');
  if (meta.checksums?.[file] !== sha256(text)) throw new SnapshotUnusable(`the saved index's ${file} does not match its checksum (edited or damaged)`);
  return text;
}

interface DocumentLine {
  document: DocumentInfo;
  ids: number[];
  passages: Passage[];
}

/** Why a saved index was not used: for the log line that says a rebuild follows. */
export class SnapshotUnusable extends Error {}

const indexDir = (cacheDir: string) => path.join(cacheDir, 'index');

/**
 * Loads the saved index. Throws `SnapshotUnusable` when there is none, or it was saved by other
 * code (or, given `corpusDir`, for another folder), or it is truncated or corrupt: the caller
 * rebuilds.
 */
export async function loadSnapshot(cacheDir: string, options: { corpusDir?: string } = {}): Promise<SearchIndex> {
  const started = performance.now();
  let folder: string;
  try {
    folder = path.join(indexDir(cacheDir), (await readFile(path.join(indexDir(cacheDir), 'current'), 'utf8')).trim());
  } catch {
    throw new SnapshotUnusable('no saved index yet');
  }
  try {
    const meta = JSON.parse(await readFile(path.join(folder, 'meta.json'), 'utf8')) as SnapshotMeta;
    if (meta.key !== INDEX_CACHE_KEY) throw new SnapshotUnusable('the saved index is in another format, or was built with other versions of its libraries');
    if (options.corpusDir !== undefined && meta.corpusDir !== path.resolve(options.corpusDir))
      throw new SnapshotUnusable('the saved index is of another corpus folder');
    const lines = (await readChecked(folder, meta, 'documents.jsonl')).split('\n').filter(Boolean);
    const saved = JSON.parse(await readChecked(folder, meta, 'minisearch.json')) as Parameters<typeof MiniSearch.loadJS>[0];
    const share = fieldLengthSharer();
    for (const shortId of Object.keys(saved.fieldLength)) saved.fieldLength[shortId] = share(saved.fieldLength[shortId]!);
    const miniSearch = MiniSearch.loadJS<{ id: number; text: string[]; section: string[]; title: string[] }>(saved, MINISEARCH_OPTIONS);
    const index: SearchIndex = {
      documents: [],
      documentsById: new Map(),
      passages: [],
      passagesById: new Map(),
      miniSearch,
      passageAt: new Map(),
      minisearchIdsByDocument: new Map(),
      nextId: meta.nextId,
      buildMs: 0,
    };
    for (const line of lines) {
      const { document, ids, passages } = JSON.parse(line) as DocumentLine;
      if (ids.length !== passages.length) throw new SnapshotUnusable('the saved index is inconsistent');
      index.documents.push(document);
      index.documentsById.set(documentKey(document), document);
      index.minisearchIdsByDocument.set(documentKey(document), ids);
      passages.forEach((passage, position) => {
        index.passages.push(passage);
        index.passagesById.set(scopedKey(passage.scope, passage.id), passage);
        index.passageAt.set(ids[position]!, passage);
      });
    }
    if (index.documents.length !== meta.documents || index.passages.length !== meta.passages || miniSearch.documentCount !== meta.passages) {
      throw new SnapshotUnusable('the saved index is incomplete');
    }
    index.buildMs = performance.now() - started;
    return index;
  } catch (error) {
    if (error instanceof SnapshotUnusable) throw error;
    throw new SnapshotUnusable(`the saved index could not be read (${(error as Error).message.slice(0, 200)})`);
  }
}

/** The documents of the saved index alone (small and quick to read), or undefined without a usable one. */
export async function loadSavedCatalog(cacheDir: string): Promise<DocumentInfo[] | undefined> {
  try {
    const current = (await readFile(path.join(indexDir(cacheDir), 'current'), 'utf8')).trim();
    const meta = JSON.parse(await readFile(path.join(indexDir(cacheDir), current, 'meta.json'), 'utf8')) as SnapshotMeta;
    if (meta.key !== INDEX_CACHE_KEY) return undefined;
    const catalog = JSON.parse(await readChecked(path.join(indexDir(cacheDir), current), meta, 'catalog.json')) as DocumentInfo[];
    return Array.isArray(catalog) ? catalog : undefined;
  } catch {
    return undefined;
  }
}

/** Saves `index` as the current one (see the layout above). */
export async function saveSnapshot(cacheDir: string, index: SearchIndex, corpusDir: string): Promise<void> {
  const root = indexDir(cacheDir);
  await mkdir(root, { recursive: true });
  const name = `${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const folder = path.join(root, name);
  await mkdir(folder);
  try {
    const lines = index.documents.map((document) => {
      const ids = index.minisearchIdsByDocument.get(documentKey(document))!;
      return JSON.stringify({ document, ids, passages: ids.map((id) => index.passageAt.get(id)!) } satisfies DocumentLine);
    });
    const files: Record<string, string> = {
      'documents.jsonl': lines.join('\n'),
      'minisearch.json': JSON.stringify(index.miniSearch),
      'catalog.json': JSON.stringify(index.documents),
    };
    const checksums: Record<string, string> = {};
    for (const [file, text] of Object.entries(files)) {
      await writeFile(path.join(folder, file), text);
      checksums[file] = sha256(text);
    }
    const meta: SnapshotMeta = {
      key: INDEX_CACHE_KEY,
      corpusDir: path.resolve(corpusDir),
      documents: index.documents.length,
      passages: index.passages.length,
      nextId: index.nextId,
      savedAt: new Date().toISOString(),
      checksums,
    };
    await writeFile(path.join(folder, 'meta.json'), JSON.stringify(meta));
    const pointer = path.join(root, `.current-${name}`);
    await writeFile(pointer, name);
    await rename(pointer, path.join(root, 'current'));
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  // Older saves are no longer pointed to. Another process may be saving at the same moment:
  // its folder is younger than ours and kept.
  for (const entry of await readdir(root)) {
    if (entry !== name && !entry.startsWith('.') && entry !== 'current' && entry < name) await rm(path.join(root, entry), { recursive: true, force: true });
  }
}
