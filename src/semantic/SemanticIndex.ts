/**
 * The semantic side of one corpus version: every passage's sentence vectors, the question
 * vectors, and the recognition of questions about an article itself. The vectors come from an
 * `Embedder`: in the bot, the engine's encoder worker, which computes passages' vectors apart from
 * the serving worker and sends them here as they are done (`missingPassages`, `receive`); in the
 * CLI and tests, a model in this thread (`fill`). They are saved in `CACHE_DIR` (see
 * vectorStore.ts): a restart or a reload embeds only text it has not embedded before. A server's
 * questions use meaning once every passage it sees has its vectors (`readyFor`), and words alone
 * until then.
 */
import path from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { cacheKey } from '../cache/cacheKey.js';
import { RecentlyUsed } from '../cache/RecentlyUsed.js';
import { sentencesOf, type Passage } from '../passages/splitIntoPassages.js';
import { loadArticleIntents, type ArticleIntentClassifier, type IntentMatch } from './articleIntent.js';
import { loadEmbedder, type Embedder } from './embedder.js';
import { MODEL_DIGESTS, modelContentDigest } from './modelCheck.js';
import { VectorStore, cosineWith, quantize, vectorKey, type QuantizedVectors } from './vectorStore.js';

/** Passages hashed between two turns of the event loop, so questions go in between on a large corpus. */
const KEYS_BETWEEN_YIELDS = 5_000;

/**
 * The saved vectors' format. Bump it whenever a change alters what a saved vector is: how
 * passages are split into sentences, tokenized, embedded or quantised (vectorStore).
 */
export const VECTORS_FORMAT = 'vectors-format-2';

/**
 * What saved vectors made with the model whose content digest is `modelDigest` depend on: their
 * format, the model, and what runs it. Vectors saved under another key are computed again.
 */
export function vectorsCacheKey(modelDigest: string): string {
  return cacheKey(`${VECTORS_FORMAT} model-${modelDigest}`, ['@tensorflow/tfjs-core']);
}

/** The key of the vectors the bot saves: a model whose files differ from the recorded digests is never loaded. */
export const VECTORS_CACHE_KEY = vectorsCacheKey(modelContentDigest(MODEL_DIGESTS));

export interface SemanticIndexOptions {
  /** The folder vectors are saved in (e.g. `CACHE_DIR/vectors/<model>`); none: kept in memory only. */
  folder?: string;
  /** What embeds questions (and, with `fill`, passages); default: the model, loaded in this thread. */
  embedder?: Embedder;
  /** Told of progress and problems, for the log. */
  onProgress?(event: { embedded: number; total: number; ms: number; done: boolean }): void;
  /**
   * Told how many askers of new questions were answered by words alone because the encoder could
   * not get to their question within their wait, or clearly would not (a burst): once it has
   * caught up, and every BUSY_REPORT_MS while it has not.
   */
  onBusy?(event: { turnedAway: number }): void;
  /**
   * Told when the encoder fails on new questions (their askers are answered by words alone): the
   * error and how many questions failed since the last report, at most once every BUSY_REPORT_MS.
   */
  onQuestionsFailed?(error: Error, failed: number): void;
}

/**
 * Sentences embedded per step of filling in passages' vectors while questions may be waiting: a
 * step holds the encoder for this many sentences, so a question waits little behind it.
 */
export const SENTENCES_PER_STEP = 4;
/** Steps between progress reports (for the log, on a large corpus). */
const PROGRESS_EVERY_STEPS = 500;
/**
 * Question vectors remembered: the same questions come back (buttons, popular questions). The
 * least recently asked is forgotten first.
 */
export const QUESTION_CACHE_SIZE = 1000;
/**
 * How long a new question waits for the encoder before it is answered by words alone: in a burst
 * each new question ahead adds its cost, and past this a member gets words now rather than meaning
 * after the engine's deadline ("That took too long"); it keeps a flood's answers within the bot's
 * aim for bursts. A question the encoder will clearly not reach in time (the questions ahead times
 * the recent cost of one) does not wait.
 */
