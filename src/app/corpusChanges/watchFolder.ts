/**
 * CORPUS_WATCH: files changed in the corpus folder are reloaded as any reload is, through the
 * corpus changes, so that the log line and the audit notice are the same on either transport.
 */
import type { Logger } from '../../runtime/logger.js';
import { watchCorpus } from '../../runtime/watchCorpus.js';
import type { Actor, CorpusChanges } from './corpusChanges.js';

/** Who a watcher's reload is logged and announced as. */
export const WATCHER: Actor = { id: 'watcher', reason: 'files changed' };

/**
 * Watches `dir` and reloads once its files settle: `everywhere` when one process watches for all
 * (the gateway's first shard), `here` when each process watches for itself (each HTTP worker).
 * Returns the function that stops watching.
 */
export function watchFolder(
  dir: string,
  corpus: Pick<CorpusChanges, 'reload'>,
  where: 'everywhere' | 'here',
  logger: Pick<Logger, 'info' | 'warn'>,
): () => void {
  return watchCorpus(dir, () => void corpus.reload(WATCHER, where), { logger });
}
