/**
 * `/corpus add link:` end to end: the real bot against the fake Discord, pages served by this file
 * on 127.0.0.1 (FETCH_ALLOW_PRIVATE on, as tests and intranets set it). A link added while members
 * ask is answered from within seconds; every fetch that fails is one plain line and leaves the
 * corpus folder as it was; the same article twice is refused, naming the first, unless replaced.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOption, SentInteraction } from '../fake-discord/index.js';
import { docx, pdf } from '../support/articleFiles.js';
import { EPHEMERAL, messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { repoRoot } from '../support/discordSpec.js';

const SUBCOMMAND = 1;
const STRING = 3;
const BOOLEAN = 5;
const ATTACHMENT = 11;
const MODERATOR_ROLE = '987654321098765432';
const moderator = { userId: '1000000000000000077', roles: [MODERATOR_ROLE] };

const paragraph = (topic: string, detail: string) =>
  `The council met on Tuesday to discuss ${topic}. Members heard from residents, engineers and the mayor, and ${detail}.`;
/** A news page as sites publish it: navigation and footer around the article, its details in JSON-LD and a canonical link. */
function page(canonical: string, headline: string, paragraphs: string[]): string {
  const ld = {
    '@type': 'NewsArticle',
    headline,
    author: { name: 'Jane Doe' },
    publisher: { name: 'Example News' },
    datePublished: '2024-03-01T09:00:00+01:00',
  };
  return `<html><head><link rel="canonical" href="${canonical}"><script type="application/ld+json">${JSON.stringify(ld)}</script></head><body><nav><a href="/">Home</a></nav><article><h1>${headline}</h1>${paragraphs.map((text) => `<p>${text}</p>`).join('')}</article><footer>Contact us</footer></body></html>`;
}
const FERRY = [
  paragraph('the ferry', 'agreed that the island ferry will leave at dawn from the north pier'),
  paragraph('the budget', 'agreed to publish the full report next month'),
  paragraph('the schedule', 'asked the harbour master to post the new times'),
];
const BRIDGE = [
  paragraph('the bridge', 'approved a footbridge of 140 metres over the river'),
  paragraph('its cost', 'agreed to publish the full report next month'),
  paragraph('the works', 'heard that building starts in the spring'),
];
/** The bridge article as edited later: the length of the footbridge corrected. */
let bridgeVersion = BRIDGE;

