/** Reads a corpus folder: every `*.md` file directly inside it, validated together. */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MAX_FILE_BYTES, parseCorpusFile } from './parseCorpusFile.js';
import type { CorpusDocument, CorpusProblem } from './types.js';

export interface LoadCorpusOptions {
  /** Files larger than this are rejected before they are read. Default 1 MiB. */
  maxFileBytes?: number;
}

export interface LoadedCorpus {
  /** The valid documents, in file-name order. */
  documents: CorpusDocument[];
  /** Everything wrong, per file. A reload applies the corpus only when this is empty. */
  problems: CorpusProblem[];
}

/**
 * Loads and validates every `*.md` file in `dir` (not recursive: dot-folders such as `.removed/`
 * hold retired files). A symbolic link is followed only when it stays inside `dir`.
 */
export async function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Promise<LoadedCorpus> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw new Error('not a folder');
  } catch {
    return { documents: [], problems: [{ file: dir, message: 'corpus folder not found or not readable' }] };
  }

  const names = (await readdir(root)).filter(isArticleFileName).sort();
  const documents: CorpusDocument[] = [];
  const problems: CorpusProblem[] = [];
  const fileById = new Map<string, string>();

  for (const file of names) {
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
      if (!result.document) {
        problems.push(...result.problems);
        continue;
      }
      const other = fileById.get(result.document.id);
      if (other !== undefined) {
        problems.push(duplicateIdProblem(file, result.document.id, other));
        continue;
      }
      fileById.set(result.document.id, file);
      documents.push(result.document);
    } catch (error) {
      problems.push({ file, message: `cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
    }
  }
  return { documents, problems };
}

/** Whether a folder entry is read as an article: `*.md`, not hidden. */
function isArticleFileName(name: string): boolean {
  return name.toLowerCase().endsWith('.md') && !name.startsWith('.');
}

/**
 * Whether `dir` is a readable folder with at least one article file: a check cheap enough to run
 * before connecting to Discord, so that a bot with nothing to serve stops at once.
 */
export async function hasArticleFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some(isArticleFileName);
  } catch {
    return false;
  }
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
