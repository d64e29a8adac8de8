/**
 * The HTTP transport: Discord POSTs each interaction to `/interactions`, signed, and the worker
 * answers in the HTTP response (within Discord's 3 s) or defers there and completes the answer
 * through the REST API. The worker keeps no connection state, so any number of them can run
 * behind a load balancer; `/healthz` and `/metrics` are for the operator's tools.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { InteractionResponseType, InteractionType, REST, type APIInteraction } from 'discord.js';
import type { Engine } from '../../engine/Engine.js';
import type { Command } from '../../app/commands/types.js';
import type { BotConfig } from '../../runtime/config.js';
import type { CorpusChanges } from '../../app/corpusChanges/corpusChanges.js';
import type { FeedbackLog } from '../../app/feedbackLog.js';
import type { Logger } from '../../runtime/logger.js';
import type { Metrics } from '../../runtime/metrics.js';
import { handleOpsRequest } from '../../runtime/ops.js';
import { REST_TIMEOUT_MS, RestResponder } from '../../app/responder.js';
import { createService } from '../../app/service.js';
import { CONNECTION_LIMITS, createLimitedServer, listen, type ConnectionLimits } from '../../runtime/connectionLimits.js';
import { ed25519PublicKey, signatureProblem } from './signature.js';
import type { DatabaseStore } from '../../store/databaseStore.js';
import { signalFileSync } from './signalFileSync.js';

/**
 * The largest request body accepted. An interaction is small; the largest is a message command's,
 * which carries the target message (2,000 characters of content and 6,000 of embeds, up to 4
 * bytes each in UTF-8, plus attachments' metadata and the members it mentions): 128 KiB is room
 * for all of that.
 */
export const MAX_BODY_BYTES = 128 * 1024;
/**
 * When a handler has not answered by then, the worker defers (or, for autocomplete, offers no
 * choices) so that Discord has a response within its 3 s, the network's share included.
 */
export const HOLD_AFTER_MS = 2_000;

export interface HttpWorkerOptions {
  /** `publicKey` is required. */
  config: BotConfig;
  engine: Engine;
  logger: Logger;
  commands: readonly Command[];
  holdAfterMs?: number;
  maxBodyBytes?: number;
  /** How often the corpus-change signal is polled (see signalFileSync.ts). */
  signalPollMs?: number;
  /** How long a slow or silent client may hold a connection (default CONNECTION_LIMITS). */
  connectionLimits?: ConnectionLimits;
  /**
   * With DATABASE_URL: the store of record, shared by every host; its change follower takes the
   * signal file's place. Closed with the worker.
   */
  store?: DatabaseStore;
}

export interface HttpWorker {
  server: Server;
  corpus: CorpusChanges;
  feedback: FeedbackLog;
  metrics: Metrics;
  /** Starts following other workers' corpus changes and listens; resolves with the port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting requests and following changes, and writes what feedback is pending. */
  close(): Promise<void>;
}