const server = http.createServer((request, response) => {
  switch (request.url) {
    case '/ferry':
      return response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('https://news.example/ferry', 'Ferry leaves at dawn', FERRY));
    case '/bridge':
    // The same article, linked with tracking parameters.
    case '/bridge?utm_source=chat':
      return response.writeHead(200, { 'content-type': 'text/html' }).end(page('https://news.example/bridge', 'Footbridge approved', bridgeVersion));
    case '/bridge-copy':
      // Another site's copy: the same text at another address.
      return response.writeHead(200, { 'content-type': 'text/html' }).end(page('https://copies.example/bridge', 'Footbridge approved (copy)', bridgeVersion));
    case '/image':
      return response.writeHead(200, { 'content-type': 'image/png' }).end(randomBytes(2_000));
    case '/huge':
      return response.writeHead(200, { 'content-type': 'text/html' }).end(Buffer.alloc(40 * 1024 * 1024, 'a'));
    case '/never-finishes':
      // Headers and a first part, then nothing more: the connection stays open.
      response.writeHead(200, { 'content-type': 'text/html' }).write('<html><body><p>The council met');
      return;
    case '/loop':
      return response.writeHead(302, { location: '/loop-back' }).end();
    case '/loop-back':
      return response.writeHead(302, { location: '/loop' }).end();
    case '/gibberish':
      return response.writeHead(200, { 'content-type': 'text/html' }).end(randomBytes(20_000));
    default:
      return response.writeHead(404).end();
  }
});
const at = (route: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${route}`;

let harness: BotHarness;
let parentDir: string;
let corpusDir: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-corpus-link-'));
  corpusDir = path.join(parentDir, 'corpus');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  harness = await startBot({ config: { corpusDir, moderatorRoleIds: [MODERATOR_ROLE], fetchAllowPrivate: true }, fake: { roleIds: [MODERATOR_ROLE] } });
});

afterAll(async () => {
  await harness?.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  if (parentDir) await rm(parentDir, { recursive: true, force: true });
});

const addLink = (link: string, options: CommandOption[] = [], bot = harness): SentInteraction =>
  bot.fake.chatInput('corpus', [{ name: 'add', type: SUBCOMMAND, options: [{ name: 'link', type: STRING, value: link }, ...options] }], { member: moderator });

let attachments = 0;
/** `/corpus add file:` with `filename` served by the fake CDN, as Discord sends it. */
function upload(filename: string, content: string | Uint8Array, options: CommandOption[] = []): SentInteraction {
  const id = String(1_200_000_000_000_000_000n + BigInt(++attachments));
  const url = harness.fake.serveAttachment(filename, typeof content === 'string' ? content : Buffer.from(content));
  const attachment = { id, filename, size: Buffer.byteLength(content), url, proxy_url: url, content_type: 'text/html' };
  return harness.fake.chatInput('corpus', [{ name: 'add', type: SUBCOMMAND, options: [{ name: 'file', type: ATTACHMENT, value: id }, ...options] }], {
    member: moderator,
    resolved: { attachments: { [id]: attachment } },
  });
}

/** The deferred, ephemeral acknowledgement, then the edit that carries the outcome, within 45 s. */
async function outcome(sent: SentInteraction, bot = harness) {
  expect((await bot.callback(sent)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
  return messageOf(await bot.webhook(sent, (request) => request.method === 'PATCH', 45_000));
}

const ask = async (question: string) => messageOf(await harness.callback(harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }])));
/** `question` asked until answered from `title` or `ms` after `since`: the time the question takes is the measure, not a wait. */
async function askUntilFrom(question: string, title: string, since: number, ms = 10_000) {
  let answer = await ask(question);
  while (answer.embeds?.[0]?.title !== title && performance.now() - since < ms) answer = await ask(question);
  return answer;
}
/** Every file and folder under the corpus folder, dot-files included. */
const everything = async (dir: string) => (await readdir(dir, { recursive: true })).sort();
const serverFile = (name: string) => path.join(corpusDir, 'servers', harness.fake.guildId, name);

describe('/corpus add link:', () => {
  it('is answered from within 10 s of the add reply while members ask every 300 ms', async () => {
    const asked: Array<Promise<unknown>> = [];
    // Members' questions keep arriving throughout (the load), answered or not.
    const load = setInterval(() => asked.push(ask('Who wrote about the lighthouse?')), 300);
    try {
      const reply = await outcome(addLink(at('/ferry')));
      const replied = performance.now();
      expect(reply.content).toMatch(/^Added `ferry-leaves-at-dawn\.md` \(article `ferry-leaves-at-dawn`\)\./);
      expect(reply.embeds![0]).toMatchObject({ title: 'Ferry leaves at dawn', url: 'https://news.example/ferry' });
      const answer = await askUntilFrom('When does the island ferry leave the north pier?', 'Ferry leaves at dawn', replied);
      expect(answer.embeds![0]!.title).toBe('Ferry leaves at dawn');
      expect(answer.embeds![0]!.footer!.text).toBe('Jane Doe · Example News · 2024-03-01 · paragraph 1');
      expect(performance.now() - replied).toBeLessThan(10_000);
    } finally {
      clearInterval(load);
      await Promise.all(asked);
    }
  }, 60_000);

  it.each([
    ['a missing page', '/missing', /\b404\b/],
    ['an image', '/image', /image\/png/],
    ['a 40 MiB page', '/huge', /MiB/],
    ['a page that never finishes', '/never-finishes', /\d+ s\b/],
    ['a redirect loop', '/loop', /redirects in a loop/],
    ['gibberish', '/gibberish', /was not added/],
  ])(
    'answers %s with one plain line within 45 s, and writes nothing',
    async (_name, route, says) => {
      const before = await everything(corpusDir);
      const started = performance.now();
      const reply = await outcome(addLink(at(route)));
      expect(performance.now() - started).toBeLessThan(45_000);
      expect(reply.content).toMatch(says);
      expect(reply.content!.split('\n')).toHaveLength(1);
      expect(reply.content).not.toMatch(/\bat .*\.(ts|js):\d+/);
      expect(reply.embeds ?? []).toEqual([]);
      expect(reply.allowed_mentions).toEqual({ parse: [] });
      expect(await everything(corpusDir)).toEqual(before);
    },
    60_000,
  );

  it('refuses the same article again, by its address or its text, naming the first; replace: True updates it', async () => {
    const first = await outcome(addLink(at('/bridge')));
    expect(first.content).toMatch(/^Added `footbridge-approved\.md`/);
    const written = await readFile(serverFile('footbridge-approved.md'), 'utf8');

    const again = await outcome(addLink(at('/bridge?utm_source=chat')));
    expect(again.content).toBe(
      'Not added: this server already has “Footbridge approved” (`footbridge-approved`) at the same address. To update it, run `/corpus add` again with `replace: True`.',
    );
    const copy = await outcome(addLink(at('/bridge-copy')));
    expect(copy.content).toBe(
      'Not added: this server already has “Footbridge approved” (`footbridge-approved`) with the same text. To update it, run `/corpus add` again with `replace: True`.',
    );
    expect(await readFile(serverFile('footbridge-approved.md'), 'utf8')).toBe(written);

    bridgeVersion = [paragraph('the bridge', 'approved a footbridge of 160 metres over the river'), ...BRIDGE.slice(1)];
    const replaced = await outcome(addLink(at('/bridge'), [{ name: 'replace', type: BOOLEAN, value: true }]));
    expect(replaced.content).toMatch(/^Replaced `footbridge-approved\.md` \(article `footbridge-approved`\)\./);
    expect(await readFile(serverFile('footbridge-approved.md'), 'utf8')).toContain('160 metres');
    expect((await ask('How long is the footbridge over the river?')).embeds![0]!.description).toContain('160 metres');
  }, 60_000);

  it('refuses an article every server is answered from, even with replace: True', async () => {
    const base = (await readdir(corpusDir)).find((name) => name.endsWith('.md'))!;
    const url = /^url: (.*)$/m.exec(await readFile(path.join(corpusDir, base), 'utf8'))![1]!;
    const reply = await outcome(
      addLink(at('/ferry'), [
        { name: 'url', type: STRING, value: url.replace(/^"|"$/g, '') },
        { name: 'replace', type: BOOLEAN, value: true },
      ]),
    );
    expect(reply.content).toMatch(
      /^Not added: “.+” \(`.+`\) is at the same address among the articles every server is answered from, which only whoever runs the bot can change\.$/,
    );
  }, 60_000);

  it('reads a saved page uploaded as a file, with the options overriding what was found', async () => {
    const html = page('https://news.example/market', 'Market moves indoors', [
      paragraph('the market', 'agreed that the Saturday market moves into the old tram depot'),
      ...FERRY.slice(1).map((text) => text.replace('council', 'market board')),
    ]);
    const reply = await outcome(upload('market.html', html, [{ name: 'author', type: STRING, value: 'J. Doe' }]));
    expect(reply.content).toMatch(/^Added `market-moves-indoors\.md`/);
    expect(reply.embeds![0]).toMatchObject({ title: 'Market moves indoors', url: 'https://news.example/market' });
    expect(reply.embeds![0]!.fields).toContainEqual({ name: 'Author', value: 'J. Doe', inline: true });
    expect(await readFile(serverFile('market-moves-indoors.md'), 'utf8')).toContain('author: J. Doe');
  });

  it('adds a PDF and a Word file uploaded as files, each then answered from with its title', async () => {
    // Over the 50 words an article needs; PDF text must hold no parentheses.
    const lifeboat = [
      'The lifeboat station on the east quay reopened on Saturday after two years of repairs.',
      'Volunteers rebuilt the slipway and the crew now launches the new boat in under six minutes.',
      'The harbour trust paid for the works with money raised by the town over many summers.',
      'The station will hold an open day next month so that families can meet the crew.',
    ];
    const orchard = [
      'Volunteers have saved the old apple orchard behind the station from being sold for parking.',
      'They planted forty young trees of local varieties and will press the first cider in October.',
      'The orchard is open to everyone on weekends, and the group is looking for more helpers.',
      'Schools may book visits to learn how the trees are pruned and grafted each winter.',
    ];
    const given = (fields: Record<string, string>): CommandOption[] => Object.entries(fields).map(([name, value]) => ({ name, type: STRING, value }));

    // The PDF carries its title, author and date; the options give what it cannot.
    const fromPdf = await outcome(
      upload(
        'lifeboat.pdf',
        pdf(lifeboat, { title: 'Lifeboat station reopens', author: 'Ann Reed' }),
        given({ publisher: 'Quay News', url: 'https://quay.example/lifeboat' }),
      ),
    );
    expect(fromPdf.content).toMatch(/^Added `lifeboat-station-reopens\.md`/);
    expect(fromPdf.embeds![0]).toMatchObject({ title: 'Lifeboat station reopens', url: 'https://quay.example/lifeboat' });
    const pdfAnswer = await askUntilFrom('How fast does the lifeboat crew launch the new boat?', 'Lifeboat station reopens', performance.now());
    expect(pdfAnswer.embeds![0]!.title).toBe('Lifeboat station reopens');
    expect(pdfAnswer.embeds![0]!.footer!.text).toMatch(/^Ann Reed · Quay News · 2024-03-01/);

    // A .docx carries no details here: the options give them all.
    const fromWord = await outcome(
      upload(
        'orchard.docx',
        docx(orchard),
        given({
          title: 'Orchard saved by volunteers',
          author: 'Sam Lee',
          publisher: 'Quay News',
          published: '2024-04-02',
          url: 'https://quay.example/orchard',
        }),
      ),
    );
    expect(fromWord.content).toMatch(/^Added `orchard-saved-by-volunteers\.md`/);
    const wordAnswer = await askUntilFrom(
      'When will the volunteers press the first cider from the apple orchard?',
      'Orchard saved by volunteers',
      performance.now(),
    );
    expect(wordAnswer.embeds![0]!.title).toBe('Orchard saved by volunteers');
    expect(wordAnswer.embeds![0]!.description).toContain('cider');
  }, 60_000);

  it('asks for link or file, one of the two', async () => {
    const neither = await outcome(harness.fake.chatInput('corpus', [{ name: 'add', type: SUBCOMMAND, options: [] }], { member: moderator }));
    expect(neither.content).toBe('Give `/corpus add` the article’s `link`, or upload it as `file`: one of the two.');
    const both = await outcome(upload('market.html', '<html></html>', [{ name: 'link', type: STRING, value: at('/ferry') }]));
    expect(both.content).toBe(neither.content);
  });

  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});

describe('/corpus add link: without FETCH_ALLOW_PRIVATE', () => {
  it('refuses a loopback address in one line, and writes nothing', async () => {
    const closed = await startBot({ config: { corpusDir, moderatorRoleIds: [MODERATOR_ROLE] }, fake: { roleIds: [MODERATOR_ROLE] } });
    try {
      const before = await everything(corpusDir);
      const reply = await outcome(addLink(at('/ferry'), [], closed), closed);
      // The address as Discord shows it: "127\." escaped, lest it start a numbered list.
      expect(reply.content).toMatch(/^127\\\.0\.0\.1 was not fetched: .*\.$/);
      expect(reply.content!.split('\n')).toHaveLength(1);
      expect(await everything(corpusDir)).toEqual(before);
    } finally {
      await closed.stop();
    }
  }, 60_000);
});