export const MEANING_WAIT_MS = 750;
/** A queued question's cost to the encoder until measured (ms; then a moving average over the drain's batches). */
const INITIAL_MS_PER_QUESTION = 10;
/**
 * Questions answered by words alone because the encoder was busy, remembered to be embedded once
 * no asker waits (the most recent kept): the next member to ask one gets meaning at once.
 */
const LATER_QUESTIONS = 256;
/** Questions per `embed` call when draining the queue (its token budget may split it further). */
const QUESTIONS_PER_CALL = 8;
/**
 * How long after the examples of questions about an article could not be embedded they are tried
 * again (on the next question), doubling after each failure up to the last: an encoder still
 * loading its model refuses at once, and the examples should be in as soon as it is ready; one
 * that keeps failing is not asked every second.
 */
const INTENTS_RETRY_MS = 1_000;
const INTENTS_RETRY_MAX_MS = 60_000;
/** While questions keep being turned away (or the encoder keeps failing), how often the count is reported. */
const BUSY_REPORT_MS = 10_000;

/** What the question queue reports, for the log. */
type QuestionReports = Pick<SemanticIndexOptions, 'onBusy' | 'onQuestionsFailed'>;

interface PendingQuestion {
  question: string;
  until: number;
  vector: Promise<Float32Array | undefined>;
  resolve(vector: Float32Array | undefined): void;
  /** The encoder failed on it (not a busy encoder: not counted as turned away). */
  failed?: boolean;
}

export class SemanticIndex {
  readonly #embedder: Embedder;
  /**
   * Recognises questions about an article itself once its examples are embedded: until then (the
   * encoder still loading, or failed) such questions are left to their words.
   */
  #intents: ArticleIntentClassifier | undefined;
  /** The examples being embedded, if they are; and when they last could not be (tried again after INTENTS_RETRY_MS). */
  #intentsLoading: Promise<void> | undefined;
  #intentsFailedAt = -Infinity;
  #intentsRetryMs = INTENTS_RETRY_MS;
  readonly #store: VectorStore;
  readonly #passages: readonly Passage[];
  readonly #keys: Map<Passage, string>;
  readonly #questions = new RecentlyUsed<string, Float32Array>(QUESTION_CACHE_SIZE);
  /**
   * New questions waiting for the encoder, oldest first: the promise their askers await, and until
   * when one of them still waits (`performance.now()` time).
   */
  readonly #waiting: PendingQuestion[] = [];
  readonly #pendingQuestions = new Map<string, PendingQuestion>();
  /** Questions turned away while the encoder was busy, oldest first (see LATER_QUESTIONS). */
  readonly #later = new Set<string>();
  /** Whether a drain of `#waiting` is running (one at a time, so the oldest go first). */
  #draining = false;
  /** New questions answered by words alone since the last report, and when that was. */
  #turnedAway = 0;
  #reportedAt = 0;
  /** Recent drain time per question (the call and the work between calls), for predicting a new question's wait. */
  #msPerQuestion = INITIAL_MS_PER_QUESTION;
  readonly #reports: QuestionReports;
  /** Keys (texts) without vectors yet: passages with the same text share one. */
  readonly #missing: Set<string>;
  readonly #total: number;
  /** Per scope ("" for the base), how many of the passages it holds have no vectors yet. */
  readonly #missingByScope = new Map<string, number>();
  /** For each key without vectors, how many passages of each scope share it. */
  readonly #scopesOfMissing = new Map<string, Map<string, number>>();
  /** Encoder failures on questions since they were last reported, and when that was. */
  #failures = 0;
  #failureReportedAt = -Infinity;

