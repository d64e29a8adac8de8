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
  /**
   * How often to check that `dir` is still the folder being watched (it may have been replaced,
   * or be a link repointed to another folder), and to try again while it cannot be watched.
   */
  checkMs?: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/** Only what the loader reads: dot-files (uploads being written, `.removed/`) and other files never matter. */
function isCorpusFile(name: string | null): boolean {
  return name === null || (!name.startsWith('.') && name.toLowerCase().endsWith('.md'));
}

/** Starts watching `dir`; returns the function that stops it. Never throws. */
export function watchCorpus(dir: string, onSettled: () => void, { debounceMs = 750, checkMs = 2000, logger }: WatchOptions = {}): () => void {
  let watcher: FSWatcher | undefined;
  /** The folder being watched, as `identity()` named it then; undefined while none is. */
  let watched: string | undefined;
  let settleTimer: NodeJS.Timeout | undefined;
  let firstAttempt = true;
  let unavailable = false;

  const settle = () => {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(onSettled, debounceMs);
  };
  // The folder `dir` leads to now, links followed; undefined when there is none.
  const identity = () => {
    try {
      const { dev, ino } = statSync(dir);
      return `${dev}:${ino}`;
    } catch {
      return undefined;
    }
  };
  // Moved, deleted, replaced or repointed (a deploy swapping folders): watch whatever is at `dir` now.
  const restart = () => {
    watcher?.close();
    watcher = undefined;
    watched = undefined;
    start();
  };
  function start(): void {
    try {
      // Named before watching: if `dir` is swapped in between, the next check sees the difference.
      const identityWatched = identity();
      const next = watch(dir);
      next.on('change', (_event, name) => {
        const file = name?.toString() ?? null;
        // The folder itself shows up under its own name when it is moved or deleted.
        if (file === path.basename(dir) && identity() !== watched) restart();
        else if (isCorpusFile(file)) settle();
      });
      next.on('error', (error) => {
        logger?.warn({ err: error, dir }, 'corpus watcher failed; restarting it');
        restart();
      });
      watcher = next;
      watched = identityWatched;
      unavailable = false;
      // Files may have changed while the folder was away.
      if (!firstAttempt) {
        logger?.info({ dir }, 'watching the corpus folder again');
        settle();
      }
    } catch (error) {
      if (!unavailable) logger?.warn({ err: error, dir }, 'cannot watch the corpus folder; retrying until it is back');
      unavailable = true;
    }
    firstAttempt = false;
  }

  start();
  // A link repointed to another folder sends no event to the old one: only looking tells.
  const checkTimer = setInterval(() => {
    if (identity() !== watched) restart();
  }, checkMs);
  return () => {
    clearInterval(checkTimer);
    clearTimeout(settleTimer);
    watcher?.close();
  };
}
