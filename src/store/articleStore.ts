/**
 * The database's store of articles behind the interface corpus changes use (CorpusTasks): each
 * change in a worker thread with a connection of its own (articleTaskWorker.ts). A change the
 * database could not take is refused with a StoreUnavailable, and nothing of it was written.
 */
import { corpusTasksInWorkers, StoreUnavailable, type CorpusTasks } from '../engine/corpusTasks.js';
import { siblingWorker } from '../engine/workers.js';
import { asUnavailable } from './database.js';

/** `onUnavailable`: told of each change refused because the database could not be reached (for the metrics and the log). */
export function databaseCorpusTasks(databaseUrl: string, onUnavailable: (error: StoreUnavailable) => void = () => undefined): CorpusTasks {
  const inWorkers = corpusTasksInWorkers({ workerUrl: siblingWorker('articleTaskWorker', import.meta.url), workerData: { databaseUrl } });
  const refused = (error: unknown): never => {
    const mapped = asUnavailable(error);
    if (mapped instanceof StoreUnavailable) onUnavailable(mapped);
    throw mapped;
  };
  return {
    write: (...args) => inWorkers.write(...args).catch(refused),
    retire: (...args) => inWorkers.retire(...args).catch(refused),
  };
}
