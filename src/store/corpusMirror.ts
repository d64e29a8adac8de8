/**
 * Each host's corpus folder as a mirror of the database's articles: a row's text is written as
 * its file (`servers/<id>/<file>`, or at the top for the base), a removed row's file moved to
 * `.removed/` as a retired file is. The engine then reloads from the folder as it always does,
 * reusing the passages of files that did not change.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { corpusEntryRole, isServerId, SERVERS_FOLDER, serverFolder } from '../corpus/loadCorpus.js';
import { moveToRemoved, safeCorpusFileName } from '../engine/corpusFiles.js';

/** The folder of `scope` ('' for the base) in the corpus folder, or undefined for a scope or file name no row of the bot's could have. */
function placeOf(corpusDir: string, scope: string, file: string): string | undefined {
  if (scope !== '' && !isServerId(scope)) return undefined;
  if (safeCorpusFileName(file) !== file) return undefined;
  return scope === '' ? corpusDir : path.join(corpusDir, serverFolder(scope));
}

/** Writes a row's text as its file, whole (a reload never sees half of it); false when the file already had that text, or the row cannot be a file. */
export async function writeMirrorFile(corpusDir: string, scope: string, file: string, text: string): Promise<boolean> {
  const folder = placeOf(corpusDir, scope, file);
  if (folder === undefined) return false;
  const target = path.join(folder, file);
  const current = await readFile(target, 'utf8').catch(() => undefined);
  if (current === text) return false;
  await mkdir(folder, { recursive: true });
  // A dot-file, which neither the loader nor the watcher reads.
  const temporary = path.join(folder, `.mirror-${randomUUID()}.tmp`);
  try {
    await writeFile(temporary, text);
    await rename(temporary, target);
  } finally {
    await rm(temporary, { force: true });
  }
  return true;
}

/** Moves a removed row's file to `.removed/`, named by when it was removed (alike on every host); false when there is no such file. */
export async function removeMirrorFile(corpusDir: string, scope: string, file: string, at: Date): Promise<boolean> {
  const folder = placeOf(corpusDir, scope, file);
  if (folder === undefined) return false;
  try {
    await moveToRemoved(corpusDir, folder, file, at);
    return true;
  } catch (error) {
    // Gone already: moved by another process serving the same folder.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Every server's article files in the mirror, as `<scope>/<file>`: those the database may have removed. */
export async function serverMirrorFiles(corpusDir: string): Promise<Array<{ scope: string; file: string }>> {
  const servers = await readdir(path.join(corpusDir, SERVERS_FOLDER)).catch(() => []);
  const files: Array<{ scope: string; file: string }> = [];
  for (const scope of servers.filter(isServerId)) {
    const names = await readdir(path.join(corpusDir, serverFolder(scope))).catch(() => []);
    for (const file of names) if (corpusEntryRole(file, false, true) === 'article') files.push({ scope, file });
  }
  return files;
}
