/**
 * The bot under faults: gateway drops, closes, RECONNECT and INVALID_SESSION; REST 429s, 5xx
 * and hanging requests; and the per-member cooldown (over both transports). The real discord.js client runs against
 * the fake Discord (tests/fake-discord), with a short REST timeout so hanging calls end quickly.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SOMETHING_WENT_WRONG } from '../../src/app/router.js';
import { DEFAULT_MEMBER_PERMISSIONS, Permissions, rateLimited, type RecordedRequest, type SentInteraction } from '../fake-discord/index.js';
import { EPHEMERAL, TRANSPORTS, messageOf, startBot, startHarness, type BotHarness, type Harness as AnyHarness } from '../support/botHarness.js';

const STRING = 3;
const BAIDU = 'Which search engine will Edge use in China?';
/** discord.js aborts a REST call after this long (then retries it, up to 3 times). */
const REST_TIMEOUT_MS = 1500;
/** Discord's deadline for the first response to an interaction. */
const DEADLINE_MS = 3000;
const MODERATOR = { permissions: DEFAULT_MEMBER_PERMISSIONS | Permissions.ManageGuild };
const EDIT_ORIGINAL = { method: 'PATCH', path: /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/ };
const ANY_CALLBACK = { method: 'POST', path: /^\/interactions\/\d+\/[^/]+\/callback$/ };

/** Figures for the closing note: how long each recovery took, in ms. */
const timings: Record<string, number> = {};

type Harness = BotHarness;

function ask(harness: AnyHarness, question = BAIDU, userId?: string): SentInteraction {
  return harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }], { member: userId ? { userId } : {} });
}

/** Sends `/ask` and checks it gets the quoted answer within Discord's 3 s. */
async function expectAnswered(harness: AnyHarness, userId?: string): Promise<RecordedRequest> {
  const sent = ask(harness, BAIDU, userId);
  const callback = await harness.callback(sent);
  expect(callback.receivedAt - sent.sentAt).toBeLessThan(DEADLINE_MS);
  const message = messageOf(callback);
  expect(message.flags ?? 0).toBe(0);
  expect(message.embeds?.[0]?.footer?.text).toContain('paragraph 5');
  return callback;
}

/** Log lines the bot wrote about `sent` with message `msg`. */
function logsFor(harness: Harness, sent: SentInteraction, msg: string): Array<Record<string, unknown>> {
  return harness.logs.filter((line) => line.interactionId === sent.id && line.msg === msg);
}

