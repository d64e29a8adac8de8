/**
 * Corpus changes across HTTP workers that share CORPUS_DIR and CACHE_DIR. A worker that changes
 * the corpus (/reload, /corpus, SIGHUP) reloads itself, then writes a fresh token into a signal
 * file in CACHE_DIR; every worker watches that file (fs.watch, and a poll for file systems where
 * watching misses writes, such as network mounts) and reloads when the token changes. A reload
 * that finds nothing new only loads the saved index, so a spurious signal costs little.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ReloadReport } from '../../library/Library.js';
import type { CorpusSync } from '../../app/corpusChanges/corpusSync.js';
import { reloadSummary } from '../../library/reloadSummary.js';
import type { Logger } from '../../runtime/logger.js';

/** The signal file's name in CACHE_DIR. */
export const CORPUS_CHANGED_FILE = 'corpus-changed';

export interface SignalFileSyncOptions {
  cacheDir: string;
  /** This worker's own reload. */
  reloadHere: () => Promise<ReloadReport>;
  logger: Logger;
  /** How often the signal file is read besides watching it: the most a change can take to arrive where watching fails. */
  pollMs?: number;
}

export interface SignalFileSync extends CorpusSync {
  /** Starts watching for other workers' changes. */
  start(): Promise<void>;
  stop(): void;
}

export function signalFileSync({ cacheDir, reloadHere, logger, pollMs = 1000 }: SignalFileSyncOptions): SignalFileSync {
  const file = path.join(cacheDir, CORPUS_CHANGED_FILE);
  /** The token this worker wrote last: seeing it is not news. */
  let written: string | undefined;
  /** The token acted on last. */
  let seen: string | undefined;
  let watcher: FSWatcher | undefined;
  let poll: NodeJS.Timeout | undefined;
  // One check at a time: a watch event and a poll at once must not both reload for one signal.
  let checking: Promise<void> = Promise.resolve();

  const read = () => readFile(file, 'utf8').catch(() => undefined);
  const checkNow = async () => {
    const token = await read();
    if (token === undefined || token === seen) return;
    seen = token;
    if (token === written) return;
    const report = await reloadHere();
    logger.info(
      { signal: file, ...reloadSummary(report) },
      report.applied ? 'corpus reloaded: another worker changed it' : 'corpus reload refused: another worker signalled a change',
    );
  };
  const check = () => {
    checking = checking.then(checkNow).catch((error: unknown) => logger.warn({ err: error, signal: file }, 'could not follow another worker’s corpus change'));
    return checking;
  };

  return {
    async start() {
      await mkdir(cacheDir, { recursive: true });
      // What was signalled before this worker started is already in the corpus it loaded.
      seen = await read();
      try {
        watcher = watch(cacheDir, (_event, name) => {
          if (name === CORPUS_CHANGED_FILE) void check();
        });
        watcher.on('error', (error) => logger.warn({ err: error, dir: cacheDir }, 'stopped watching for other workers’ changes; polling continues'));
      } catch (error) {
        logger.warn({ err: error, dir: cacheDir }, 'cannot watch for other workers’ changes; polling instead');
      }
      poll = setInterval(() => void check(), pollMs);
      poll.unref();
    },
    stop() {
      watcher?.close();
      clearInterval(poll);
    },
    async reloadEverywhere() {
      const report = await reloadHere();
      const token = `${process.pid} ${randomUUID()} ${new Date().toISOString()}`;
      written = token;
      try {
        await mkdir(cacheDir, { recursive: true });
        // Written aside and renamed over the signal file: a worker reading it meanwhile must never
        // see it empty or half written (it would take that for another worker's change).
        const temporary = `${file}.${randomUUID()}.tmp`;
        await writeFile(temporary, token);
        await rename(temporary, file);
      } catch (error) {
        logger.warn({ err: error, signal: file }, 'could not signal the corpus change to the other workers: they serve the previous corpus until they reload');
      }
      return [{ report }];
    },
    reloadHere: async () => [{ report: await reloadHere() }],
  };
}
