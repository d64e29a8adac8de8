/**
 * The HTTP interactions endpoint as Discord uses it: signed POSTs to a running worker (the fake
 * Discord signs with a key pair made for the test), every response body validated as an
 * interaction callback against Discord's OpenAPI description, and every REST call it makes
 * (deferred answers' edits, follow-ups) validated likewise. What a member sees is tested for both
 * transports in bot.e2e.test.ts; this file covers what only the endpoint does.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commands } from '../../src/app/commands/index.js';
import { createLogger } from '../../src/runtime/logger.js';
import { STILL_LOADING } from '../../src/app/router.js';
import { Engine } from '../../src/engine/Engine.js';
import { MAX_BODY_BYTES, createHttpWorker } from '../../src/transports/http/httpWorker.js';
import { SIGNATURE_MAX_SKEW_SECONDS } from '../../src/transports/http/signature.js';
import { FakeDiscord, Permissions, type SentInteraction } from '../fake-discord/index.js';
import { EPHEMERAL, applicationKeys, messageOf, startHttpWorker, type HttpHarness } from '../support/botHarness.js';
import { repoRoot, validateDiscordRequest } from '../support/discordSpec.js';
import { SHORT_LIMITS, expectSlowClientsCutOff } from '../support/slowClients.js';
import { testConfig } from '../support/testConfig.js';

const STRING = 3;
const BAIDU = 'Which search engine will Edge use in China?';
const MODERATOR = { permissions: Permissions.ManageGuild };
const ask = (harness: HttpHarness, question = BAIDU): SentInteraction => harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }]);

interface RawResponse {
  status: number;
  body: unknown;
}

/** POSTs `body` to the worker with `headers`, over node:http so a test controls every byte and header. */
function post(
  origin: string,
  body: Buffer | string,
  headers: Record<string, string | number>,
  requestPath = '/interactions',
  method = 'POST',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // A connection of its own: a kept-alive one could expire at the server while the test
    // process was busy (a first schema compile), and be reset as the next request went out.
    const outgoing = request(`${origin}${requestPath}`, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON: kept as text.
        }
        resolve({ status: response.statusCode ?? 0, body: parsed });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** An interaction body as Discord would send it (here: /help), with its ids. */
function helpInteraction(harness: HttpHarness, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: '1200000000000000001',
    application_id: harness.fake.applicationId,
    token: 'aW50ZXJhY3Rpb246dGVzdA',
    version: 1,
    type: 2,
    guild_id: harness.fake.guildId,
    channel_id: harness.fake.channelId,
    member: { user: { id: '1000000000000000042', username: 'member' }, roles: [], permissions: '0' },
    data: { id: '1300000000000000001', name: 'help', type: 1 },
    ...overrides,
  });
}

/** Signed as Discord signs, and POSTed. */
const signedPost = (harness: HttpHarness, body: string, timestamp?: number) =>
  post(harness.origin, body, FakeDiscord.signedHeaders(body, harness.privateKey, timestamp));

const interactionLines = (harness: HttpHarness) => harness.logs.filter((line) => line.msg === 'interaction');

