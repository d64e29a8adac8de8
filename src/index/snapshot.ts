/**
 * The search index saved in `CACHE_DIR`, so that a restart loads it in seconds instead of
 * analysing the whole corpus again, and a reload only analyses what changed since.
 *
 * Layout: `CACHE_DIR/index/<name>/` holds one saved index (`meta.json`, `documents.jsonl`, one line
 * per document with its passages, and `minisearch.json`); `CACHE_DIR/index/current` names the
 * folder to load. A save writes a new folder, then replaces `current` by renaming a file over it,
 * so a crash mid-save leaves the previous index in place; older folders are then deleted.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import MiniSearch from 'minisearch';
import { documentKey, scopedKey, type DocumentInfo } from '../corpus/types.js';
import type { Passage } from '../passages/splitIntoPassages.js';
import { MINISEARCH_OPTIONS, type SearchIndex } from './buildSearchIndex.js';

/**
 * What a saved index depends on besides the corpus: the code that splits and analyses text and
 * builds the index, and the versions of the libraries it uses. Any change to them gives a
 * different key, and a saved index with another key is rebuilt rather than trusted.
 */
export const INDEX_CODE_KEY = (() => {
  const hash = createHash('sha256').update('snapshot-format-2');
  const here = path.dirname(fileURLToPath(import.meta.url));
  const extension = path.extname(fileURLToPath(import.meta.url));
  for (const module of ['../text/analyze', '../text/sentences', '../passages/splitIntoPassages', './buildSearchIndex']) {
    hash.update(readFileSync(path.join(here, `${module}${extension}`)));
  }
  const require = createRequire(import.meta.url);
  for (const name of ['minisearch', 'wink-porter2-stemmer', 'stopword']) {
    const packageJson = findPackageJson(require.resolve(name), name);
    hash.update(`${name}@${packageJson ? (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version : '?'}`);
  }
  return hash.digest('hex').slice(0, 16);
})();

/** The package.json of package `name`, found above its resolved entry file. */
function findPackageJson(entry: string, name: string): string | undefined {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (path.basename(dir) === name) return path.join(dir, 'package.json');
  }
  return undefined;
}

interface SnapshotMeta {
  key: string;
  documents: number;
  passages: number;
  nextId: number;
  savedAt: string;
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
 * code, or it is truncated or corrupt: the caller rebuilds.
 */
export async function loadSnapshot(cacheDir: string): Promise<SearchIndex> {
  const started = performance.now();
  let folder: string;
  try {
    folder = path.join(indexDir(cacheDir), (await readFile(path.join(indexDir(cacheDir), 'current'), 'utf8')).trim());
  } catch {
    throw new SnapshotUnusable('no saved index yet');
  }
  try {
    const meta = JSON.parse(await readFile(path.join(folder, 'meta.json'), 'utf8')) as SnapshotMeta;
    if (meta.key !== INDEX_CODE_KEY) throw new SnapshotUnusable('the saved index was built by another version of the code');
    const lines = (await readFile(path.join(folder, 'documents.jsonl'), 'utf8')).split('\n').filter(Boolean);
    const miniSearch = MiniSearch.loadJSON<{ id: number; text: string; section: string; title: string }>(await readFile(path.join(folder, 'minisearch.json'), 'utf8'), MINISEARCH_OPTIONS);
    const index: SearchIndex = {
      documents: [],
      documentsById: new Map(),
      passages: [],
      passagesById: new Map(),
      miniSearch,
      passageAt: new Map(),
      minisearchIdsByDocument: new Map(),
      nextId: meta.nextId,
      passageFrequency: new Map(),
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
    const frequencies = JSON.parse(await readFile(path.join(folder, 'frequencies.json'), 'utf8')) as Array<[string, number]>;
    index.passageFrequency = new Map(frequencies);
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
    if (meta.key !== INDEX_CODE_KEY) return undefined;
    const catalog = JSON.parse(await readFile(path.join(indexDir(cacheDir), current, 'catalog.json'), 'utf8')) as DocumentInfo[];
    return Array.isArray(catalog) ? catalog : undefined;
  } catch {
    return undefined;
  }
}

/** Saves `index` as the current one (see the layout above). */
export async function saveSnapshot(cacheDir: string, index: SearchIndex): Promise<void> {
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
    await writeFile(path.join(folder, 'documents.jsonl'), lines.join('\n'));
    await writeFile(path.join(folder, 'minisearch.json'), JSON.stringify(index.miniSearch));
    await writeFile(path.join(folder, 'frequencies.json'), JSON.stringify([...index.passageFrequency]));
    await writeFile(path.join(folder, 'catalog.json'), JSON.stringify(index.documents));
    const meta: SnapshotMeta = { key: INDEX_CODE_KEY, documents: index.documents.length, passages: index.passages.length, nextId: index.nextId, savedAt: new Date().toISOString() };
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
