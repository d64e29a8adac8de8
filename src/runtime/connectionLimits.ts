/**
 * Time limits for the process's HTTP servers (the interactions endpoint, and the gateway bot's
 * /healthz and /metrics): a client that opens connections and then sends nothing, or sends a
 * byte at a time, would otherwise hold each one (and a file descriptor) for minutes.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectionLimits {
  /** From the connection (or the previous response) until the request's headers have all arrived. */
  headersMs: number;
  /** Until the whole request has arrived, body included, however steadily it trickles in. */
  requestMs: number;
  /** A kept-alive connection with no request. */
  keepAliveMs: number;
}

/**
 * Discord sends an interaction (at most 128 KiB) at once, and a metrics scraper a bare GET: ten
 * seconds is ample on any link. Keep-alive stays at Node's default, which Discord's reuse fits.
 */
export const CONNECTION_LIMITS: ConnectionLimits = { headersMs: 10_000, requestMs: 10_000, keepAliveMs: 5_000 };

/** An HTTP server that closes connections past `limits`, answering 408 to a request begun but not finished. */
export function createLimitedServer(limits: ConnectionLimits, listener: RequestListener): Server {
  return createServer(
    {
      headersTimeout: limits.headersMs,
      requestTimeout: limits.requestMs,
      keepAliveTimeout: limits.keepAliveMs,
      // How often the first two are checked (Node's default, 30 s, would triple a 10-s limit).
      connectionsCheckingInterval: Math.min(limits.headersMs, limits.requestMs) / 10,
    },
    listener,
  );
}

/** Listens on `port` (0: any free one) at `host` (none: every interface); resolves with the port. */
export async function listen(server: Server, port: number, host?: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return (server.address() as AddressInfo).port;
}
