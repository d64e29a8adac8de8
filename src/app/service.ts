/**
 * What both transports serve interactions with: the router and its commands, given their context
 * (corpus changes, feedback, the moderator check), and the metrics. Only how interactions arrive,
 * and how a reload reaches the other processes, differ between the gateway bot and the HTTP endpoint.
 */
import path from 'node:path';
import type { REST } from 'discord.js';
import type { Engine } from '../engine/Engine.js';
import { FeedbackStore, type FeedbackRecords } from '../feedback/feedbackStore.js';
import type { ReloadReport } from '../library/Library.js';
import type { CorpusTasks } from '../engine/corpusTasks.js';
import type { BotServices, Command } from './commands/types.js';
import type { BotConfig } from '../runtime/config.js';
import { createCorpusChanges, type CorpusChanges } from './corpusChanges/corpusChanges.js';
import { reloadCounted, type CorpusSync } from './corpusChanges/corpusSync.js';
import { createFeedbackLog, type FeedbackLog } from './feedbackLog.js';
import { createFeeds, type Feeds } from './feeds/feeds.js';
import { fileFeedStore, type FeedStore } from './feeds/feedStore.js';
import type { Logger } from '../runtime/logger.js';
import { Metrics } from '../runtime/metrics.js';
import { isModerator } from './preconditions/moderators.js';
import { InteractionRouter } from './router.js';

export interface ServiceOptions {
  config: BotConfig;
  engine: Engine;
  logger: Logger;
  commands: readonly Command[];
  /** Discord's REST API with the bot token: responses after the first, and the audit channel. */
  rest: REST;
  /** The transport's way of reloading every process, given this process's own (counted) reload. */
  sync(reloadHere: () => Promise<ReloadReport>): CorpusSync;
  /** Added to each interaction's log line (the shard, the HTTP worker). */
  logFields?: Record<string, unknown>;
  /**
   * The store of each server's own articles (default: files in the corpus folder, changed in worker
   * threads; with DATABASE_URL, the database's; tests fake file-system failures in-process).
   */
  corpusTasks?: CorpusTasks;
  /** Where feedback records go (default: files in CACHE_DIR; with DATABASE_URL, the database). */
  feedbackRecords?: FeedbackRecords;
  /** Where followed feeds are kept (default: `.feeds.json` beside each server's articles; with DATABASE_URL, the database). */
  feedStore?: FeedStore;
}

export interface Service {
  router: InteractionRouter;
  corpus: CorpusChanges;
  feedback: FeedbackLog;
  /** Followed feeds: the transport starts their poller once connected, and stops it first. */
  feeds: Feeds;
  metrics: Metrics;
}

export function createService({ config, engine, logger, commands, rest, sync, logFields, corpusTasks, feedbackRecords, feedStore }: ServiceOptions): Service {
  const metrics = new Metrics(engine);
  const corpus = createCorpusChanges({ engine, logger, config, sync: sync(reloadCounted(engine, metrics)), rest, tasks: corpusTasks });
  const feedback = createFeedbackLog({ store: feedbackRecords ?? new FeedbackStore({ dir: path.join(config.cacheDir, 'feedback') }), logger });
  const feeds = createFeeds({
    store: feedStore ?? fileFeedStore(config.corpusDir),
    config,
    logger,
    corpusFor: (scope) => (scope === undefined ? corpus.forBase() : corpus.forScope(scope)),
    audit: corpus.audit,
    metrics,
  });
  const services: BotServices = {
    engine,
    config,
    logger,
    corpus,
    feedback,
    feeds,
    isModerator: (interaction) => isModerator(interaction, config.moderatorRoleIds),
  };
  return { router: new InteractionRouter(commands, services, { metrics, logFields }), corpus, feedback, feeds, metrics };
}
