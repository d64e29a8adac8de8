/**
 * Messages between the bot's thread and an engine worker (src/engine/engineWorker.ts). Only
 * plain data crosses: answers, passages and document metadata, never the index. Requests say what
 * an interaction needs (an answer, a shared passage, a paragraph), one round trip each.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Answer, AnswerOptions, AnswerResult } from '../answers/answerQuestion.js';
import type { PassageHit, SearchPassagesOptions } from '../answers/searchPassages.js';
import type { DocumentInfo } from '../corpus/types.js';
import type { Library, LibraryOptions, ReloadReport, ScopeSize } from '../library/Library.js';
import type { Passage } from '../passages/splitIntoPassages.js';

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

/** A passage and the document it is from, as a request finds it by reference. */
export interface FoundPassage {
  passage: Passage;
  document: DocumentInfo;
}

/** What `/sources` lists: the first documents a scope sees, their passage counts by `documentKey`, and how many it sees. */
export type Sources = ReturnType<Library['sources']>;

/** An answer and, when declined with nothing related to show, the titles of what the scope sees instead. */
export type AnswerWithTitles = Answer & { titles?: { shown: string[]; total: number } };

/**
 * What the engine's thread asks a worker, one request per interaction: each says what the
 * interaction needs, for one scope (the asking server, or none), and is answered in one message.
 */
export type EngineRequest =
  /** A question; `titlesWhenDeclined`: how many titles to list when nothing related is found. */
  | { kind: 'answer'; question: string; options: AnswerOptions; titlesWhenDeclined?: number }
  /** Passages matching what is typed (autocomplete, and the engine's own callers). */
  | { kind: 'search'; query: string; options: SearchPassagesOptions }
  /** `/search`: the passage a suggestion's reference names, else the passages the query matches. */
  | { kind: 'lookup'; query: string; scope?: string; limit: number }
  /** Passages by reference, each undefined when edited or removed since (*More passages*). */
  | { kind: 'passages'; refs: string[]; scope?: string }
  /** Every passage of the paragraph a reference's passage is in (the *paragraph* button). */
  | { kind: 'paragraph'; ref: string; scope?: string }
  /** A passage shared to the channel, with its result for `question` while the question still finds it (the *share* button). */
  | { kind: 'share'; ref: string; question?: string; top: number; scope?: string }
  /** `/sources`, and `/corpus list` (`own`: the server's own articles only, from `offset`). */
  | { kind: 'sources'; limit: number; scope?: string; offset?: number; own?: boolean }
  /** `/corpus add`: the article the scope sees at the same address, or with the same text. */
  | { kind: 'findDuplicate'; url: string; fingerprint: string; scope?: string }
  /** `/corpus refresh`: the article the scope sees with this id, and its passages. */
  | { kind: 'documentPassages'; documentId: string; scope?: string }
  | { kind: 'findDocuments'; typed: string; limit: number; scope?: string; own?: boolean };

export type EngineRequestKind = EngineRequest['kind'];

/** What a worker answers each request with: plain data, cloned across the thread. */
export interface EngineResults {
  answer: AnswerWithTitles;
  search: PassageHit[];
  lookup: { chosen?: FoundPassage; hits: PassageHit[] };
  passages: Array<FoundPassage | undefined>;
  paragraph: FoundPassage[];
  share: { found?: FoundPassage; result?: AnswerResult };
  sources: Sources;
  findDocuments: DocumentInfo[];
  findDuplicate: Duplicate | undefined;
  documentPassages: ReturnType<Library['documentPassages']>;
}

/** An article already served that a new one repeats, and how it was recognised. */
export type Duplicate = ReturnType<Library['findDuplicate']>;

export interface EngineCall {
  id: number;
  request: EngineRequest;
  /** Epoch ms after which the asker has given up: the worker drops the request unanswered. */
  deadline: number;
}

export type EngineReply = { id: number; result: EngineResults[EngineRequestKind] } | { id: number; error: string };
