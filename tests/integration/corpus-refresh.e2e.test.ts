/**
 * `/corpus refresh document:` end to end: the real bot against the fake Discord, an article added
 * by link from a page served by this file on 127.0.0.1 (FETCH_ALLOW_PRIVATE on), the page then
 * edited while the test runs. A refresh counts what changed and members are quoted the new text;
 * a refresh of an unchanged page writes and reloads nothing; whatever cannot be refreshed (a base
 * article, a page gone, a page that now repeats another article, a version past the quota) is
 * said in one line, and the article served stays as it was.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEMBER_PERMISSIONS, type SentInteraction } from '../fake-discord/index.js';
import { EPHEMERAL, messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { repoRoot } from '../support/discordSpec.js';

const SUBCOMMAND = 1;
const STRING = 3;
const MODERATOR_ROLE = '987654321098765432';
const MODERATOR_ID = '1000000000000000077';
const AUDIT_CHANNEL = '1150000000000000001';
const moderator = { userId: MODERATOR_ID, roles: [MODERATOR_ROLE] };
/** Room for the articles this file adds, not for a long version of one. */
const SERVER_MAX_BYTES = 16 * 1024;

const paragraph = (topic: string, detail: string) =>
  `The harbour board met on Thursday to discuss ${topic}. Members heard from fishermen, engineers and the harbour master, and ${detail}.`;

interface Version {
  headline: string;
  /** `datePublished`, YYYY-MM-DD. */
  published: string;
  /** Left out of the page when undefined. */
  author?: string;
  paragraphs: string[];
  /** The page's canonical address, as a route of this server. */
  canonical: string;
  /** An HTTP status other than 200: the page is gone. */
  status?: number;
}

/** A news page as sites publish it: navigation and footer around the article, its details in JSON-LD and a canonical link. */
function page({ headline, published, author, paragraphs, canonical }: Version): string {
  const ld = {
    '@type': 'NewsArticle',
    headline,
    ...(author && { author: { name: author } }),
    publisher: { name: 'Harbour News' },
    datePublished: `${published}T09:00:00+01:00`,
  };
  return `<html><head><link rel="canonical" href="${at(canonical)}"><script type="application/ld+json">${JSON.stringify(ld)}</script></head><body><nav><a href="/">Home</a></nav><article><h1>${headline}</h1>${paragraphs.map((text) => `<p>${text}</p>`).join('')}</article><footer>Contact us</footer></body></html>`;
}

const WALL = [
  paragraph('the harbour wall', 'agreed that the sea wall will be raised by 140 centimetres before the winter storms'),
  paragraph('the cost', 'heard that the works will cost four million pounds over two years'),
  paragraph('the boats', 'asked the crews to moor inside the marina while the crane works on the wall'),
];
const FIRST: Version = { headline: 'Harbour wall to be raised', published: '2024-03-01', author: 'Ann Reed', paragraphs: WALL, canonical: '/wall' };
/** The page as the site corrected it: the height, a new paragraph, a new headline and date, and no author any more. */
const CORRECTED: Version = {
  headline: 'Harbour wall to be raised higher',
  published: '2024-03-02',
  paragraphs: [
    paragraph('the harbour wall', 'agreed that the sea wall will be raised by 160 centimetres before the winter storms'),
    ...WALL.slice(1),
    paragraph('the lighthouse', 'agreed to repaint the lighthouse at the end of the wall in the spring'),
  ],
  canonical: '/wall',
};
const QUAY: Version = {
  headline: 'Fish market returns to the quay',
  published: '2024-02-10',
  author: 'Sam Lee',
  paragraphs: [
    paragraph('the fish market', 'agreed that the Friday fish market returns to the old quay in April'),
    paragraph('the stalls', 'heard that twelve stalls will sell the morning catch'),
    paragraph('parking', 'asked the council to close the quay to cars on market days'),
  ],
  canonical: '/quay',
};

const pages = new Map<string, Version>([
  ['/wall', FIRST],
  ['/quay', QUAY],
]);
/** Requests the page server answered, by route. */
const fetched: string[] = [];
/** Routes whose next answer waits for the test (see `hold`). */
const held = new Map<string, { asked: () => void; released: Promise<void> }>();

