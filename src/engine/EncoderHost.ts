/**
 * The engine's encoder worker (src/engine/encoderWorker.ts), seen from the bot's thread: started
 * once, living across reloads, connected to each engine worker by a MessagePort of their own, and
 * restarted if it is lost, every live engine worker then being sent a port to the new one.
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { EngineLogger } from './engineLog.js';
import type { EncoderConnect, EncoderReconnect, EncoderStateMessage, MeaningState } from './encoderProtocol.js';
import type { EncoderWorkerData } from './encoderWorker.js';
import type { LogMessage } from './protocol.js';
import { siblingWorker, startWorker } from './workers.js';

/** Longest wait before restarting a lost encoder worker (the wait doubles from half a second). */
const MAX_RESTART_DELAY_MS = 60_000;

export class EncoderHost {
  readonly #logger: EngineLogger;
  readonly #data: EncoderWorkerData;
  #worker: Worker;
  /** Engine workers alive, each sent a new port when the encoder worker is replaced. */
  readonly #followers = new Set<Worker>();
  #restarts = 0;
  #closed = false;
  #meaning: MeaningState = { state: 'loading' };

  constructor(logger: EngineLogger, data: EncoderWorkerData) {
    this.#logger = logger;
    this.#data = data;
    this.#worker = this.#start();
  }

  /** A port to the encoder worker, for an engine worker's `workerData` (to be transferred). */
  port(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.#worker.postMessage({ type: 'connect', port: port2 } satisfies EncoderConnect, [port2]);
    return port1;
  }

  /** Keeps `worker` connected until it exits: a replaced encoder worker's port is sent to it. */
  follow(worker: Worker): void {
    this.#followers.add(worker);
    worker.once('exit', () => this.#followers.delete(worker));
  }

  /** Whether the encoder can give answers meaning, as its worker last said. */
  meaning(): MeaningState {
    return this.#meaning;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#worker.terminate();
  }

  #start(): Worker {
    const worker = startWorker(siblingWorker('encoderWorker'), this.#data);
    this.#meaning = { state: 'loading' };
    worker.on('message', (message: LogMessage | EncoderStateMessage) => {
      if (message.type === 'log') return this.#logger[message.level](message.details, message.message);
      const { type: _, ...meaning } = message;
      this.#meaning = meaning;
    });
    worker.on('error', (error) => this.#logger.error({ reason: error.message }, 'the encoder worker crashed'));
    worker.once('exit', (code) => {
      if (this.#closed) return;
      const delayMs = Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** this.#restarts++);
      this.#meaning = { state: 'unavailable', reason: `the encoder worker stopped (code ${code}); restarting it` };
      this.#logger.error({ code, delayMs }, 'the encoder worker stopped; restarting it (answers use words alone meanwhile)');
      setTimeout(() => this.#restart(), delayMs).unref();
    });
    return worker;
  }

  #restart(): void {
    if (this.#closed) return;
    this.#worker = this.#start();
    for (const follower of this.#followers) {
      const port = this.port();
      follower.postMessage({ type: 'encoder', port } satisfies EncoderReconnect, [port]);
    }
  }
}
