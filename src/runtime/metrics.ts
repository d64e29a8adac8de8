/**
 * What operators watch, in Prometheus's text format (prom-client): interactions by command and
 * outcome, how long they took, the corpus served, and reloads. Each process (shard, HTTP
 * worker) has its own; Prometheus adds them up across processes.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine } from '../engine/Engine.js';
import type { ReloadReport } from '../library/Library.js';

export class Metrics {
  readonly registry = new Registry();
  readonly #interactions: Counter<'command' | 'outcome'>;
  readonly #latency: Histogram<'command'>;
  readonly #reloads: Counter<'outcome'>;

  constructor(engine: Pick<Engine, 'isReady' | 'stats' | 'vectorProgress' | 'meaning'>) {
    const registers = [this.registry];
    this.#interactions = new Counter({
      name: 'citebot_interactions_total',
      help: 'Interactions handled, by command and outcome (ok, cooldown, refused, error, not-ready, …).',
      labelNames: ['command', 'outcome'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'citebot_interaction_duration_seconds',
      help: 'Time from receiving an interaction to its last response, by command.',
      labelNames: ['command'],
      // Discord's deadline for the first response is 3 s; deferred work may take longer.
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
      registers,
    });
    this.#reloads = new Counter({
      name: 'citebot_reloads_total',
      help: 'Corpus reloads in this process: applied, or refused (a broken file; the previous corpus is still served).',
      labelNames: ['outcome'],
      registers,
    });
    new Gauge({
      name: 'citebot_corpus_ready',
      help: '1 once the corpus is loaded and questions are answered, else 0.',
      registers,
      collect() {
        this.set(engine.isReady ? 1 : 0);
      },
    });
    new Gauge({
      name: 'citebot_documents',
      help: 'Articles served.',
      registers,
      collect() {
        this.set(engine.stats().documents);
      },
    });
    new Gauge({
      name: 'citebot_passages',
      help: 'Passages served.',
      registers,
      collect() {
        this.set(engine.stats().passages);
      },
    });
    new Gauge({
      name: 'citebot_vectors_embedded',
      help: "Distinct passage texts with their sentence vectors (meaning on); answers use meaning once a server's are all done.",
      registers,
      collect() {
        this.set(engine.vectorProgress()?.embedded ?? 0);
      },
    });
    new Gauge({
      name: 'citebot_meaning_available',
      help: '1 when the sentence encoder is loaded and its model checked, else 0: answers use words alone (meaning off, loading, or the model unavailable: see the log and /healthz).',
      registers,
      collect() {
        this.set(engine.meaning()?.state === 'ready' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'citebot_vectors_total',
      help: 'Distinct passage texts served (meaning on).',
      registers,
      collect() {
        this.set(engine.vectorProgress()?.total ?? 0);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'citebot_' });
  }

  /** `command` must come from a bounded set (the router names unknown commands and buttons "unknown"). */
  observeInteraction(command: string, outcome: string, seconds: number): void {
    this.#interactions.inc({ command, outcome });
    this.#latency.observe({ command }, seconds);
  }

  observeReload(report: ReloadReport): void {
    this.#reloads.inc({ outcome: report.applied ? 'applied' : 'refused' });
  }

  /** The Prometheus exposition text, and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
