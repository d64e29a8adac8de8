/**
 * Clients that hold an HTTP server's connections open: silent, sending their headers or body a
 * byte at a time, or keeping an answered connection alive. For the process's two servers (the
 * interactions endpoint and the gateway bot's /metrics), which must cut each of them off.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { expect } from 'vitest';
import type { ConnectionLimits } from '../../src/runtime/connectionLimits.js';

/** Limits short enough for tests. */
export const SHORT_LIMITS: ConnectionLimits = { headersMs: 300, requestMs: 600, keepAliveMs: 300 };

interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Settles when the server has closed the connection. */
  closed: Promise<void>;
}

async function rawConnection(port: number, host: string): Promise<RawConnection> {
  const socket = connect(port, host);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  // A reset is also a close; it must not fail the test as an unhandled error.
  socket.on('error', () => {});
  const closed = once(socket, 'close').then(() => undefined);
  await once(socket, 'connect');
  return { socket, received: () => received, closed };
}

/**
 * Writes `text` a byte at a time, one every 20 ms, until the server closes the connection: a
 * client that is never silent for long, yet never finishes its request. Resolves with how many
 * bytes it sent.
 */
async function trickleUntilClosed(connection: RawConnection, text: string): Promise<number> {
  let sent = 0;
  const timer = setInterval(() => {
    if (!connection.socket.destroyed) connection.socket.write(text[sent++ % text.length]!);
  }, 20);
  try {
    await connection.closed;
  } finally {
    clearInterval(timer);
  }
  return sent;
}

const REQUEST_TIMEOUT = /^HTTP\/1\.1 408 /;

/** Each kind of slow client, against the server at `host`:`port`: each is cut off (408 where a request was begun). */
export async function expectSlowClientsCutOff(port: number, host = '127.0.0.1'): Promise<void> {
  const silent = await rawConnection(port, host);
  await silent.closed;
  expect(silent.received()).toMatch(/^$|^HTTP\/1\.1 408 /);

  const slowHeaders = await rawConnection(port, host);
  slowHeaders.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
  expect(await trickleUntilClosed(slowHeaders, 'X-Slow: header\r\n')).toBeGreaterThan(3);
  expect(slowHeaders.received()).toMatch(REQUEST_TIMEOUT);

  const slowBody = await rawConnection(port, host);
  slowBody.socket.write('POST /interactions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
  expect(await trickleUntilClosed(slowBody, '"padding": "xxxxxxxx", ')).toBeGreaterThan(3);

  // Answered, then kept alive with nothing more to ask.
  const keptAlive = await rawConnection(port, host);
  keptAlive.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
  await keptAlive.closed;
  expect(keptAlive.received()).toMatch(/^HTTP\/1\.1 (200|503) /);
}
