/**
 * What operators' tools ask a process: `GET /healthz` (200 once the corpus is loaded and
 * questions are answered, 503 before: a load balancer sends no traffic until then; "degraded" in
 * its body when answers use words alone because the sentence encoder is unavailable, or when the
 * database cannot be reached, so changes are refused) and
 * `GET /metrics` (Prometheus). The HTTP endpoint serves them beside /interactions; the gateway
 * bot on METRICS_PORT (at METRICS_HOST).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Engine } from '../engine/Engine.js';
import { CONNECTION_LIMITS, createLimitedServer, listen, type ConnectionLimits } from './connectionLimits.js';
import type { Logger } from './logger.js';
import type { Metrics, StoreState } from './metrics.js';

export interface OpsSources {
  engine: Pick<Engine, 'isReady' | 'stats' | 'vectorProgress' | 'meaning'>;
  metrics: Metrics;
  /** With a database (DATABASE_URL): whether it can be reached. */
  store?: StoreState;
}

/** Answers /healthz and /metrics; returns false for any other path, for the caller to handle. */
export async function handleOpsRequest(request: IncomingMessage, response: ServerResponse, { engine, metrics, store }: OpsSources): Promise<boolean> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path !== '/healthz' && path !== '/metrics') return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return true;
  }
  if (path === '/healthz') {
    // `vectors`: how many passages' texts have their sentence vectors, of how many (meaning on).
    const vectors = engine.vectorProgress();
    // `meaning`: whether answers can use it (meaning on). Unavailable, the bot still answers, by words alone: still 200.
    const meaning = engine.meaning();
    const body = JSON.stringify({
      ready: engine.isReady,
      ...engine.stats(),
      ...(vectors && { vectors }),
      ...(meaning && { meaning: meaning.state }),
      ...(meaning?.state === 'unavailable' && { status: 'degraded', meaningProblem: meaning.reason }),
      // Unreachable, answers go on from the index (still 200); changes are refused until it is back.
      ...(store && { store: store.available ? 'available' : 'unavailable' }),
      ...(store?.available === false && { status: 'degraded', storeProblem: store.problem ?? 'the database cannot be reached' }),
    });
    response.writeHead(engine.isReady ? 200 : 503, { 'Content-Type': 'application/json' }).end(body);
  } else {
    const { contentType, text } = await metrics.exposition();
    response.writeHead(200, { 'Content-Type': contentType }).end(text);
  }
  return true;
}

/** A server with only /healthz and /metrics, for the gateway bot, at `host` (none: every interface); resolves once listening. */
export async function serveOps(
  { port, host }: { port: number; host?: string },
  sources: OpsSources,
  logger: Logger,
  limits: ConnectionLimits = CONNECTION_LIMITS,
): Promise<Server> {
  const server = createLimitedServer(limits, (request, response) => {
    handleOpsRequest(request, response, sources)
      .then((handled) => {
        if (!handled) response.writeHead(404).end();
      })
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'could not answer an operations request');
        if (!response.headersSent) response.writeHead(500).end();
      });
  });
  await listen(server, port, host);
  return server;
}
