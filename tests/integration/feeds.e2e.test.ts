/**
 * Followed feeds end to end: the real bot against the fake Discord, a feed and its articles served
 * on 127.0.0.1 and changed while the test runs (FETCH_ALLOW_PRIVATE on, as tests set it), polled
 * every 2 seconds. A new item is answered within one interval and 10 s of its publication; an
 * unchanged feed costs one conditional request; a feed that fails is told once after 3 polls and
 * recovers; a restart, or a second process on the same folder, adds nothing twice.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOption, SentInteraction } from '../fake-discord/index.js';
import { EPHEMERAL, messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { repoRoot } from '../support/discordSpec.js';

const SUBCOMMAND = 1;
const STRING = 3;
const INTEGER = 4;
const MODERATOR_ROLE = '987654321098765432';
const AUDIT_CHANNEL = '1150000000000000123';
const moderator = { userId: '1000000000000000077', roles: [MODERATOR_ROLE] };
const POLL_SECONDS = 2;

interface Item {
  slug: string;
  title: string;
  detail: string;
  published: Date;
}
const items: Item[] = [
  { slug: 'ferry', title: 'Island ferry leaves at dawn', detail: 'the island ferry will leave at dawn from the north pier', published: new Date('2024-03-01') },
  { slug: 'library', title: 'Library opens on Sundays', detail: 'the town library will open on Sundays from April', published: new Date('2024-03-02') },
];
let failing = false;
const requests: Array<{ url: string; conditional: boolean }> = [];

const paragraph = (topic: string, detail: string) =>
  `The council met on Tuesday to discuss ${topic}. Members heard from residents, engineers and the mayor, and agreed that ${detail}.`;
const page = (item: Item) =>
  `<html><head><link rel="canonical" href="https://news.example/${item.slug}"><script type="application/ld+json">${JSON.stringify({
    '@type': 'NewsArticle',
    headline: item.title,
    author: { name: 'Jane Doe' },
    publisher: { name: 'Example News' },
    datePublished: item.published.toISOString(),
  })}</script></head><body><article><h1>${item.title}</h1><p>${paragraph(item.slug, item.detail)}</p><p>${paragraph('the budget', 'the full report will be published next month')}</p></article></body></html>`;
const atom = () =>
  `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Council News</title><id>urn:council</id><updated>${new Date().toISOString()}</updated>${items
    .map(
      (item) =>
        `<entry><title>${item.title}</title><id>urn:council:${item.slug}</id><link rel="alternate" href="${at(`/articles/${item.slug}`)}"/><updated>${item.published.toISOString()}</updated><summary>${item.title}.</summary></entry>`,
    )
    .join('')}</feed>`;

const server = http.createServer((request, response) => {
  const url = request.url ?? '/';
  requests.push({ url, conditional: request.headers['if-none-match'] !== undefined });
  if (url === '/feed') {
    if (failing) return response.writeHead(503).end();
    const etag = `"${items.length}"`;
    if (request.headers['if-none-match'] === etag) return response.writeHead(304).end();
    return response.writeHead(200, { 'content-type': 'application/atom+xml', etag }).end(atom());
  }
  const item = items.find((candidate) => url === `/articles/${candidate.slug}`);
  if (item) return response.writeHead(200, { 'content-type': 'text/html' }).end(page(item));
  return response.writeHead(404).end();
});
const at = (route: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${route}`;

let parentDir: string;
let corpusDir: string;
let harness: BotHarness;
const startOne = () =>
  startBot({
    config: { corpusDir, moderatorRoleIds: [MODERATOR_ROLE], fetchAllowPrivate: true, feedPollSeconds: POLL_SECONDS, auditChannelId: AUDIT_CHANNEL },
    fake: { roleIds: [MODERATOR_ROLE], channelId: AUDIT_CHANNEL },
  });

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-feeds-e2e-'));
  corpusDir = path.join(parentDir, 'corpus');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  harness = await startOne();
});

afterAll(async () => {
  await harness?.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  if (parentDir) await rm(parentDir, { recursive: true, force: true });
});

const corpusCommand = (subcommand: string, options: CommandOption[] = [], bot = harness): SentInteraction =>
  bot.fake.chatInput('corpus', [{ name: subcommand, type: SUBCOMMAND, options }], { member: moderator });
async function outcome(sent: SentInteraction, bot = harness) {
  expect((await bot.callback(sent)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
  return messageOf(await bot.webhook(sent, (request) => request.method === 'PATCH', 45_000));
}
const ask = async (question: string, bot = harness) =>
  messageOf(await bot.callback(bot.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }])));
/** Asks until answered from `title`, for at most `ms`: how long it takes is the measure, not a wait. */
async function askUntilFrom(question: string, title: string, ms: number, bot = harness) {
  const started = performance.now();
  let answer = await ask(question, bot);
  while (answer.embeds?.[0]?.title !== title && performance.now() - started < ms) answer = await ask(question, bot);
  return answer;
}
/** Waits for a condition the bot brings about by itself (a poll), checking every 100 ms, for at most `ms`. */
async function until(condition: () => boolean | Promise<boolean>, ms: number) {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > ms) throw new Error(`not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const serverArticles = async () => (await readdir(path.join(corpusDir, 'servers', harness.fake.guildId))).filter((name) => name.endsWith('.md')).sort();
const articleFetches = () => requests.filter((request) => request.url.startsWith('/articles/')).length;

describe('/corpus follow', () => {
  it('adds the feed’s items, then a new one is answered within one poll interval and 30 s of its publication', async () => {
    const reply = await outcome(
      corpusCommand('follow', [
        { name: 'feed', type: STRING, value: at('/feed') },
        { name: 'keep', type: INTEGER, value: 2 },
      ]),
    );
    expect(reply.content).toMatch(
      /^Following “Council News” \(<http:\/\/127\.0\.0\.1:\d+\/feed>\): 2 items in it now\.\nAdded 2: “Island ferry leaves at dawn”; “Library opens on Sundays”\.\n/,
    );
    expect(reply.allowed_mentions).toEqual({ parse: [] });
    const ferry = await askUntilFrom('When does the island ferry leave?', 'Island ferry leaves at dawn', 30_000);
    expect(ferry.embeds![0]!.footer!.text).toMatch(/^Jane Doe · Example News · 2024-03-01/);
    expect(ferry.embeds![0]!.url).toMatch(/^https:\/\/news\.example\/ferry\b/);

    const published = performance.now();
    items.push({ slug: 'bridge', title: 'Footbridge approved', detail: 'a footbridge of 140 metres will cross the river', published: new Date() });
    // A few seconds on an idle machine (npm run bench measures it); the margin is for a busy one.
    const bridge = await askUntilFrom('How long is the footbridge over the river?', 'Footbridge approved', POLL_SECONDS * 1000 + 30_000);
    expect(bridge.embeds![0]!.title).toBe('Footbridge approved');
    expect(performance.now() - published).toBeLessThan(POLL_SECONDS * 1000 + 30_000);
    // keep: 2 retired the oldest.
    await until(async () => (await serverArticles()).length === 2, 20_000);
    expect(await serverArticles()).toEqual(['footbridge-approved.md', 'library-opens-on-sundays.md']);
    expect(harness.invalidRequests()).toEqual([]);
  }, 120_000);

  it('polls an unchanged feed with one conditional request, adding nothing', async () => {
    const fetched = articleFetches();
    const before = requests.length;
    await until(() => requests.slice(before).some((request) => request.url === '/feed'), 10_000);
    const after = requests.length;
    await until(() => requests.slice(after).some((request) => request.url === '/feed'), 10_000);
    const polls = requests.slice(before).filter((request) => request.url === '/feed');
    expect(polls.every((request) => request.conditional)).toBe(true);
    expect(articleFetches()).toBe(fetched);
    const metrics = (await harness.metrics.exposition()).text;
    expect(metrics).toMatch(/citebot_feed_polls_total\{outcome="not-modified"\} [1-9]/);
    expect(metrics).toMatch(/citebot_feed_items_total\{outcome="added"\} 3/);
  }, 30_000);

  it('lists the feed with /corpus feeds, and tells the audit channel once when it fails 3 polls in a row, then recovers', async () => {
    const listed = await outcome(corpusCommand('feeds'));
    expect(listed.embeds![0]!.title).toBe('Feeds this server follows (1 of 5)');
    expect(listed.embeds![0]!.fields![0]).toMatchObject({ name: 'Council News' });
    expect(listed.embeds![0]!.fields![0]!.value).toMatch(
      /^<http:\/\/127\.0\.0\.1:\d+\/feed>\nok · last poll <t:\d+:R> · last new article <t:\d+:R> · 2 of 2 articles kept$/,
    );

    failing = true;
    const notice = await harness.fake.waitForRequest(
      (request) =>
        request.method === 'POST' && request.path === `/channels/${AUDIT_CHANNEL}/messages` && /failed 3 polls in a row/.test(JSON.stringify(request.body)),
      30_000,
    );
    expect(notice.body).toMatchObject({ allowed_mentions: { parse: [] } });
    const failingList = await outcome(corpusCommand('feeds'));
    expect(failingList.embeds![0]!.fields![0]!.value).toMatch(/failing · .*\n\d+ failed polls in a row: .*503/);

    failing = false;
    await until(() => harness.logs.some((line) => line.msg === 'feed recovered'), 30_000);
    expect((await outcome(corpusCommand('feeds'))).embeds![0]!.fields![0]!.value).toMatch(/\nok · /);
    const notices = harness.fake.requests.filter(
      (request) => request.path === `/channels/${AUDIT_CHANNEL}/messages` && /failed 3 polls/.test(JSON.stringify(request.body)),
    );
    expect(notices).toHaveLength(1);
  }, 90_000);

  it('adds nothing twice after a restart, nor with a second process polling the same folder', async () => {
    await harness.stop();
    harness = await startOne();
    const second = await startOne();
    try {
      const fetched = articleFetches();
      items.push({ slug: 'harbour', title: 'Harbour dredging approved', detail: 'the harbour will be dredged in the autumn', published: new Date() });
      // Whichever process polls first adds it, and answers from it (two gateway bots without shards reload apart).
      const answeredBy = async () => {
        for (const bot of [harness, second])
          if ((await ask('When will the harbour be dredged?', bot)).embeds?.[0]?.title === 'Harbour dredging approved') return true;
        return false;
      };
      await until(answeredBy, 30_000);
      // Both processes polled since; the new item was fetched once, and nothing else again.
      const seen = requests.length;
      await until(() => requests.slice(seen).filter((request) => request.url === '/feed').length >= 2, 15_000);
      expect(articleFetches()).toBe(fetched + 1);
      expect(await serverArticles()).toEqual(['footbridge-approved.md', 'harbour-dredging-approved.md']);
    } finally {
      await second.stop();
    }
  }, 90_000);

  it('suggests followed feeds to unfollow, and unfollows the one picked', async () => {
    const suggestions = harness.fake.autocomplete(
      'corpus',
      [{ name: 'unfollow', type: SUBCOMMAND, options: [{ name: 'feed', type: STRING, value: 'coun', focused: true }] }],
      {
        member: moderator,
      },
    );
    const choices = ((await harness.callback(suggestions)).body as { data: { choices: Array<{ name: string; value: string }> } }).data.choices;
    expect(choices).toEqual([{ name: expect.stringMatching(/^Council News \(127\.0\.0\.1:\d+\)$/), value: at('/feed') }]);
    const reply = await outcome(corpusCommand('unfollow', [{ name: 'feed', type: STRING, value: choices[0]!.value }]));
    expect(reply.content).toBe('No longer following “Council News”. The 2 articles it added stay: remove them with `/corpus remove` if they should go.');
    expect((await outcome(corpusCommand('feeds'))).content).toBe('This server follows no feed: follow one with `/corpus follow feed:`.');
  }, 30_000);
});