/** The next request for `route` is answered only once `release` is called; `asked` resolves when it arrives. */
function hold(route: string): { asked: Promise<void>; release: () => void } {
  let release!: () => void;
  let arrived!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const asked = new Promise<void>((resolve) => (arrived = resolve));
  held.set(route, { asked: arrived, released });
  return { asked, release };
}

const server = http.createServer(async (request, response) => {
  const route = request.url ?? '';
  fetched.push(route);
  const gate = held.get(route);
  if (gate) {
    held.delete(route);
    gate.asked();
    await gate.released;
  }
  const version = pages.get(route);
  if (!version || version.status !== undefined) return response.writeHead(version?.status ?? 404).end();
  return response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(version));
});
const at = (route: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${route}`;

let harness: BotHarness;
let parentDir: string;
let corpusDir: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-corpus-refresh-'));
  corpusDir = path.join(parentDir, 'corpus');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  harness = await startBot({
    config: { corpusDir, moderatorRoleIds: [MODERATOR_ROLE], fetchAllowPrivate: true, auditChannelId: AUDIT_CHANNEL, serverMaxBytes: SERVER_MAX_BYTES },
    fake: { roleIds: [MODERATOR_ROLE], channelId: AUDIT_CHANNEL },
  });
});

afterAll(async () => {
  await harness?.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  if (parentDir) await rm(parentDir, { recursive: true, force: true });
});

const subcommand = (name: string, options: Array<{ name: string; value: string }>, member: object = moderator): SentInteraction =>
  harness.fake.chatInput('corpus', [{ name, type: SUBCOMMAND, options: options.map((option) => ({ ...option, type: STRING })) }], { member });
const refresh = (documentId: string, member?: object) => subcommand('refresh', [{ name: 'document', value: documentId }], member);

/** The deferred, ephemeral acknowledgement, then the edit that carries the outcome, within 45 s. */
async function outcome(sent: SentInteraction) {
  expect((await harness.callback(sent)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
  return messageOf(await harness.webhook(sent, (request) => request.method === 'PATCH', 45_000));
}

const ask = async (question: string) => messageOf(await harness.callback(harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }])));
const serverFile = (name: string) => path.join(corpusDir, 'servers', harness.fake.guildId, name);
const reloads = () => harness.logs.filter((line) => line.msg === 'corpus reloaded').length;
const auditPosts = () => harness.fake.requests.filter((request) => request.method === 'POST' && request.path === `/channels/${AUDIT_CHANNEL}/messages`);
/** The file's bytes and when it was last written: a file left alone keeps both. */
const snapshot = async (file: string) => ({ text: await readFile(file, 'utf8'), written: (await stat(file)).mtimeMs });

const WALL_QUESTION = 'By how many centimetres will the harbour wall be raised?';

describe('/corpus refresh', () => {
  it('counts the passages changed and added and names the new title and date; members are quoted the new text', async () => {
    const added = await outcome(subcommand('add', [{ name: 'link', value: at('/wall') }]));
    expect(added.content).toMatch(/^Added `harbour-wall-to-be-raised\.md` \(article `harbour-wall-to-be-raised`\)\./);
    expect((await ask(WALL_QUESTION)).embeds![0]!.description).toContain('140 centimetres');

    pages.set('/wall', CORRECTED);
    const reply = await outcome(refresh('harbour-wall-to-be-raised'));
    expect(reply.content).toBe(
      'Refreshed “Harbour wall to be raised” (`harbour-wall-to-be-raised`) from its page: 1 passage changed, 1 added, 0 removed (4 now); ' +
        // Escaped as any page text is; Discord shows 2024\\-03-01 as 2024-03-01.
        'title “Harbour wall to be raised” → “Harbour wall to be raised higher”; published “2024\\-03-01” → “2024\\-03-02”.',
    );
    expect(reply.embeds![0]!.description).toContain('Changed: `harbour-wall-to-be-raised`');
    expect(reply.allowed_mentions).toEqual({ parse: [] });

    // Written over the same file; the author the page no longer names is kept.
    const written = await readFile(serverFile('harbour-wall-to-be-raised.md'), 'utf8');
    expect(written).toContain('160 centimetres');
    expect(written).toContain('author: Ann Reed');
    expect(written).not.toContain('140 centimetres');

    const answer = await ask(WALL_QUESTION);
    expect(answer.embeds![0]!.title).toBe('Harbour wall to be raised higher');
    expect(answer.embeds![0]!.description).toContain('160 centimetres');
    expect(answer.embeds![0]!.description).not.toContain('140 centimetres');
    expect(answer.embeds![0]!.footer!.text).toMatch(/^Ann Reed · Harbour News · 2024-03-02 · /);

    const audit = await harness.fake.waitForRequest(
      (request) =>
        request.method === 'POST' &&
        request.path === `/channels/${AUDIT_CHANNEL}/messages` &&
        JSON.stringify(request.body).includes(`/corpus refresh: replaced servers/${harness.fake.guildId}/harbour-wall-to-be-raised.md`),
    );
    expect(JSON.stringify(audit.body)).toContain('Changed: “Harbour wall to be raised higher”');
    expect(harness.logs).toContainEqual(expect.objectContaining({ msg: 'corpus file added', actorId: MODERATOR_ID, action: 'refresh', replaced: true }));
  }, 120_000);

  it('says nothing changed when the page is as the article has it, and writes and reloads nothing', async () => {
    const before = await snapshot(serverFile('harbour-wall-to-be-raised.md'));
    const reloadsBefore = reloads();
    const postsBefore = auditPosts().length;
    const fetchesBefore = fetched.length;

    const reply = await outcome(refresh('harbour-wall-to-be-raised'));
    expect(reply.content).toBe(
      'Nothing changed: “Harbour wall to be raised higher” (`harbour-wall-to-be-raised`) is as its page has it now, so nothing was written.',
    );
    expect(reply.embeds ?? []).toEqual([]);
    // The page was fetched again: that is how it is known to be the same.
    expect(fetched.slice(fetchesBefore)).toEqual(['/wall']);
    expect(await snapshot(serverFile('harbour-wall-to-be-raised.md'))).toEqual(before);
    expect(reloads()).toBe(reloadsBefore);
    expect(auditPosts()).toHaveLength(postsBefore);
  }, 60_000);

  it('suggests the server’s own articles only, as /corpus remove does', async () => {
    const sent = harness.fake.autocomplete(
      'corpus',
      [{ name: 'refresh', type: SUBCOMMAND, options: [{ name: 'document', type: STRING, value: 'harbour', focused: true }] }],
      { member: moderator },
    );
    const { choices } = messageOf(await harness.callback(sent));
    expect(choices).toEqual([
      { name: expect.stringMatching(/^Harbour wall to be raised higher · added \d{4}-\d{2}-\d{2} · 127\.0\.0\.1/), value: 'harbour-wall-to-be-raised' },
    ]);
  });

  it('refuses an article every server is answered from, fetching nothing', async () => {
    const { documents } = await harness.engine.sources(undefined, 1);
    const base = documents[0]!;
    const fetchesBefore = fetched.length;
    const reply = await outcome(refresh(base.id));
    expect(reply.content).toMatch(
      new RegExp(
        `^“.+” \\(\`${base.id}\`\\) is one of the articles every server is answered from, so it cannot be refreshed from Discord; only whoever runs the bot can change it, in the corpus folder\\.`,
      ),
    );
    expect(fetched.length).toBe(fetchesBefore);
  });

  it('names an id that is none of the server’s articles', async () => {
    const reply = await outcome(refresh('no-such-article'));
    expect(reply.content).toBe('None of this server’s own articles has the id “no-such-article”. Pick one from the list; `/corpus list` shows them all.');
  });

  it('says in one line that a page now missing left the article as it was, and it is still quoted', async () => {
    const before = await snapshot(serverFile('harbour-wall-to-be-raised.md'));
    const reloadsBefore = reloads();
    pages.set('/wall', { ...CORRECTED, status: 404 });
    try {
      const reply = await outcome(refresh('harbour-wall-to-be-raised'));
      expect(reply.content).toMatch(/ answered 404 Not Found: check the link\. The article served is unchanged\.$/);
      expect(reply.content!.split('\n')).toHaveLength(1);
      expect(await snapshot(serverFile('harbour-wall-to-be-raised.md'))).toEqual(before);
      expect(reloads()).toBe(reloadsBefore);
      expect((await ask(WALL_QUESTION)).embeds![0]!.description).toContain('160 centimetres');
    } finally {
      pages.set('/wall', CORRECTED);
    }
  }, 60_000);

  it('refuses a page that now has another article’s address, leaving both as they were', async () => {
    expect((await outcome(subcommand('add', [{ name: 'link', value: at('/quay') }]))).content).toMatch(/^Added `fish-market-returns-to-the-quay\.md`/);
    const wall = await snapshot(serverFile('harbour-wall-to-be-raised.md'));
    const quay = await snapshot(serverFile('fish-market-returns-to-the-quay.md'));
    pages.set('/wall', { ...CORRECTED, canonical: '/quay' });
    try {
      const reply = await outcome(refresh('harbour-wall-to-be-raised'));
      expect(reply.content).toBe(
        'Not refreshed: the page now has the address of “Fish market returns to the quay” (`fish-market-returns-to-the-quay`), another of this server’s articles. The article served is unchanged.',
      );
      expect(await snapshot(serverFile('harbour-wall-to-be-raised.md'))).toEqual(wall);
      expect(await snapshot(serverFile('fish-market-returns-to-the-quay.md'))).toEqual(quay);
    } finally {
      pages.set('/wall', CORRECTED);
    }
  }, 60_000);

  it('refuses a new version past the server’s quota, leaving the article as it was', async () => {
    const before = await snapshot(serverFile('harbour-wall-to-be-raised.md'));
    // Well over the server's 16 KiB by itself.
    const long = Array.from({ length: 200 }, (_, i) => paragraph(`item ${i + 1} of the works`, `noted item ${i + 1} for the minutes`));
    pages.set('/wall', { ...CORRECTED, paragraphs: [...CORRECTED.paragraphs, ...long] });
    try {
      const reply = await outcome(refresh('harbour-wall-to-be-raised'));
      expect(reply.content).toMatch(
        /^Not refreshed: it would take this server’s own articles past the 16 KiB they may take \([\d.]+ KiB now\)\. Remove an article with `\/corpus remove`, or ask whoever runs the bot for a higher limit\. The article served is unchanged\.$/,
      );
      expect(await snapshot(serverFile('harbour-wall-to-be-raised.md'))).toEqual(before);
    } finally {
      pages.set('/wall', CORRECTED);
    }
  }, 60_000);

  it('writes nothing when the article was removed while its page was being fetched', async () => {
    const quay = 'fish-market-returns-to-the-quay';
    pages.set('/quay', { ...QUAY, paragraphs: [...QUAY.paragraphs, paragraph('ice', 'heard that ice will be sold at cost')] });
    const gate = hold('/quay');
    const refreshing = refresh(quay);
    await gate.asked;
    expect((await outcome(subcommand('remove', [{ name: 'document', value: quay }]))).content).toMatch(/^Moved `fish-market-returns-to-the-quay\.md`/);
    gate.release();
    expect((await outcome(refreshing)).content).toBe(
      'The article was changed or removed while its page was being fetched, so nothing was written: run `/corpus refresh` again.',
    );
    expect(existsSync(serverFile(`${quay}.md`))).toBe(false);
    expect(await harness.engine.view(harness.fake.guildId).documentPassages(quay)).toBeUndefined();
  }, 60_000);

  it('refuses a member who is not a moderator, fetching nothing', async () => {
    const fetchesBefore = fetched.length;
    const reply = messageOf(await harness.callback(refresh('harbour-wall-to-be-raised', { permissions: DEFAULT_MEMBER_PERMISSIONS })));
    expect(reply.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toMatch(/^Only moderators/);
    expect(fetched.length).toBe(fetchesBefore);
  });

  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});
