/**
 * The gateway bot's operations server (/healthz and /metrics, on METRICS_PORT): the address it
 * listens on, and what it does with clients that hold connections open.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/runtime/logger.js';
import { Metrics } from '../../src/runtime/metrics.js';
import { serveOps } from '../../src/runtime/ops.js';
import { SHORT_LIMITS, expectSlowClientsCutOff } from '../support/slowClients.js';
import { testConfig } from '../support/testConfig.js';

const engine = { isReady: true, stats: () => ({ documents: 1, passages: 10 }), vectorProgress: () => undefined, meaning: () => undefined };
const sources = { engine, metrics: new Metrics(engine) };
const logger = createLogger(testConfig());

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

describe('the operations server', () => {
  it('listens on the address it is given, and only there', async () => {
    server = await serveOps({ port: 0, host: '127.0.0.2' }, sources, logger);
    const { address, port } = server.address() as AddressInfo;
    expect(address).toBe('127.0.0.2');
    expect((await fetch(`http://127.0.0.2:${port}/healthz`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('cuts off slow and silent clients: a silent connection, headers or a body a byte at a time, an idle kept-alive connection', async () => {
    server = await serveOps({ port: 0, host: '127.0.0.1' }, sources, logger, SHORT_LIMITS);
    await expectSlowClientsCutOff((server.address() as AddressInfo).port);
    expect((await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)).status).toBe(200);
  });
});
