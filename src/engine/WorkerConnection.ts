/**
 * One engine worker as the engine's thread sees it: its calls in flight, each with a deadline,
 * and whether it has gone quiet (stuck) or ended.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import type { EncoderHost } from './EncoderHost.js';
import type { EngineLogger } from './engineLog.js';
import type {
  EngineCall,
  EngineReply,
  EngineRequest,
  EngineRequestKind,
  EngineResults,
  EngineWorkerData,
  LogMessage,
  OpenedMessage,
  ProgressMessage,
} from './protocol.js';
import { startWorker } from './workers.js';

/** Nothing is being served yet (first start, or a crashed worker being replaced). */
export class EngineNotReady extends Error {}
/** The engine did not answer in time. */
export class EngineTimeout extends Error {}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** One worker and its calls in flight. */
export class WorkerConnection {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #exited = false;
  /** When the worker last sent anything (answers, logs): a stuck worker sends nothing. */
  lastHeardAt = performance.now();
  /** How far the passages' vectors are (semantic stage on), as the worker last said. */
  vectors: Omit<ProgressMessage, 'type'> | undefined;
  /** Requests sent and not yet answered, given up on or not: the worker answers each, if only with "expired". */
  readonly #outstanding = new Set<number>();

  /** Whether the worker owes answers and has said nothing for `silentMs`: busy is not stuck, idle neither. */
  isStuck(silentMs: number): boolean {
    return this.#outstanding.size > 0 && performance.now() - this.lastHeardAt >= silentMs;
  }
  /** Called once if the worker ends while it was serving (crash, or terminated as stuck). */
  onLost?: (reason: string) => void;
  /** Whether `watchForSilence` is already watching. */
  #watching = false;

  /**
   * After a missed deadline: calls `onStuck` once if the worker then sends nothing at all for
   * `stuckAfterMs` while it still owes answers, and it is `stillWanted` (not replaced meanwhile).
   * A busy worker keeps answering, however slowly, and is left alone.
   */
  watchForSilence(stuckAfterMs: number, stillWanted: () => boolean, onStuck: (silentMs: number) => void): void {
    if (this.#watching) return;
    this.#watching = true;
    const check = () => {
      if (!stillWanted() || !this.isStuck(0)) return void (this.#watching = false);
      const silentMs = performance.now() - this.lastHeardAt;
      if (!this.isStuck(stuckAfterMs)) return void setTimeout(check, stuckAfterMs - silentMs).unref();
      this.#watching = false;
      onStuck(silentMs);
    };
    setTimeout(check, stuckAfterMs).unref();
  }

  private constructor(worker: Worker, logger: EngineLogger) {
    this.#worker = worker;
    worker.on('message', (message: EngineReply | LogMessage | ProgressMessage) => {
      this.lastHeardAt = performance.now();
      if (!('type' in message)) this.#settle(message);
      else if (message.type === 'log') logger[message.level](message.details, message.message);
      else this.vectors = { embedded: message.embedded, total: message.total };
    });
    worker.on('error', (error) => this.#lose(`engine worker crashed: ${error.message}`));
    worker.on('exit', (code) => this.#lose(`engine worker exited (code ${code})`));
  }

  /** Starts a worker that opens the corpus; resolves with what it said when done (or failed). */
  static open(
    url: URL,
    data: EngineWorkerData,
    timeoutMs: number,
    logger: EngineLogger,
    encoder?: EncoderHost,
  ): Promise<{ worker?: WorkerConnection; opened: OpenedMessage }> {
    const worker = startWorker(url, data, data.encoder ? [data.encoder] : []);
    encoder?.follow(worker);
    return new Promise((resolve) => {
      // Only these listeners are removed: Worker keeps internal ones of its own.
      const detach = () => {
        clearTimeout(timer);
        worker.off('message', onOpened).off('error', onError).off('exit', onExit);
      };
      const fail = (message: string) => {
        detach();
        void worker.terminate();
        resolve({ opened: { type: 'failed', message } });
      };
      let vectors: WorkerConnection['vectors'];
      const onOpened = (opened: OpenedMessage | LogMessage | ProgressMessage) => {
        if (opened.type === 'log') return logger[opened.level](opened.details, opened.message);
        if (opened.type === 'progress') return void (vectors = { embedded: opened.embedded, total: opened.total });
        detach();
        if (opened.type !== 'opened') {
          void worker.terminate();
          resolve({ opened });
        } else {
          const opening = new WorkerConnection(worker, logger);
          opening.vectors = vectors;
          resolve({ worker: opening, opened });
        }
      };
      const onError = (error: Error) => fail(`the engine worker crashed: ${error.message}`);
      const onExit = (code: number) => fail(`the engine worker exited (code ${code})`);
      const timer = setTimeout(() => fail(`opening the corpus took longer than ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
      worker.on('message', onOpened).on('error', onError).on('exit', onExit);
    });
  }

  /** Sends one request; its result (what the worker's `serveRequest` returns for its kind), or an error. */
  request<Kind extends EngineRequestKind>(request: Extract<EngineRequest, { kind: Kind }>, timeoutMs: number): Promise<EngineResults[Kind]> {
    if (this.#exited) return Promise.reject(new EngineNotReady('the engine worker has stopped'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new EngineTimeout(`the engine did not answer ${request.kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as Pending['resolve'], reject, timer });
      this.#outstanding.add(id);
      // The deadline travels with the question: one still queued when it passes is dropped unanswered.
      this.#worker.postMessage({ id, request, deadline: Date.now() + timeoutMs } satisfies EngineCall);
    });
  }

  /**
   * Stops the worker once the calls already sent to it are answered (at most `graceMs`): a
   * question asked just before a reload swapped workers is answered by the old one.
   */
  async retire(graceMs: number): Promise<void> {
    this.onLost = undefined;
    const until = performance.now() + graceMs;
    while (this.#pending.size > 0 && performance.now() < until) await sleep(10);
    await this.stop();
  }

  /** Stops the worker; calls in flight fail. Not a loss: `onLost` is not called. */
  async stop(): Promise<void> {
    this.onLost = undefined;
    await this.#worker.terminate();
  }

  #settle(message: EngineReply): void {
    this.#outstanding.delete(message.id);
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if ('error' in message) pending.reject(new Error(message.error));
    else pending.resolve(message.result);
  }

  #lose(reason: string): void {
    if (this.#exited) return;
    this.#exited = true;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new EngineNotReady(reason));
    }
    this.#pending.clear();
    this.onLost?.(reason);
  }
}