/** A request the endpoint refuses: its status and a short reason for the caller and the log. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createHttpWorker({
  config,
  engine,
  logger,
  commands,
  holdAfterMs = HOLD_AFTER_MS,
  maxBodyBytes = MAX_BODY_BYTES,
  signalPollMs,
  connectionLimits = CONNECTION_LIMITS,
  store,
}: HttpWorkerOptions): HttpWorker {
  if (!config.publicKey) throw new Error('the HTTP endpoint needs DISCORD_PUBLIC_KEY');
  const publicKey = ed25519PublicKey(config.publicKey);
  const rest = new REST({ timeout: REST_TIMEOUT_MS, ...(config.apiUrl && { api: config.apiUrl }) }).setToken(config.token);
  let sync: { start(): Promise<void>; stop(): void | Promise<void> } | undefined;
  const { router, corpus, feedback, feeds, metrics } = createService({
    config,
    engine,
    logger,
    commands,
    rest,
    sync: (reloadHere) => {
      const chosen = store ? store.follow(reloadHere) : signalFileSync({ cacheDir: config.cacheDir, reloadHere, logger, pollMs: signalPollMs });
      sync = chosen;
      return chosen;
    },
    logFields: { worker: process.pid },
    corpusTasks: store?.tasks,
    feedbackRecords: store?.feedback,
    feedStore: store?.feeds,
  });
  store?.observe(metrics);

  /** Runs the interaction through the router; its first response becomes the HTTP response. */
  const dispatch = (interaction: APIInteraction, response: ServerResponse) => {
    const responder = new RestResponder(rest, interaction, async (body) => {
      if (response.headersSent || response.destroyed) throw new Error('the endpoint’s HTTP request was closed before the response');
      sendJson(response, 200, body);
    });
    const hold = setTimeout(() => {
      responder.holdIfUnanswered().catch((error: unknown) => logger.warn({ err: error, interactionId: interaction.id }, 'could not send the holding response'));
    }, holdAfterMs);
    void router.handle(interaction, responder).finally(() => {
      clearTimeout(hold);
      // Every path through the router responds; this only guards against a request left hanging.
      if (!response.headersSent) sendJson(response, 500, { message: 'no response' });
    });
  };

  const onInteractionRequest = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'POST') throw new Refusal(405, 'only POST');
    const body = await readBody(request, maxBodyBytes);
    const problem = signatureProblem(
      publicKey,
      { signature: header(request, 'x-signature-ed25519'), timestamp: header(request, 'x-signature-timestamp') },
      body,
    );
    if (problem) throw new Refusal(401, problem);
    const interaction = parseInteraction(body);
    if (interaction.type === InteractionType.Ping) sendJson(response, 200, { type: InteractionResponseType.Pong });
    else dispatch(interaction, response);
  };

  const server = createLimitedServer(connectionLimits, (request, response) => {
    const handled =
      new URL(request.url ?? '/', 'http://localhost').pathname === '/interactions'
        ? onInteractionRequest(request, response).then(() => true)
        : handleOpsRequest(request, response, { engine, metrics, store: store?.state });
    handled
      .then((found) => {
        if (!found) sendJson(response, 404, { message: 'not found' });
      })
      .catch((error: unknown) => {
        const refusal = error instanceof Refusal ? error : undefined;
        if (refusal) logger.info({ status: refusal.status, reason: refusal.message, remote: request.socket?.remoteAddress }, 'interaction request refused');
        else logger.error({ err: error }, 'endpoint request failed');
        if (response.headersSent) return;
        // A body too large is not read to its end: close the connection rather than drain it.
        if (refusal?.status === 413) response.setHeader('Connection', 'close');
        sendJson(response, refusal?.status ?? 500, { message: refusal?.message ?? 'internal error' });
      });
  });

  return {
    server,
    corpus,
    feedback,
    metrics,
    async listen(port, host) {
      await sync!.start();
      feeds.start();
      return listen(server, port, host);
    },
    async close() {
      await feeds.stop();
      await sync?.stop();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await feedback.flush();
      await store?.close();
    },
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) }).end(json);
}

/**
 * The raw body (the signature covers its exact bytes), refused with 413 past `maxBytes`: the rest
 * is not read, and the connection is closed after the response.
 */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  if (Number(request.headers['content-length']) > maxBytes) return Promise.reject(new Refusal(413, `body over ${maxBytes} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData).pause();
      reject(new Refusal(413, `body over ${maxBytes} bytes`));
    };
    request
      .on('data', onData)
      .once('end', () => resolve(Buffer.concat(chunks)))
      .once('error', reject);
  });
}

const SNOWFLAKE = /^\d{17,20}$/;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The interaction in a signed body, checked for what routing it needs (its kind, where to answer,
 * and the command, button or form it names); anything else is refused with 400. A handler that finds
 * deeper data malformed fails into the router's error boundary.
 */
function parseInteraction(body: Buffer): APIInteraction {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Refusal(400, 'body is not JSON');
  }
  if (!isObject(value)) throw new Refusal(400, 'body is not an interaction');
  const { type, id, token, application_id: applicationId, data } = value;
  if (typeof id !== 'string' || !SNOWFLAKE.test(id) || typeof applicationId !== 'string' || !SNOWFLAKE.test(applicationId))
    throw new Refusal(400, 'interaction without valid ids');
  if (typeof token !== 'string' || !/^[\w.-]{1,500}$/.test(token)) throw new Refusal(400, 'interaction without a valid token');
  switch (type) {
    case InteractionType.Ping:
      break;
    case InteractionType.ApplicationCommand:
    case InteractionType.ApplicationCommandAutocomplete:
      if (!isObject(data) || typeof data.name !== 'string' || typeof data.type !== 'number') throw new Refusal(400, 'command interaction without its command');
      break;
    case InteractionType.MessageComponent:
      if (!isObject(data) || typeof data.custom_id !== 'string' || typeof data.component_type !== 'number' || !isObject(value.message))
        throw new Refusal(400, 'component interaction without its component');
      break;
    case InteractionType.ModalSubmit:
      if (!isObject(data) || typeof data.custom_id !== 'string') throw new Refusal(400, 'modal interaction without its form');
      break;
    default:
      throw new Refusal(400, 'unknown interaction type');
  }
  return value as unknown as APIInteraction;
}
