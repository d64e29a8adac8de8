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
  #worker!: Worker;
  /** Engine workers alive, each sent a new port when the encoder worker is replaced. */
  readonly #followers = new Set<Worker>();
  /** Restarts in a row without the model loading in between: the wait before the next one doubles with them. */
  #restarts = 0;
  /** Whether the worker is running (between its start and its exit). */
  #running = false;
  /** Ports handed out while no worker ran: connected to the next one when it starts. */
  readonly #unconnected: MessagePort[] = [];
  #closed = false;
  #meaning: MeaningState = { state: 'loading' };

  constructor(logger: EngineLogger, data: EncoderWorkerData) {
    this.#logger = logger;
    this.#data = data;
    this.#start();
  }

  /** A port to the encoder worker, for an engine worker's `workerData` (to be transferred). */
  port(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    if (this.#running) this.#connect(port2);
    else this.#unconnected.push(port2);
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

  #start(): void {
    const worker = startWorker(siblingWorker('encoderWorker'), this.#data);
    this.#meaning = { state: 'loading' };
    this.#running = true;
    this.#worker = worker;
    for (const port of this.#unconnected.splice(0)) this.#connect(port);
    worker.on('message', (message: LogMessage | EncoderStateMessage) => {
      if (message.type === 'log') return this.#logger[message.level](message.details, message.message);
      const { type: _, ...meaning } = message;
      this.#meaning = meaning;
      if (meaning.state === 'ready') this.#restarts = 0;
    });
    worker.on('error', (error) => this.#logger.error({ reason: error.message }, 'the encoder worker crashed'));
    worker.once('exit', (code) => {
      this.#running = false;
      if (this.#closed) return;
      const delayMs = Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** this.#restarts++);
      this.#meaning = { state: 'unavailable', reason: `the encoder worker stopped (code ${code}); restarting it` };
      this.#logger.error({ code, delayMs }, 'the encoder worker stopped; restarting it (answers use words alone meanwhile)');
      setTimeout(() => this.#restart(), delayMs).unref();
    });
  }

  #connect(port: MessagePort): void {
    this.#worker.postMessage({ type: 'connect', port } satisfies EncoderConnect, [port]);
  }

  #restart(): void {
    if (this.#closed) return;
    this.#start();
    // Every live engine worker gets a port to the new encoder (one opened meanwhile already has one; it takes the newer).
    for (const follower of this.#followers) {
      const port = this.port();
      follower.postMessage({ type: 'encoder', port } satisfies EncoderReconnect, [port]);
    }
  }
}