describe('the interactions endpoint', () => {
  let harness: HttpHarness;

  beforeAll(async () => {
    harness = await startHttpWorker({ http: { holdAfterMs: 300 } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('answers PING with PONG, the check Discord makes when the endpoint URL is saved', async () => {
    const response = await signedPost(
      harness,
      JSON.stringify({ id: '1200000000000000002', application_id: harness.fake.applicationId, token: 'cGluZw', type: 1, version: 1 }),
    );
    expect(response).toEqual({ status: 200, body: { type: 1 } });
    expect(validateDiscordRequest('POST', '/interactions/1200000000000000002/cGluZw/callback', response.body)).toEqual([]);
  });

  it('answers a correctly signed interaction in the response body', async () => {
    const response = await signedPost(harness, helpInteraction(harness));
    expect(response.status).toBe(200);
    expect(validateDiscordRequest('POST', '/interactions/1200000000000000001/aW50ZXJhY3Rpb246dGVzdA/callback', response.body)).toEqual([]);
    expect(response.body).toMatchObject({ type: 4, data: { flags: EPHEMERAL, allowed_mentions: { parse: [] } } });
  });

  it('refuses with 401, and runs nothing, whatever is wrong with the signature', async () => {
    const body = helpInteraction(harness, { id: '1200000000000000003' });
    const signed = FakeDiscord.signedHeaders(body, harness.privateKey);
    const otherKey = applicationKeys().privateKey;
    const now = Math.floor(Date.now() / 1000);
    const refusals = {
      'signed with another key': await post(harness.origin, body, FakeDiscord.signedHeaders(body, otherKey)),
      'body changed after signing': await post(harness.origin, body.replace('help', 'ask'), signed),
      'timestamp changed after signing': await post(harness.origin, body, { ...signed, 'X-Signature-Timestamp': String(now + 1) }),
      'no signature headers': await post(harness.origin, body, { 'Content-Type': 'application/json' }),
      'signature not hex': await post(harness.origin, body, { ...signed, 'X-Signature-Ed25519': 'z'.repeat(128) }),
      // Replays: a captured request, correctly signed, but older (or newer) than the window.
      'stale timestamp': await signedPost(harness, body, now - SIGNATURE_MAX_SKEW_SECONDS - 5),
      'future timestamp': await signedPost(harness, body, now + SIGNATURE_MAX_SKEW_SECONDS + 5),
    };
    for (const [what, response] of Object.entries(refusals)) expect(response.status, what).toBe(401);
    expect(interactionLines(harness).some((line) => line.interactionId === '1200000000000000003')).toBe(false);
    // Inside the window, the same request is served.
    expect((await signedPost(harness, body, now - SIGNATURE_MAX_SKEW_SECONDS + 30)).status).toBe(200);
  });

  it('refuses a body over the limit with 413, declared or not, without reading it all', async () => {
    const big = helpInteraction(harness, { padding: 'x'.repeat(MAX_BODY_BYTES) });
    const declared = await post(harness.origin, big, FakeDiscord.signedHeaders(big, harness.privateKey));
    expect(declared.status).toBe(413);
    const chunkedHeaders: Record<string, string> = { ...FakeDiscord.signedHeaders(big, harness.privateKey), 'Transfer-Encoding': 'chunked' };
    const chunked = await post(harness.origin, big, chunkedHeaders);
    expect(chunked.status).toBe(413);
    // The worker still serves.
    expect((await signedPost(harness, helpInteraction(harness, { id: '1200000000000000004' }))).status).toBe(200);
  });

  it.each([
    ['not JSON', '{"type": 2,'],
    ['a JSON array', '[]'],
    ['no token', JSON.stringify({ id: '1200000000000000005', application_id: '1100000000000000001', type: 2, data: { name: 'help', type: 1 } })],
    ['an unknown interaction type', JSON.stringify({ id: '1200000000000000005', application_id: '1100000000000000001', token: 'dA', type: 99 })],
    ['a command without its data', JSON.stringify({ id: '1200000000000000005', application_id: '1100000000000000001', token: 'dA', type: 2 })],
    [
      'a button without its message',
      JSON.stringify({
        id: '1200000000000000005',
        application_id: '1100000000000000001',
        token: 'dA',
        type: 3,
        data: { custom_id: 'ask:more:x', component_type: 2 },
      }),
    ],
    [
      'a form without its custom_id',
      JSON.stringify({ id: '1200000000000000005', application_id: '1100000000000000001', token: 'dA', type: 5, data: { components: [] } }),
    ],
  ])('refuses a signed body that is %s with 400', async (_what, body) => {
    const response = await post(harness.origin, body, FakeDiscord.signedHeaders(body, harness.privateKey));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ message: expect.any(String) });
  });

  it('answers only POST /interactions, /healthz and /metrics', async () => {
    expect((await post(harness.origin, '', {}, '/interactions', 'GET')).status).toBe(405);
    expect((await post(harness.origin, '', {}, '/metrics', 'POST')).status).toBe(405);
    expect((await post(harness.origin, '', {}, '/admin', 'GET')).status).toBe(404);
  });

  it('defers a slow answer within the deadline, then edits it in through the REST API', async () => {
    const answer = harness.engine.answer.bind(harness.engine);
    const slow = vi.spyOn(harness.engine, 'answer').mockImplementationOnce(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      return answer(...args);
    });
    const sent = ask(harness);
    const deferred = await harness.callback(sent);
    slow.mockRestore();
    expect(deferred.body).toEqual({ type: 5, data: {} });
    expect(deferred.receivedAt - sent.sentAt).toBeLessThan(700);
    const edit = messageOf(await harness.webhook(sent, (r) => r.method === 'PATCH'));
    expect(edit.embeds![0]!.footer!.text).toContain('paragraph 5');
    expect(edit.allowed_mentions).toEqual({ parse: [] });
  });

  it('turns a slow private answer after the public deferral into a private follow-up', async () => {
    const answer = harness.engine.answer.bind(harness.engine);
    const slow = vi.spyOn(harness.engine, 'answer').mockImplementationOnce(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      return answer(...args);
    });
    const sent = ask(harness, 'What is the capital of France?');
    expect((await harness.callback(sent)).body).toEqual({ type: 5, data: {} });
    const followUp = await harness.webhook(sent, (r) => r.method === 'POST');
    slow.mockRestore();
    // The public "thinking…" is deleted, so the channel learns nothing of a declined question.
    expect(harness.fake.webhookRequestsFor(sent.token).map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 204', 'POST 204']);
    expect(messageOf(followUp).flags).toBe(EPHEMERAL);
    expect(messageOf(followUp).embeds![0]!.title).toBe('The article doesn’t say that.');
  });

  it('acknowledges a slow button silently, then answers with a follow-up', async () => {
    const passages = harness.engine.passages.bind(harness.engine);
    const slow = vi.spyOn(harness.engine, 'passages').mockImplementation(async (refs, scope) => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      return passages(refs, scope);
    });
    const first = messageOf(
      await harness.callback(ask(harness, 'partnership with state-backed chip-maker Tsinghua Unigroup and China Electronics Technology Group')),
    );
    const more = first.components!.flatMap((row) => row.components).find((button) => button.custom_id?.startsWith('ask:more:'))!;
    const sent = harness.fake.button(more.custom_id!);
    expect((await harness.callback(sent)).body).toEqual({ type: 6 });
    const followUp = messageOf(await harness.webhook(sent, (r) => r.method === 'POST'));
    slow.mockRestore();
    expect(followUp.flags).toBe(EPHEMERAL);
    expect(followUp.embeds!.length).toBeGreaterThan(0);
  });

  it('offers no suggestions rather than miss the deadline when autocomplete is slow', async () => {
    const search = harness.engine.search.bind(harness.engine);
    const slow = vi.spyOn(harness.engine, 'search').mockImplementationOnce(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      return search(...args);
    });
    const sent = harness.fake.autocomplete('search', [{ name: 'query', type: STRING, value: 'Tsingh', focused: true }]);
    const callback = await harness.callback(sent);
    expect(callback.body).toEqual({ type: 8, data: { choices: [] } });
    await vi.waitFor(() => expect(interactionLines(harness).find((line) => line.interactionId === sent.id)).toBeDefined());
    slow.mockRestore();
    // The handler's late choices went nowhere: an autocomplete has no follow-up.
    expect(harness.fake.webhookRequestsFor(sent.token)).toEqual([]);
  });

  it('serves Prometheus metrics: interactions by command and outcome, latency, the corpus, reloads', async () => {
    await harness.callback(ask(harness));
    const reload = harness.fake.chatInput('reload', [], { member: MODERATOR });
    await harness.webhook(reload, (r) => r.method === 'PATCH');
    const response = await fetch(`${harness.origin}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('citebot_interactions_total{command="ask",outcome="ok"}')).toBeGreaterThanOrEqual(4);
    expect(value('citebot_interactions_total{command="help",outcome="ok"}')).toBeGreaterThanOrEqual(3);
    expect(value('citebot_interactions_total{command="reload",outcome="ok"}')).toBe(1);
    expect(value('citebot_interaction_duration_seconds_count{command="ask"}')).toBe(value('citebot_interactions_total{command="ask",outcome="ok"}'));
    expect(value('citebot_interaction_duration_seconds_bucket{le="+Inf",command="ask"}')).toBeGreaterThanOrEqual(4);
    expect(value('citebot_documents')).toBe(1);
    expect(value('citebot_passages')).toBe(10);
    expect(value('citebot_corpus_ready')).toBe(1);
    expect(value('citebot_reloads_total{outcome="applied"}')).toBe(1);
    expect(text).toMatch(/^citebot_process_resident_memory_bytes \d+/m);
  });

  it('sent only bodies that Discord accepts, and answered every interaction in its response', () => {
    expect(harness.invalidRequests()).toEqual([]);
    // 204: the fake Discord accepted each response as the interaction's callback (in time, of a valid type).
    expect(harness.fake.requests.filter((r) => r.path.endsWith('/callback')).every((r) => r.viaEndpoint && r.status === 204)).toBe(true);
  });
});

describe('slow and silent clients', () => {
  let harness: HttpHarness;

  beforeAll(async () => {
    harness = await startHttpWorker({ http: { connectionLimits: SHORT_LIMITS } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('are cut off: a silent connection, headers or a body a byte at a time, an idle kept-alive connection', async () => {
    await expectSlowClientsCutOff(Number(new URL(harness.origin).port));
    // The limits cut off only the slow: a request sent at once is answered.
    expect((await signedPost(harness, helpInteraction(harness))).status).toBe(200);
  });
});

describe('health', () => {
  it('is 503 while the corpus loads (questions get "still loading"), then 200', async () => {
    const fake = await FakeDiscord.start();
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-http-health-'));
    const keys = applicationKeys();
    const config = testConfig({ clientId: fake.applicationId, apiUrl: fake.apiUrl, cacheDir, publicKey: keys.publicKeyHex });
    const logger = createLogger(config);
    const engine = new Engine({ dir: config.corpusDir, cacheDir, logger, workerUrl: new URL('../support/slowEngineWorker.ts', import.meta.url) });
    const worker = createHttpWorker({ config, engine, logger, commands });
    try {
      const origin = `http://127.0.0.1:${await worker.listen(0, '127.0.0.1')}`;
      fake.useInteractionsEndpoint(`${origin}/interactions`, keys.privateKey);
      const loading = await fetch(`${origin}/healthz`);
      expect(loading.status).toBe(503);
      expect(await loading.json()).toEqual({ ready: false, documents: 0, passages: 0 });
      const early = await fake.waitForCallback(fake.chatInput('ask', [{ name: 'question', type: STRING, value: BAIDU }]).id);
      expect(messageOf(early).content).toBe(STILL_LOADING);
      await engine.ready;
      const ready = await fetch(`${origin}/healthz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ ready: true, documents: 1, passages: 10 });
    } finally {
      await worker.close();
      await engine.close();
      await fake.stop();
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('several workers on one corpus folder', () => {
  let corpusDir: string;
  let cacheDir: string;
  const workers: HttpHarness[] = [];

  beforeAll(async () => {
    corpusDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-http-corpus-'));
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-http-shared-cache-'));
    await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
    for (let i = 0; i < 2; i += 1) workers.push(await startHttpWorker({ config: { corpusDir, cacheDir }, http: { signalPollMs: 500 } }));
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await rm(corpusDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('a reload through one reaches the other within seconds', async () => {
    const [first, second] = workers as [HttpHarness, HttpHarness];
    await writeFile(
      path.join(corpusDir, 'lighthouse.md'),
      '---\ntitle: Lighthouse keepers\nauthor: A. Writer\npublisher: Gazette\npublished: 2020-01-02\nurl: https://example.com/lighthouse\n---\n\nThe last lighthouse keeper retired after forty years.\n',
    );
    const reload = first.fake.chatInput('reload', [], { member: MODERATOR });
    expect(messageOf(await first.webhook(reload, (r) => r.method === 'PATCH')).embeds![0]!.title).toBe('Corpus reloaded');
    const changedAt = performance.now();
    // Within seconds: the signal is seen at once (watched) or within a poll; the rest is the reload
    // itself, which a busy machine may stretch several times over.
    await vi.waitFor(async () => expect((await second.engine.sources(undefined, 100)).documents.map((document) => document.id)).toContain('lighthouse'), {
      timeout: 20_000,
      interval: 50,
    });
    const followed = performance.now() - changedAt;
    expect(followed).toBeLessThan(15_000);
    const answer = messageOf(
      await second.callback(second.fake.chatInput('ask', [{ name: 'question', type: STRING, value: 'When did the lighthouse keeper retire?' }])),
    );
    expect(answer.embeds![0]!.title).toBe('Lighthouse keepers');
    // Logged once the reload has also stopped the previous engine worker, which may be after it serves the new corpus.
    await vi.waitFor(() => expect(second.logs.map((line) => line.msg)).toContain('corpus reloaded: another worker changed it'), { timeout: 15_000 });
    // The worker that made the change does not reload a second time for its own signal.
    expect(first.logs.some((line) => line.msg === 'corpus reloaded: another worker changed it')).toBe(false);
    console.log(`http: a change through one worker reached the other in ${Math.round(followed)} ms`);
  });
});

describe('under load', () => {
  let harness: HttpHarness;

  beforeAll(async () => {
    harness = await startHttpWorker();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('answers 200 concurrent signed /ask, every one within 3 s', async () => {
    const sent = Array.from({ length: 200 }, () => ask(harness));
    const callbacks = await Promise.all(sent.map((interaction) => harness.fake.waitForCallback(interaction.id, 10_000)));
    const latencies = callbacks.map((callback, index) => callback.receivedAt - sent[index]!.sentAt).sort((a, b) => a - b);
    expect(callbacks.every((callback) => (callback.body as { type: number }).type === 4)).toBe(true);
    expect(latencies.at(-1)).toBeLessThan(3000);
    expect(harness.invalidRequests()).toEqual([]);
    console.log(
      `http: 200 concurrent /ask, p50 ${Math.round(latencies[99]!)} ms, p99 ${Math.round(latencies[197]!)} ms, max ${Math.round(latencies.at(-1)!)} ms`,
    );
  });
});
