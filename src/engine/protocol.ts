/**
 * Messages between the bot's thread and an engine worker (src/engine/engineWorker.ts). Only
 * plain data crosses: answers, passages and document metadata, never the index.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Library, LibraryOptions, ReloadReport, ScopeSize } from '../library/Library.js';

/** What a worker is started with. */
export interface EngineWorkerData {
  library: Pick<LibraryOptions, 'dir' | 'cacheDir' | 'strict' | 'preferSaved' | 'maxFileBytes'>;
  /**
   * Another worker answers until this one opens (a reload): open the semantic stage too before
   * saying so, so the swap never hands members a worker busy starting it. A first worker says so
   * at once: members would rather have answers by words now than by meaning a second later.
   */
  replacing: boolean;
  /** A port to the encoder worker, which embeds questions and computes passages' vectors: given when answers use meaning as well as words. */
  encoder?: MessagePort;
}

/** A line for the bot's log, from the worker (which has no logger of its own). */
export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
  details: object;
}

/** How many of the passages' distinct texts have their vectors, of how many (told as they arrive). */
export interface ProgressMessage {
  type: 'progress';
  embedded: number;
  total: number;
}

/**
 * The served corpus as the bot's thread keeps it: sizes only, for logs and labels. Lists of
 * documents stay in the worker (`sources`, `findDocuments`), so nothing that grows
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
  | { type: 'opened'; report: ReloadReport; catalog: Catalog; cache: CacheEvent[]; fromSaved: boolean }
  | { type: 'refused'; report: ReloadReport; cache: CacheEvent[] }
  | { type: 'failed'; message: string };

export interface CacheEvent {
  loaded: boolean;
  saved: boolean;
  reason?: string;
}

/** The Library methods a worker answers, by name. */
export type EngineMethod = 'answer' | 'search' | 'sources' | 'findDocuments' | 'passageByRef' | 'paragraph';

export type EngineCalls = {
  [Method in EngineMethod]: Library[Method];
};

export interface EngineRequest {
  id: number;
  method: EngineMethod;
  args: unknown[];
  /** Epoch ms after which the asker has given up: the worker drops the request unanswered. */
  deadline: number;
}

export type EngineResponse = { id: number; result: unknown } | { id: number; error: string };
