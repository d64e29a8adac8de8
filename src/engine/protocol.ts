/**
 * Messages between the bot's thread and an engine worker (src/engine/engineWorker.ts). Only
 * plain data crosses: answers, passages and document metadata, never the index.
 */
import type { Library, LibraryOptions, ReloadReport, ScopeSize } from '../library/Library.js';

/** What a worker is started with. */
export interface EngineWorkerData {
  library: Pick<LibraryOptions, 'dir' | 'cacheDir' | 'strict' | 'preferSaved' | 'maxFileBytes'>;
}

/**
 * The served corpus as the bot's thread keeps it: sizes only, for logs and labels. Lists of
 * documents stay in the worker (`documents`, `sources`, `findDocuments`), so nothing that grows
 * with the corpus runs on the bot's thread.
 */
export interface Catalog {
  documents: number;
  passages: number;
  /** Per scope: the base under "", each server's own articles under its id. */
  scopeSizes: Record<string, ScopeSize>;
}

/** The worker's first message: the corpus opened (ready to serve) or refused. */
export type OpenedMessage =
  | { type: 'opened'; report: ReloadReport; catalog: Catalog; cache: CacheEvent[] }
  | { type: 'refused'; report: ReloadReport; cache: CacheEvent[] }
  | { type: 'failed'; message: string };

export interface CacheEvent {
  loaded: boolean;
  saved: boolean;
  reason?: string;
}

/** The Library methods a worker answers, by name. */
export type EngineMethod = 'answer' | 'search' | 'documents' | 'sources' | 'findDocuments' | 'passageByRef' | 'paragraph' | 'ping';

export type EngineCalls = {
  [Method in Exclude<EngineMethod, 'ping' | 'documents'>]: Library[Method];
} & { documents: Library['visibleDocuments']; ping(): true };

export interface EngineRequest {
  id: number;
  method: EngineMethod;
  args: unknown[];
}

export type EngineResponse = { id: number; result: unknown } | { id: number; error: string };
