/**
 * `CORPUS_WATCH=true`: calls back once the corpus folder's `*.md` files have stopped changing,
 * so that an editor's save (often several writes and renames) costs one reload.
 */
import { watch, statSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger.js';

export interface WatchOptions {
  /** Quiet time after the last change before calling back. */
  debounceMs?: number;
  /** How often to try again while the folder cannot be watched. */
  retryMs?: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/** Only what the loader reads: dot-files (uploads being written, `.removed/`) and other files never matter. */
function isCorpusFile(name: string | null): boolean {
  return name === null || (!name.startsWith('.') && name.toLowerCase().endsWith('.md'));
}

/** Starts watching `dir`; returns the function that stops it. Never throws. */
export function watchCorpus(dir: string, onSettled: () => void, { debounceMs = 750, retryMs = 2000, logger }: WatchOptions = {}): () => void {
  let watcher: FSWatcher | undefined;
  let watchedInode: number | undefined;
  let settleTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;
  let firstAttempt = true;
  let unavailable = false;

  const settle = () => {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(onSettled, debounceMs);
  };
  const inode = () => {
    try {
      return statSync(dir).ino;
    } catch {
      return undefined;
    }
  };
  // Moved, deleted or replaced (a deploy swapping folders): watch whatever is at `dir` now.
  const restart = () => {
    watcher?.close();
    watcher = undefined;
    start();
  };
  function start(): void {
    if (closed) return;
    try {
      const next = watch(dir);
      next.on('change', (_event, name) => {
        const file = name?.toString() ?? null;
        // The folder itself shows up under its own name when it is moved or deleted.
        if (file === path.basename(dir) && inode() !== watchedInode) restart();
        else if (isCorpusFile(file)) settle();
      });
      next.on('error', (error) => {
        logger?.warn({ err: error, dir }, 'corpus watcher failed; restarting it');
        restart();
      });
      watcher = next;
      watchedInode = inode();
      unavailable = false;
      // Files may have changed while the folder was away.
      if (!firstAttempt) {
        logger?.info({ dir }, 'watching the corpus folder again');
        settle();
      }
    } catch (error) {
      if (!unavailable) logger?.warn({ err: error, dir }, 'cannot watch the corpus folder; retrying until it is back');
      unavailable = true;
      retryTimer = setTimeout(start, retryMs);
    }
    firstAttempt = false;
  }

  start();
  return () => {
    closed = true;
    clearTimeout(settleTimer);
    clearTimeout(retryTimer);
    watcher?.close();
  };
}
