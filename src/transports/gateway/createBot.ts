/**
 * Assembles the gateway bot: a discord.js client, the router with its commands, and lifecycle.
 * Interactions arrive as raw INTERACTION_CREATE dispatches (the same JSON the HTTP endpoint
 * receives) and are answered through the REST API, like the endpoint's deferred work.
 */
import { Client, Events, GatewayDispatchEvents, GatewayIntentBits, type APIInteraction, type ClientOptions } from 'discord.js';
import type { CorpusTasks } from '../../engine/corpusTasks.js';
import type { Engine } from '../../engine/Engine.js';
import type { Command } from '../../app/commands/types.js';
import type { BotConfig } from '../../runtime/config.js';
import type { CorpusChanges } from '../../app/corpusChanges/corpusChanges.js';
import { singleProcessSync } from '../../app/corpusChanges/corpusSync.js';
import { shardedSync } from './shardedSync.js';
import type { FeedbackLog } from '../../app/feedbackLog.js';
import type { Logger } from '../../runtime/logger.js';
import type { Metrics } from '../../runtime/metrics.js';
import { REST_TIMEOUT_MS, RestResponder, callbackRoute } from '../../app/responder.js';
import { createService } from '../../app/service.js';
import type { ChangeFollower } from '../../store/changeFollower.js';
import type { DatabaseStore } from '../../store/databaseStore.js';

export interface BotOptions {
  config: BotConfig;
  engine: Engine;
  logger: Logger;
  commands: readonly Command[];
  /** Extra discord.js client options (the sharded entry point passes none; tests may tune REST). */
  clientOptions?: Partial<ClientOptions>;
  /** How corpus files are changed (default: in worker threads; tests fake file-system failures in-process). */
  corpusTasks?: CorpusTasks;
  /**
   * With DATABASE_URL: the store of record, shared by every host; every process (each shard's,
   * under the process manager) follows its changes. Closed with the bot.
   */
  store?: DatabaseStore;
}

export interface Bot {
  client: Client;
  corpus: CorpusChanges;
  feedback: FeedbackLog;
  metrics: Metrics;
  /** Connects to the gateway; resolves when ready. */
  start(): Promise<void>;
  /** Closes the gateway connection cleanly. */
  stop(): Promise<void>;
}

export function createBot({ config, engine, logger, commands, clientOptions, corpusTasks, store }: BotOptions): Bot {
  let follower: ChangeFollower | undefined;
  const client = new Client({
    // Slash commands, buttons and context menus arrive without any privileged intent.
    intents: [GatewayIntentBits.Guilds],
    ...clientOptions,
    // A hung call is retried 3 times after its timeout: 8 s each keeps a stuck edit to ~30 s, not a minute.
    rest: { timeout: REST_TIMEOUT_MS, ...(config.apiUrl && { api: config.apiUrl }), ...clientOptions?.rest },
  });
  const { router, corpus, feedback, feeds, metrics } = createService({
    config,
    engine,
    logger,
    commands,
    rest: client.rest,
    sync: (reloadHere) => {
      if (store) return (follower = store.follow(reloadHere));
      return client.shard ? shardedSync(client, reloadHere) : singleProcessSync(reloadHere);
    },
    logFields: { shard: client.shard?.ids[0] },
    corpusTasks: store?.tasks ?? corpusTasks,
    feedbackRecords: store?.feedback,
    feedStore: store?.feeds,
  });
  store?.observe(metrics);

  client.ws.on(GatewayDispatchEvents.InteractionCreate, (interaction: APIInteraction) => {
    void router.handle(interaction, new RestResponder(client.rest, interaction, callbackRoute(client.rest, interaction)));
  });
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn(message));
  client.on(Events.ShardDisconnect, (event, shard) => logger.warn({ shard, code: event.code }, 'gateway disconnected'));
  client.on(Events.ShardReconnecting, (shard) => logger.info({ shard }, 'gateway reconnecting'));
  client.on(Events.ShardResume, (shard, replayed) => logger.info({ shard, replayed }, 'gateway resumed'));
  client.on(Events.ShardReady, (shard) => logger.info({ shard }, 'gateway ready'));
  // 'rateLimited' fires only when discord.js waits ahead of a known limit; a 429 Discord actually
  // returns (then retried after Retry-After) shows only as a response.
  client.rest.on('rateLimited', (info) =>
    logger.warn({ route: info.route, retryAfterMs: info.retryAfter, global: info.global }, 'waiting for a Discord rate limit'),
  );
  client.rest.on('response', (request, response) => {
    if (response.status === 429)
      logger.warn({ method: request.method, route: request.route, retryAfter: response.headers.get('retry-after') }, 'rate limited by Discord (429)');
  });

  return {
    client,
    corpus,
    feedback,
    metrics,
    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(config.token);
      await ready;
      await follower?.start();
      feeds.start();
      logger.info(
        { user: client.user?.tag, guilds: client.guilds.cache.size, documents: engine.stats().documents, corpusReady: engine.isReady },
        'citebot is ready',
      );
    },
    async stop() {
      await feeds.stop();
      await client.destroy();
      await feedback.flush();
      await store?.close();
    },
  };
}
