/**
 * What operators watch, in Prometheus's text format (prom-client): interactions by command and
 * outcome, how long they took, the corpus served, and reloads. Each process (shard, HTTP
 * worker) has its own; Prometheus adds them up across processes.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine } from '../engine/Engine.js';
import type { ReloadReport } from '../library/Library.js';

/** Whether the database can be reached, as this process last found it (`problem`: why not). */
export interface StoreState {
  available: boolean;
  problem?: string;
}

export class Metrics {
  readonly registry = new Registry();
  readonly #interactions: Counter<'command' | 'outcome'>;
  readonly #latency: Histogram<'command'>;
  readonly #reloads: Counter<'outcome'>;
  readonly #feedPolls: Counter<'outcome'>;
  readonly #feedItems: Counter<'outcome'>;
  readonly #feeds: Gauge<'state'>;

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
    this.#feedPolls = new Counter({
      name: 'citebot_feed_polls_total',
      help: 'Polls of followed feeds by this process: new (items found), unchanged, not-modified (answered 304), failed, interrupted (the corpus could not take an article then; tried again soon, not a failure).',
      labelNames: ['outcome'],
      registers,
    });
    this.#feedItems = new Counter({
      name: 'citebot_feed_items_total',
      help: 'New items of followed feeds: added as articles, skipped (not an article, no room, a private address; not tried again), or retried (its link failed for now: tried again at the next polls, then skipped).',
      labelNames: ['outcome'],
      registers,
    });
    this.#feeds = new Gauge({
      name: 'citebot_feeds',
      help: 'Followed feeds by state (new: not polled yet; ok; failing: 3 or more failed polls in a row), as this process last read them: every process counts every feed (take the max across processes, not the sum).',
      labelNames: ['state'],
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

  observePoll(outcome: string): void {
    this.#feedPolls.inc({ outcome });
  }

  observeItem(outcome: string): void {
    this.#feedItems.inc({ outcome });
  }

  observeFeeds(counts: Record<string, number>): void {
    for (const [state, count] of Object.entries(counts)) this.#feeds.set({ state }, count);
  }

  /**
   * With a database (DATABASE_URL): whether it can be reached, as this process last found it, and
   * its failed uses by what was being done (connect, listen, catch-up, change, feedback). Returns
   * what counts one.
   */
  trackStore(state: StoreState): (operation: string) => void {
    const registers = [this.registry];
    new Gauge({
      name: 'citebot_store_available',
      help: '1 while the database (the store of record) can be reached, else 0: answers go on from the index, changes are refused.',
      registers,
      collect() {
        this.set(state.available ? 1 : 0);
      },
    });
    const errors = new Counter({
      name: 'citebot_store_errors_total',
      help: 'Failed uses of the database, by what was being done (connect, listen, catch-up, change, feedback).',
      labelNames: ['operation'],
      registers,
    });
    return (operation) => errors.inc({ operation });
  }

  /** The Prometheus exposition text, and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