describe('gateway faults', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startBot({ clientOptions: { rest: { timeout: REST_TIMEOUT_MS } }, fake: { heartbeatIntervalMs: 1000 } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  /** Runs `fault`, waits for the RESUME it should cause, and records how long it took. */
  async function resumesAfter(name: string, fault: () => void): Promise<void> {
    const resumed = harness.fake.resumedCount;
    const identifies = harness.fake.identifies.length;
    const started = performance.now();
    fault();
    await harness.fake.waitForResumed(resumed + 1, 10_000);
    timings[name] = Math.round(performance.now() - started);
    // Resumed, not re-identified: the session (and anything dispatched meanwhile) was kept.
    expect(harness.fake.identifies.length).toBe(identifies);
  }

  it('resumes after the socket is dropped without a close frame, replaying an /ask sent while it was down', async () => {
    const resumed = harness.fake.resumedCount;
    const started = performance.now();
    harness.fake.dropConnections();
    // Dispatched while the session has no socket: Discord keeps it for the RESUME replay.
    const duringOutage = ask(harness);
    await harness.fake.waitForResumed(resumed + 1, 10_000);
    timings['dropped socket → RESUMED'] = Math.round(performance.now() - started);
    const replayed = await harness.callback(duringOutage);
    expect(replayed.receivedAt - duringOutage.sentAt).toBeLessThan(DEADLINE_MS);
    expect(messageOf(replayed).embeds?.[0]?.footer?.text).toContain('paragraph 5');
    await expectAnswered(harness);
    expect(harness.logs.some((line) => line.msg === 'gateway resumed')).toBe(true);
  });

  it('resumes after close code 4000 and answers', async () => {
    await resumesAfter('close 4000 → RESUMED', () => harness.fake.closeConnections(4000));
    expect(harness.logs.some((line) => line.msg === 'gateway reconnecting')).toBe(true);
    await expectAnswered(harness);
  });

  it('resumes after RECONNECT (op 7) and answers', async () => {
    await resumesAfter('RECONNECT → RESUMED', () => harness.fake.sendReconnect());
    await expectAnswered(harness);
  });

  it('resumes (or re-identifies) after a resumable INVALID_SESSION and answers', async () => {
    const resumed = harness.fake.resumedCount;
    const ready = harness.fake.readyCount;
    const started = performance.now();
    harness.fake.sendInvalidSession(true);
    await vi.waitFor(() => expect(harness.fake.resumedCount > resumed || harness.fake.readyCount > ready).toBe(true), { timeout: 10_000, interval: 10 });
    timings['INVALID_SESSION(true) → RESUMED/READY'] = Math.round(performance.now() - started);
    await expectAnswered(harness);
  });

  it('re-identifies after a non-resumable INVALID_SESSION (despite the 5 s IDENTIFY throttle) and answers', async () => {
    const identifies = harness.fake.identifies.length;
    const ready = harness.fake.readyCount;
    const started = performance.now();
    harness.fake.sendInvalidSession(false);
    await harness.fake.waitForIdentify(identifies + 1, 10_000);
    await harness.fake.waitForReady(ready + 1, 10_000);
    timings['INVALID_SESSION(false) → new READY'] = Math.round(performance.now() - started);
    expect(harness.fake.identifies.at(-1)!.token).toBe(harness.config.token);
    // The new session must be fully usable, not only identified.
    await vi.waitFor(() => expect(harness.bot.client.isReady()).toBe(true), { timeout: 5000 });
    await expectAnswered(harness);
  });

  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});

describe('REST faults', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startBot({ clientOptions: { rest: { timeout: REST_TIMEOUT_MS } } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const reloadAsModerator = () => harness.fake.chatInput('reload', [], { member: MODERATOR });

  it('retries an interaction callback after a 429 with Retry-After, within the 3 s deadline', async () => {
    harness.fake.failNext(ANY_CALLBACK, rateLimited(1));
    const sent = ask(harness);
    const callback = await harness.callback(sent);
    const attempts = harness.fake.callbacksFor(sent.id);
    expect(attempts.map((request) => request.status)).toEqual([429, callback.status]);
    expect(attempts[1]).toBe(callback);
    // Retry-After: 1 was honoured, and the answer still made Discord's deadline.
    expect(callback.receivedAt - attempts[0]!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(callback.receivedAt - sent.sentAt).toBeLessThan(DEADLINE_MS);
    expect(messageOf(callback).embeds?.[0]?.footer?.text).toContain('paragraph 5');
  });

  it('retries the edit of a deferred reply after a 429', async () => {
    harness.fake.failNext(EDIT_ORIGINAL, rateLimited(1));
    const sent = reloadAsModerator();
    expect((await harness.callback(sent)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    const edit = await harness.webhook(sent, (request) => request.method === 'PATCH');
    const edits = harness.fake.webhookRequestsFor(sent.token).filter((request) => request.method === 'PATCH');
    expect(edits.map((request) => request.status)).toEqual([429, 200]);
    expect(edits[1]).toBe(edit);
    expect(edit.receivedAt - edits[0]!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(messageOf(edit).embeds?.[0]?.title).toBe('Corpus reloaded');
  });

  it('logs an edit that keeps failing with 500, apologizes, and keeps serving', async () => {
    // discord.js retries a 5xx three times: four failures exhaust it; the apology (5th PATCH) lands.
    harness.fake.failNext(EDIT_ORIGINAL, { status: 500, body: { message: '500: Internal Server Error', code: 0 } }, 4);
    const sent = reloadAsModerator();
    expect((await harness.callback(sent)).body).toMatchObject({ type: 5 });
    await vi.waitFor(() => expect(logsFor(harness, sent, 'interaction handler failed')).toHaveLength(1), { timeout: 5000, interval: 20 });
    const [failure] = logsFor(harness, sent, 'interaction handler failed');
    expect(failure!.level).toBe(50);
    expect(failure!.err).toMatchObject({ status: 500 });
    const apology = await harness.webhook(sent, (request) => request.method === 'PATCH');
    expect(messageOf(apology).content).toBe(SOMETHING_WENT_WRONG);
    expect(
      harness.fake
        .webhookRequestsFor(sent.token)
        .filter((request) => request.method === 'PATCH')
        .map((request) => request.status),
    ).toEqual([500, 500, 500, 500, 200]);
    await vi.waitFor(() => expect(logsFor(harness, sent, 'interaction')[0]).toMatchObject({ outcome: 'error' }));
    await expectAnswered(harness);
  });

  it('recovers from one hanging edit by timing it out and retrying', async () => {
    harness.fake.failNext(EDIT_ORIGINAL, 'hang');
    const sent = reloadAsModerator();
    expect((await harness.callback(sent)).body).toMatchObject({ type: 5 });
    const edit = await harness.webhook(sent, (request) => request.method === 'PATCH');
    const edits = harness.fake.webhookRequestsFor(sent.token).filter((request) => request.method === 'PATCH');
    expect(edits.map((request) => request.status)).toEqual([undefined, 200]);
    const retriedAfter = edit.receivedAt - edits[0]!.receivedAt;
    timings['hung edit → retried'] = Math.round(retriedAfter);
    expect(retriedAfter).toBeGreaterThanOrEqual(REST_TIMEOUT_MS - 50);
    expect(retriedAfter).toBeLessThan(REST_TIMEOUT_MS + 1000);
    expect(messageOf(edit).embeds?.[0]?.title).toBe('Corpus reloaded');
    expect(logsFor(harness, sent, 'interaction handler failed')).toEqual([]);
  });

  it('bounds an edit that always hangs by the REST timeout, and answers others meanwhile', async () => {
    // Every attempt hangs (the first and discord.js's three retries); the apology afterwards does not.
    harness.fake.failNext(EDIT_ORIGINAL, 'hang', 4);
    const sent = reloadAsModerator();
    const started = performance.now();
    expect((await harness.callback(sent)).body).toMatchObject({ type: 5 });
    await harness.fake.waitForRequest((request) => request.method === 'PATCH' && request.path.includes(sent.token));

    // While the edit hangs, another member's question is answered within Discord's deadline.
    const other = ask(harness);
    const answer = await harness.callback(other);
    expect(answer.receivedAt - other.sentAt).toBeLessThan(DEADLINE_MS);
    expect(
      harness.fake
        .webhookRequestsFor(sent.token)
        .filter((request) => request.method === 'PATCH')
        .every((request) => request.status === undefined),
    ).toBe(true);

    await vi.waitFor(() => expect(logsFor(harness, sent, 'interaction handler failed')).toHaveLength(1), { timeout: 4 * REST_TIMEOUT_MS + 8000, interval: 20 });
    const failedAfter = performance.now() - started;
    timings['always-hanging edit → failure logged'] = Math.round(failedAfter);
    // Bounded by the four attempts' timeouts, with room for a busy machine: never left hanging.
    expect(failedAfter).toBeLessThan(4 * REST_TIMEOUT_MS + 5000);
    const [failure] = logsFor(harness, sent, 'interaction handler failed');
    expect(JSON.stringify(failure!.err)).toMatch(/abort/i);
    const apology = await harness.webhook(sent, (request) => request.method === 'PATCH');
    expect(messageOf(apology).content).toBe(SOMETHING_WENT_WRONG);
    await expectAnswered(harness);
  }, 30_000);

  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});

describe.each(TRANSPORTS)('per-member cooldown, over the %s', (transport) => {
  const COOLDOWN_S = 30;
  const ALICE = '1000000000000000101';
  const BOB = '1000000000000000102';
  const CAROL = '1000000000000000103';
  let harness: AnyHarness;
  /** ALICE's cooldown started between these two times: when she asked, and when she was answered. */
  let aliceAsked = { at: 0, answeredAt: 0 };

  beforeAll(async () => {
    harness = await startHarness(transport, { config: { askCooldownSeconds: COOLDOWN_S }, clientOptions: { rest: { timeout: REST_TIMEOUT_MS } } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  /**
   * Checks a cooldown reply: private, and "try again" at a Discord relative timestamp (whole
   * seconds, rounded up) one cooldown after the member's first question, which the bot took
   * between `asked.at` and `asked.answeredAt`.
   */
  function expectCooldown(callback: RecordedRequest, asked: { at: number; answeredAt: number }): void {
    const message = messageOf(callback);
    expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(message.embeds ?? []).toEqual([]);
    const match = /try again <t:(\d+):R>/.exec(message.content ?? '');
    expect(match, message.content).not.toBeNull();
    const readyAt = Number(match![1]) * 1000;
    expect(readyAt).toBeGreaterThan(Date.now());
    expect(readyAt).toBeGreaterThanOrEqual(asked.at + COOLDOWN_S * 1000);
    expect(readyAt).toBeLessThanOrEqual(asked.answeredAt + COOLDOWN_S * 1000 + 1000);
  }

  /** ALICE, BOB or CAROL's first question, answered: when it was asked and answered. */
  async function firstQuestion(send: () => Promise<void>): Promise<{ at: number; answeredAt: number }> {
    const at = Date.now();
    await send();
    return { at, answeredAt: Date.now() };
  }

  it('answers the first question, then asks the same member to wait, without affecting others', async () => {
    aliceAsked = await firstQuestion(async () => void (await expectAnswered(harness, ALICE)));
    expectCooldown(await harness.callback(ask(harness, 'What is Ubuntu Kylin?', ALICE)), aliceAsked);
    const bobAsked = await firstQuestion(async () => void (await expectAnswered(harness, BOB)));
    expectCooldown(await harness.callback(ask(harness, BAIDU, BOB)), bobAsked);
  });

  it('shares the cooldown between /ask and the "Ask the article" message command', async () => {
    // ALICE is cooling down from /ask: the message command is refused too.
    const target = { content: BAIDU };
    const viaMessage = harness.fake.messageContextMenu('Ask the article', target, { member: { userId: ALICE } });
    expectCooldown(await harness.callback(viaMessage), aliceAsked);
    // CAROL uses the message command first: then /ask is refused.
    const carolAsked = await firstQuestion(async () => {
      const first = messageOf(await harness.callback(harness.fake.messageContextMenu('Ask the article', target, { member: { userId: CAROL } })));
      expect(first.embeds?.[0]?.footer?.text).toContain('paragraph 5');
    });
    expectCooldown(await harness.callback(ask(harness, BAIDU, CAROL)), carolAsked);
    const cooldowns = () => harness.logs.filter((line) => line.msg === 'interaction' && line.outcome === 'cooldown');
    await vi.waitFor(() => expect(cooldowns()).toHaveLength(4));
    expect(cooldowns().map((line) => line.userId)).toEqual([ALICE, BOB, ALICE, CAROL]);
  });

  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});

afterAll(() => {
  console.log(`faults: recovery times (ms) ${JSON.stringify(timings)}`);
});