  private constructor(embedder: Embedder, store: VectorStore, passages: readonly Passage[], keys: Map<Passage, string>, reports: QuestionReports) {
    this.#embedder = embedder;
    this.#reports = reports;
    this.#loadIntents();
    this.#store = store;
    this.#passages = passages;
    this.#keys = keys;
    const distinct = new Set(keys.values());
    this.#total = distinct.size;
    this.#missing = new Set([...distinct].filter((key) => !store.has(key)));
    for (const passage of passages) {
      const key = keys.get(passage)!;
      if (!this.#missing.has(key)) continue;
      const scope = passage.scope ?? '';
      this.#missingByScope.set(scope, (this.#missingByScope.get(scope) ?? 0) + 1);
      const scopes = this.#scopesOfMissing.get(key) ?? new Map<string, number>();
      scopes.set(scope, (scopes.get(scope) ?? 0) + 1);
      this.#scopesOfMissing.set(key, scopes);
    }
  }

  /** Reads the saved vectors of `passages` (the rest is computed by `fill` or received), giving way to questions as it goes. */
  static async open(passages: readonly Passage[], options: SemanticIndexOptions = {}): Promise<SemanticIndex> {
    const keys = new Map<Passage, string>();
    for (const passage of passages) {
      keys.set(passage, vectorKey(passage.text));
      if (keys.size % KEYS_BETWEEN_YIELDS === 0) await nextTurn();
    }
    const [embedder, store] = await Promise.all([options.embedder ?? loadEmbedder(), VectorStore.open(options.folder, new Set(keys.values()))]);
    return new SemanticIndex(embedder, store, passages, keys, options);
  }

  /**
   * Embeds the examples of questions about an article, in the background: never awaited by `open`
   * (a reload must not wait for the encoder, which may still be loading the model), and tried again
   * a while after it could not.
   */
  #loadIntents(): void {
    if (this.#intentsLoading || performance.now() - this.#intentsFailedAt < this.#intentsRetryMs) return;
    const failedBefore = this.#intentsFailedAt > -Infinity;
    this.#intentsLoading = loadArticleIntents(this.#embedder)
      .then(
        (intents) => void (this.#intents = intents),
        () => {
          if (failedBefore) this.#intentsRetryMs = Math.min(INTENTS_RETRY_MAX_MS, this.#intentsRetryMs * 2);
          this.#intentsFailedAt = performance.now();
        },
      )
      .finally(() => (this.#intentsLoading = undefined));
  }

  /** Whether questions about an article itself are recognised by meaning yet (their examples embedded). */
  get intentsReady(): boolean {
    return this.#intents !== undefined;
  }

  /** Whether every passage has its vectors. */
  get ready(): boolean {
    return this.#missing.size === 0;
  }

  /** Whether every passage `scope` sees (the base and its own articles) has its vectors: until then its questions are answered by words. */
  readyFor(scope: string | undefined): boolean {
    return !this.#missingByScope.get('') && (scope === undefined || !this.#missingByScope.get(scope));
  }

  /** How many passages have vectors, of how many. */
  get progress(): { embedded: number; total: number } {
    return { embedded: this.#total - this.#missing.size, total: this.#total };
  }

  /** The texts still without vectors, each once, in corpus order, split into sentences. */
  *missingPassages(): Generator<PassageSentences> {
    const seen = new Set<string>();
    for (const passage of this.#passages) {
      const key = this.#keys.get(passage)!;
      if (!this.#missing.has(key) || seen.has(key)) continue;
      seen.add(key);
      yield { key, sentences: sentencesToEmbed(passage) };
    }
  }

  /** Vectors computed elsewhere (the encoder worker, which saves them): questions use them from now on. */
  receive(entries: ReadonlyArray<[string, QuantizedVectors]>): void {
    const arrived = entries.filter(([key]) => this.#missing.delete(key));
    this.#store.keep(arrived);
    for (const [key] of arrived) {
      for (const [scope, count] of this.#scopesOfMissing.get(key)!) this.#missingByScope.set(scope, this.#missingByScope.get(scope)! - count);
      this.#scopesOfMissing.delete(key);
    }
  }

  /**
   * Embeds every passage that has no vectors yet with this index's own embedder, a few sentences
   * at a time, yielding to other work between steps; saves them as it goes (the CLI, tests).
   */
  async fill(options: Pick<SemanticIndexOptions, 'onProgress'> = {}): Promise<void> {
    const started = performance.now();
    const items = [...this.missingPassages()];
    let steps = 0;
    for (let start = 0; start < items.length; ) {
      let end = start;
      for (let sentences = 0; end < items.length && sentences < SENTENCES_PER_STEP; end++) sentences += items[end]!.sentences.length;
      const entries = await embedPassages(this.#embedder, items.slice(start, end));
      const saved = this.#store.save(entries);
      this.receive(entries);
      await saved;
      start = end;
      if (++steps % PROGRESS_EVERY_STEPS === 0) options.onProgress?.({ ...this.progress, ms: performance.now() - started, done: false });
      await nextTurn();
    }
    // Whoever fills in this thread gets the whole semantic side, questions about an article included.
    await this.#intentsLoading;
    options.onProgress?.({ ...this.progress, ms: performance.now() - started, done: true });
  }

  /**
   * The question's unit vector (remembered for the next time it is asked), or undefined when the
   * encoder could not get to it within `waitMs`, or failed on it: answer by words alone.
   */
  async questionVector(question: string, waitMs = MEANING_WAIT_MS): Promise<Float32Array | undefined> {
    const known = this.#questions.get(question);
    if (known) return known;
    const until = performance.now() + waitMs;
    let pending = this.#pendingQuestions.get(question);
    if (pending) pending.until = Math.max(pending.until, until);
    // With nothing ahead it always tries: one slow call must not turn meaning off for good.
    else if (this.#pendingQuestions.size > 0 && (this.#pendingQuestions.size + 1) * this.#msPerQuestion > waitMs) {
      this.#turnedAway += 1;
      this.#embedLater(question);
      return undefined;
    } else {
      pending = this.#enqueue(question, until);
    }
    const timer = new AbortController();
    const vector = await Promise.race([pending.vector, sleep(waitMs, undefined, { signal: timer.signal }).catch(() => undefined)]).finally(() => timer.abort());
    if (!vector && !pending.failed) this.#turnedAway += 1;
    return vector;
  }

  /** A new question in the queue, drained from the next turn. */
  #enqueue(question: string, until: number): PendingQuestion {
    let resolve!: PendingQuestion['resolve'];
    const vector = new Promise<Float32Array | undefined>((settle) => (resolve = settle));
    const pending: PendingQuestion = { question, until, vector, resolve };
    this.#waiting.push(pending);
    this.#pendingQuestions.set(question, pending);
    // On the next turn, so that questions arriving together are embedded together (cheaper each
    // than one by one).
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(() => void this.#drainQuestions());
    }
    return pending;
  }

  /** Remembers a question turned away, to be embedded once no asker waits. */
  #embedLater(question: string): void {
    this.#later.delete(question);
    this.#later.add(question);
    if (this.#later.size > LATER_QUESTIONS) this.#later.delete(this.#later.values().next().value!);
  }

  /**
   * With nobody waiting: the oldest question turned away earlier, queued (for nobody). One at a
   * time, so an asker arriving meanwhile finds at most one question ahead.
   */
  #queueLater(): void {
    for (const question of this.#later) {
      this.#later.delete(question);
      if (this.#questions.has(question) || this.#pendingQuestions.has(question)) continue;
      this.#enqueue(question, Infinity);
      return;
    }
  }

  async #drainQuestions(): Promise<void> {
    while (this.#waiting.length > 0 || this.#later.size > 0) {
      if (this.#waiting.length === 0) {
        // Caught up with the askers: report the burst before the background work.
        this.#reportBusy();
        this.#queueLater();
        if (this.#waiting.length === 0) continue;
      }
      const started = performance.now();
      const batch: PendingQuestion[] = [];
      while (batch.length < QUESTIONS_PER_CALL && this.#waiting.length > 0) {
        const pending = this.#waiting.shift()!;
        // Every asker of it has been answered by words already: embedded once nobody waits.
        if (pending.until <= started) {
          this.#settle(pending, undefined);
          this.#embedLater(pending.question);
        } else batch.push(pending);
      }
      if (batch.length === 0) continue;
      try {
        const vectors = await this.#embedder.embed(batch.map(({ question }) => question));
        batch.forEach((pending, i) => {
          this.#questions.set(pending.question, vectors[i]!);
          this.#settle(pending, vectors[i]!);
        });
      } catch (error) {
        // Words alone for them: a broken encoder must not fail the questions themselves.
        for (const pending of batch) {
          pending.failed = true;
          this.#settle(pending, undefined);
        }
        // Reported once per BUSY_REPORT_MS: an encoder that cannot load fails every question.
        this.#failures += batch.length;
        if (performance.now() - this.#failureReportedAt >= BUSY_REPORT_MS) {
          const failed = this.#failures;
          this.#failures = 0;
          this.#failureReportedAt = performance.now();
          this.#report(() => this.#reports.onQuestionsFailed?.(error as Error, failed));
        }
      }
      if (this.#turnedAway > 0 && performance.now() - this.#reportedAt >= BUSY_REPORT_MS) this.#reportBusy();
      // Questions sent meanwhile reach the worker (and the queue) between calls.
      await nextTurn();
      // The pace a queued question sees: the call, and the worker's other work until the next. Not
      // from a call for a question nobody waits for: alone in its call, it costs more than one
      // question among the askers' would.
      if (batch.some((pending) => pending.until !== Infinity))
        this.#msPerQuestion = 0.8 * this.#msPerQuestion + (0.2 * (performance.now() - started)) / batch.length;
    }
    this.#draining = false;
    // Askers whose wait ran out as the drain ended are counted on this turn: report on the next.
    setImmediate(() => this.#reportBusy());
  }

  #settle(pending: PendingQuestion, vector: Float32Array | undefined): void {
    this.#pendingQuestions.delete(pending.question);
    pending.resolve(vector);
  }

  #reportBusy(): void {
    const turnedAway = this.#turnedAway;
    if (turnedAway === 0) return;
    this.#turnedAway = 0;
    this.#reportedAt = performance.now();
    this.#report(() => this.#reports.onBusy?.({ turnedAway }));
  }

  #report(tell: () => void): void {
    try {
      tell();
    } catch {
      // A report is for the log: its failure must not stop the queue.
    }
  }

  /** Cosine of the question with each sentence of `passage`, or undefined before it is embedded. */
  sentenceCosines(passage: Passage, question: Float32Array): number[] | undefined {
    const vectors = this.#store.get(this.#keys.get(passage) ?? vectorKey(passage.text));
    if (!vectors) return undefined;
    return Array.from(vectors.scales, (_, sentence) => cosineWith(question, vectors, sentence));
  }

  /** Whether the question asks about the article itself (author, date, topic), by meaning. */
  articleIntent(question: Float32Array): IntentMatch | undefined {
    if (!this.#intents) this.#loadIntents();
    return this.#intents?.classify(question);
  }
}

/** A text to embed: its vector key and its sentences. */
export interface PassageSentences {
  key: string;
  sentences: readonly string[];
}

/** What is embedded of a passage: its sentences, or the whole text when it has none. */
function sentencesToEmbed(passage: Passage): readonly string[] {
  const split = sentencesOf(passage);
  return split.length > 0 ? split : [passage.text];
}

/** One step of embedding passages: their sentences through the model in one go, quantised per passage. */
export async function embedPassages(embedder: Embedder, items: readonly PassageSentences[]): Promise<Array<[string, QuantizedVectors]>> {
  const vectors = await embedder.embed(items.flatMap((item) => item.sentences));
  let offset = 0;
  return items.map((item): [string, QuantizedVectors] => {
    const quantized = quantize(vectors.slice(offset, offset + item.sentences.length));
    offset += item.sentences.length;
    return [item.key, quantized];
  });
}

/** Where the vectors of a cache folder are saved: by the format and model they were computed with. */
export function vectorsFolder(cacheDir: string | undefined): string | undefined {
  return cacheDir ? path.join(cacheDir, 'vectors', VECTORS_CACHE_KEY) : undefined;
}

/**
 * The semantic side of `passages` (a library's, given to it by `Library.withMeaning`): the
 * embedder and the vectors saved in the cache folder (none without one). The missing ones are then
 * computed by `fill`, or by the encoder worker (`missingPassages`, `receive`); each server's
 * questions use meaning once its passages have them.
 */
export function openSemanticIndex(
  passages: readonly Passage[],
  cacheDir: string | undefined,
  options: QuestionReports & Pick<SemanticIndexOptions, 'embedder'> = {},
): Promise<SemanticIndex> {
  return SemanticIndex.open(passages, { folder: vectorsFolder(cacheDir), ...options });
}
