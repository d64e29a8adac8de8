/**
 * `/corpus add|remove` end to end: the real bot against the fake Discord, uploads served by its
 * fake CDN, files written to the server's folder in a temporary copy of the corpus (the rules
 * between servers are in servers.e2e.test.ts).
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MEMBER_PERMISSIONS, type AttachmentServeOptions, type CommandOption, type SentInteraction } from '../fake-discord/index.js';
import { EPHEMERAL, messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { repoRoot } from '../support/discordSpec.js';
import { LIGHTHOUSE } from '../support/lighthouse.js';

const SUBCOMMAND = 1;
const STRING = 3;
const INTEGER = 4;
const BOOLEAN = 5;
const ATTACHMENT = 11;
const MODERATOR_ROLE = '987654321098765432';
const MODERATOR_ID = '1000000000000000077';
const AUDIT_CHANNEL = '1150000000000000001';
const MAX_UPLOAD = 64 * 1024;
const moderator = { userId: MODERATOR_ID, roles: [MODERATOR_ROLE] };

let harness: BotHarness;
let parentDir: string;
let corpusDir: string;
/** Where this server's own articles go: `servers/<guild id>/` in the corpus folder. */
let serverDir: string;
let attachmentIds = 0;

beforeAll(async () => {
  parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-corpus-cmd-'));
  corpusDir = path.join(parentDir, 'corpus');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  harness = await startBot({
    config: { corpusDir, moderatorRoleIds: [MODERATOR_ROLE], auditChannelId: AUDIT_CHANNEL, maxUploadBytes: MAX_UPLOAD },
    fake: { roleIds: [MODERATOR_ROLE], channelId: AUDIT_CHANNEL },
  });
  serverDir = path.join(corpusDir, 'servers', harness.fake.guildId);
});

afterAll(async () => {
  await harness?.stop();
  if (parentDir) await rm(parentDir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

interface Upload {
  /** Where the attachment claims to be; default: served by the fake CDN. */
  url?: string;
  /** The size Discord declares; default: the content's. */
  size?: number;
  serve?: AttachmentServeOptions;
  options?: CommandOption[];
  member?: object;
}

/** `/corpus add file:<filename>` as Discord sends it: the attachment is resolved in the interaction. */
function upload(filename: string, content: string | Buffer, { url, size, serve, options = [], member = moderator }: Upload = {}): SentInteraction {
  const id = String(1_200_000_000_000_000_000n + BigInt(++attachmentIds));
  const location = url ?? harness.fake.serveAttachment(filename, content, serve);
  const attachment = { id, filename, size: size ?? Buffer.byteLength(content), url: location, proxy_url: location, content_type: 'text/plain; charset=utf-8' };
  return harness.fake.chatInput('corpus', [{ name: 'add', type: SUBCOMMAND, options: [{ name: 'file', type: ATTACHMENT, value: id }, ...options] }], {
    member,
    resolved: { attachments: { [id]: attachment } },
  });
}

const removeDocument = (id: string) =>
  harness.fake.chatInput('corpus', [{ name: 'remove', type: SUBCOMMAND, options: [{ name: 'document', type: STRING, value: id }] }], { member: moderator });

/** The deferred, ephemeral acknowledgement, then the edit that carries the outcome. */
async function outcome(sent: SentInteraction) {
  expect((await harness.callback(sent)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
  return messageOf(await harness.webhook(sent, (request) => request.method === 'PATCH'));
}

const ask = async (question: string) => messageOf(await harness.callback(harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }])));
const visible = async (dir: string) => (await readdir(dir).catch(() => [])).filter((name) => !name.startsWith('.')).sort();
/** The base's files and the server's, dot-files aside. */
const corpusFiles = async () => [...(await visible(corpusDir)), ...(await visible(serverDir)).map((name) => `server:${name}`)];
const metadata = (fields: Record<string, string>): CommandOption[] => Object.entries(fields).map(([name, value]) => ({ name, type: STRING, value }));
const downloads = () => vi.spyOn(globalThis, 'fetch');
/** The day a file written now is dated, as the bot shows it. */
const today = () => new Date().toISOString().slice(0, 10);
/** Enough words for a plain-text article (fewer than 50 is not one). */
const FILLER = Array.from({ length: 6 }, (_, n) => `Sentence ${n + 1} of the notes says the harbour master opens the gates at noon.`).join(' ');

describe('/corpus add', () => {
  it('adds a .md file: written, reloaded, answered from, logged and audited', async () => {
    const sent = upload('lighthouses.md', LIGHTHOUSE);
    const reply = await outcome(sent);
    expect(reply.content).toBe('Added `lighthouses.md` (article `lighthouses`). This server now has 1 of its 50 articles (300 bytes of 5 MiB).');
    // What members will get: the details, the passages and how it begins.
    expect(reply.embeds![0]).toMatchObject({
      title: 'Lighthouse keepers: the last watch',
      url: 'https://example.com/lighthouses',
      description: '> The northern lighthouse was automated in 1998, ending two centuries of resident keepers.',
      fields: [
        { name: 'Author', value: 'A. Writer' },
        { name: 'Publisher', value: 'Gazette' },
        { name: 'Published', value: '2021-03-04' },
        { name: 'Passages', value: '2' },
        { name: 'Link', value: '<https://example.com/lighthouses>' },
      ],
    });
    expect(reply.embeds![1]!.title).toBe('Corpus reloaded');
    expect(reply.embeds![1]!.description).toContain('Added: `lighthouses`');
    expect(reply.allowed_mentions).toEqual({ parse: [] });
    expect(await readFile(path.join(serverDir, 'lighthouses.md'), 'utf8')).toBe(LIGHTHOUSE);

    const answer = await ask('When was the northern lighthouse automated?');
    expect(answer.embeds![0]!.title).toBe('Lighthouse keepers: the last watch');
    expect(answer.embeds![0]!.footer!.text).toBe('A. Writer · Gazette · 2021-03-04 · paragraph 1');

    const file = `servers/${harness.fake.guildId}/lighthouses.md`;
    expect(harness.logs).toContainEqual(
      expect.objectContaining({ msg: 'corpus file added', actorId: MODERATOR_ID, scope: harness.fake.guildId, file, action: 'add' }),
    );
    const audit = await harness.fake.waitForRequest(
      (request) =>
        request.method === 'POST' && request.path === `/channels/${AUDIT_CHANNEL}/messages` && JSON.stringify(request.body).includes('lighthouses.md'),
    );
    // The moderator as a mention (shown as their name; allowed_mentions stops the ping) and the article by title.
    expect(audit.body).toMatchObject({
      content: `Corpus reloaded by <@${MODERATOR_ID}> (/corpus add: added ${file}): 2 articles.\nAdded: “Lighthouse keepers: the last watch”`,
      allowed_mentions: { parse: [] },
    });
  });

  it('builds a .txt file’s front matter from the options', async () => {
    const text = `Harbour notes\r\nThe ferry to the island now leaves at dawn: 6:15 sharp.\r\nTickets are sold on board. ${FILLER}`;
    const sent = upload('Harbour Notes.txt', text, {
      options: metadata({
        title: 'Harbour: "notes" from the quay',
        author: 'B. Keeper',
        publisher: 'Quay Times',
        published: '2022-07-01',
        url: 'https://example.com/harbour',
      }),
    });
    // Named after its title, as an article from a link is.
    expect((await outcome(sent)).content).toMatch(
      /^Added `harbour-notes-from-the-quay\.md` \(article `harbour-notes-from-the-quay`\)\. This server now has 2 of its 50 articles/,
    );
    expect(await readFile(path.join(serverDir, 'harbour-notes-from-the-quay.md'), 'utf8')).toMatch(
      /^---\ntitle: .*\n[\s\S]*\n---\n\nHarbour notes\n\nThe ferry/,
    );
    const answer = await ask('When does the ferry to the island leave?');
    expect(answer.embeds![0]!.title).toBe('Harbour: "notes" from the quay');
    expect(answer.embeds![0]!.footer!.text).toBe('B. Keeper · Quay Times · 2022-07-01 · paragraph 2');
  });

  it('says exactly which options a .txt file is missing, and writes nothing', async () => {
    const before = await corpusFiles();
    const reply = await outcome(upload('missing.txt', FILLER, { options: metadata({ title: 'T', author: 'A' }) }));
    expect(reply.content).toBe(
      'missing.txt was not added: its publisher, published, url could not be found. Give publisher \\(publisher:\\), published \\(published: YYYY-MM-DD\\), url \\(url:\\).',
    );
    expect(await corpusFiles()).toEqual(before);
  });

  it('refuses metadata options for a .md file, and other file types', async () => {
    const withOptions = await outcome(upload('other.md', LIGHTHOUSE, { options: metadata({ title: 'Override' }) }));
    expect(withOptions.content).toMatch(/^A \.md file carries its details in its front matter: leave out `title`/);
    const odt = await outcome(upload('article.odt', 'text'));
    expect(odt.content).toMatch(/^“article\.odt” cannot be read: add a saved web page \(\.html, \.htm\), a PDF, a Word file \(\.docx\)/);
    const pdf = await outcome(upload('article.pdf', '%PDF-1.4'));
    expect(pdf.content).toMatch(/^article\.pdf was not added: it could not be read/);
  });

  it('lists the problems of a broken file with file:line, writes nothing, and keeps serving', async () => {
    const before = await corpusFiles();
    const broken = await readFile(path.join(repoRoot, 'tests/fixtures/broken-corpus/bad-date.md'), 'utf8');
    const reply = await outcome(upload('bad-date.md', broken));
    expect(reply.embeds![0]!.title).toBe('Not added: bad-date.md has problems');
    expect(reply.embeds![0]!.description).toContain('bad-date.md:5: "published" must be a real date written YYYY-MM-DD, not "2015-02-30"');
    expect(reply.embeds![0]!.description).toContain('Nothing was written');
    expect(await corpusFiles()).toEqual(before);
    expect((await ask('Which search engine will Edge use in China?')).embeds![0]!.footer!.text).toContain('paragraph 5');
  });

  it('refuses binary content as not UTF-8 text', async () => {
    const before = await corpusFiles();
    const reply = await outcome(
      upload('binary.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), {
        options: metadata({ title: 'T', author: 'A', publisher: 'P', published: '2020-01-01', url: 'https://example.com/' }),
      }),
    );
    expect(reply.content).toBe('binary.txt was not added: it is not readable text \\(binary data, or garbled\\).');
    expect(await corpusFiles()).toEqual(before);
  });

  it('keeps a traversing file name inside the server’s folder', async () => {
    const evil = LIGHTHOUSE.replace('title: "Lighthouse', 'id: evil\ntitle: "Evil lighthouse').replace('/lighthouses', '/evil').replace('1998', '1999');
    const reply = await outcome(upload('../../evil.md', evil));
    expect(reply.content).toMatch(/^Added `evil\.md` \(article `evil`\)\./);
    expect(existsSync(path.join(serverDir, 'evil.md'))).toBe(true);
    expect(await readdir(parentDir)).toEqual(['corpus']);
    expect(existsSync(path.join(parentDir, '..', 'evil.md'))).toBe(false);
  });

  it('refuses to overwrite an existing file unless replace is true', async () => {
    const changed = LIGHTHOUSE.replace('212 steps', '213 steps');
    const refused = await outcome(upload('lighthouses.md', changed));
    expect(refused.content).toBe(
      'Not added: this server already has “Lighthouse keepers: the last watch” (`lighthouses`) at the same address. To update it, run `/corpus add` again with `replace: True`.',
    );
    expect(await readFile(path.join(serverDir, 'lighthouses.md'), 'utf8')).toBe(LIGHTHOUSE);

    const replaced = await outcome(upload('lighthouses.md', changed, { options: [{ name: 'replace', type: BOOLEAN, value: true }] }));
    // Replacing takes no more room than the file it replaces: still three articles.
    expect(replaced.content).toMatch(/^Replaced `lighthouses\.md` \(article `lighthouses`\)\. This server now has 3 of its 50 articles/);
    expect(replaced.embeds![1]!.description).toContain('Changed: `lighthouses`');
    expect(await readFile(path.join(serverDir, 'lighthouses.md'), 'utf8')).toBe(changed);
  });

  it('refuses a declared size over the limit without downloading', async () => {
    const fetches = downloads();
    const url = harness.fake.serveAttachment('huge.md', LIGHTHOUSE);
    const reply = await outcome(upload('huge.md', LIGHTHOUSE, { url, size: MAX_UPLOAD + 1 }));
    expect(reply.content).toBe('“huge.md” is 64.1 KiB; the upload limit is 64 KiB.');
    expect(fetches).not.toHaveBeenCalled();
    expect(existsSync(path.join(serverDir, 'huge.md'))).toBe(false);
  });

  it('stops a download as soon as it passes the limit when the size was hidden', async () => {
    const content = `${LIGHTHOUSE}\n${'Padding paragraph for a large file.\n\n'.repeat(30_000)}`; // ~1 MiB
    const sent = upload('sneaky.md', content, { size: 1000, serve: { omitContentLength: true, chunkSize: 16 * 1024, chunkDelayMs: 50 } });
    const reply = await outcome(sent);
    expect(reply.content).toBe('The file is larger than the upload limit of 64 KiB.');
    // The whole body would take over 3 s to arrive at this pace.
    expect(performance.now() - sent.sentAt).toBeLessThan(2500);
    expect(existsSync(path.join(serverDir, 'sneaky.md'))).toBe(false);
  });

  it.each([
    ['another port on the same host', () => 'http://127.0.0.1:1/cdn/attachments/1/x.md'],
    ['a look-alike host', () => 'https://cdn.discordapp.com.evil.example/attachments/1/x.md'],
    ['the right host, outside the CDN path', () => `${harness.fake.apiUrl}/v10/gateway`],
    ['a path that climbs out of the CDN path', () => `${harness.fake.cdnUrl}/../api/v10/gateway`],
  ])('refuses an attachment URL on %s without fetching it', async (_where, url) => {
    const fetches = downloads();
    const reply = await outcome(upload('x.md', LIGHTHOUSE, { url: url() }));
    expect(reply.content).toBe('That file is not on Discord’s attachment server, so it was not downloaded.');
    expect(fetches).not.toHaveBeenCalled();
    expect(existsSync(path.join(serverDir, 'x.md'))).toBe(false);
  });

  it('refuses a member who is not a moderator, writing nothing', async () => {
    const fetches = downloads();
    const sent = upload('intruder.md', LIGHTHOUSE, { member: { permissions: DEFAULT_MEMBER_PERMISSIONS } });
    const reply = messageOf(await harness.callback(sent));
    expect(reply.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toMatch(/^Only moderators/);
    expect(fetches).not.toHaveBeenCalled();
    expect(existsSync(path.join(serverDir, 'intruder.md'))).toBe(false);
  });
});

describe('/corpus remove', () => {
  const suggest = (typed: string, member: object = moderator) =>
    harness.fake.autocomplete('corpus', [{ name: 'remove', type: SUBCOMMAND, options: [{ name: 'document', type: STRING, value: typed, focused: true }] }], {
      member,
    });

  it('suggests the server’s own articles by title, with the id as the value', async () => {
    const { choices } = messageOf(await harness.callback(suggest('lighthouse')));
    // In file-name order: evil.md, then lighthouses.md.
    // With the day each was added and its site: look-alikes told apart.
    expect(choices).toEqual([
      { name: `Evil lighthouse keepers: the last watch · added ${today()} · example.com`, value: 'evil' },
      { name: `Lighthouse keepers: the last watch · added ${today()} · example.com`, value: 'lighthouses' },
    ]);
    expect(messageOf(await harness.callback(suggest('lighthouse', { permissions: DEFAULT_MEMBER_PERMISSIONS }))).choices).toEqual([]);
  });

  it('moves the file to .removed/, reloads, and /sources no longer lists it', async () => {
    const reply = await outcome(removeDocument('lighthouses'));
    expect(reply.content).toMatch(
      /^Moved `lighthouses\.md` \(“Lighthouse keepers: the last watch”\) to `\.removed\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-lighthouses\.md`\.$/,
    );
    expect(reply.embeds![0]!.description).toContain('Removed: `lighthouses`');
    expect(existsSync(path.join(serverDir, 'lighthouses.md'))).toBe(false);
    const retired = await readdir(path.join(serverDir, '.removed'));
    expect(retired).toEqual([expect.stringMatching(/-lighthouses\.md$/)]);
    expect(await readFile(path.join(serverDir, '.removed', retired[0]!), 'utf8')).toContain('213 steps');

    const sources = messageOf(await harness.callback(harness.fake.chatInput('sources')));
    expect(sources.embeds![0]!.fields!.map((field) => field.name)).not.toContain('Lighthouse keepers: the last watch');
    expect(harness.logs).toContainEqual(
      expect.objectContaining({ msg: 'corpus file removed', actorId: MODERATOR_ID, file: `servers/${harness.fake.guildId}/lighthouses.md`, action: 'remove' }),
    );
    await harness.fake.waitForRequest(
      (request) =>
        request.method === 'POST' &&
        request.path === `/channels/${AUDIT_CHANNEL}/messages` &&
        JSON.stringify(request.body).includes(`moved servers/${harness.fake.guildId}/lighthouses.md to servers/${harness.fake.guildId}/.removed`),
    );
  });

  it('refuses to remove an article every server shares, saying who can, and leaves it', async () => {
    const before = await corpusFiles();
    const reply = await outcome(removeDocument('microsoft-china-partnerships'));
    expect(reply.content).toBe(
      '“Microsoft reveals list of partnerships with Chinese state and private sector” is one of the articles every server is answered from, so it cannot be removed from Discord; only whoever runs the bot can remove it, from the corpus folder. `/corpus remove` removes this server’s own articles.',
    );
    expect(reply.embeds ?? []).toEqual([]);
    expect(await corpusFiles()).toEqual(before);
    // Nor is it offered.
    expect(messageOf(await harness.callback(suggest('Microsoft'))).choices).toEqual([]);
  });

  it('says so when no article has that id', async () => {
    expect((await outcome(removeDocument('no-such-article'))).content).toBe(
      'None of this server’s own articles has the id “no-such-article”. Pick one from the list; `/sources` shows them all.',
    );
  });

  it('offers at most 25 suggestions, each name within 100 characters', async () => {
    const longTitle = `A very long headline about ${'the many remarkable events of the season '.repeat(5)}`;
    for (let i = 0; i < 30; i++) {
      const title = i === 0 ? longTitle : `Filler article ${i}`;
      await writeFile(
        path.join(serverDir, `filler-${i}.md`),
        `---\ntitle: ${title}\nauthor: F\npublisher: P\npublished: 2020-01-01\nurl: https://example.com/${i}\n---\n\nFiller text ${i}.\n`,
      );
    }
    expect((await harness.bot.corpus.reload({ id: 'test', reason: 'fillers' }))[0]!.report.applied).toBe(true);
    const { choices } = messageOf(await harness.callback(suggest('')));
    expect(choices).toHaveLength(25);
    for (const choice of choices!) expect(choice.name.length).toBeLessThanOrEqual(100);
    const [long] = messageOf(await harness.callback(suggest('very long headline'))).choices!;
    expect(long).toEqual({ name: expect.stringMatching(/^A very long headline .*… · added \d{4}-\d{2}-\d{2} · example\.com$/), value: 'filler-0' });
    expect(long!.name.length).toBeLessThanOrEqual(100);
  });

  it('/corpus list pages through the server’s own articles: title, date added, passages, link', async () => {
    const listPage = async (page?: number) =>
      outcome(
        harness.fake.chatInput(
          'corpus',
          [{ name: 'list', type: SUBCOMMAND, options: page === undefined ? [] : [{ name: 'page', type: INTEGER, value: page }] }],
          {
            member: moderator,
          },
        ),
      );
    const own = (await visible(serverDir)).length;
    const pages = Math.ceil(own / 10);
    const first = (await listPage()).embeds![0]!;
    expect(first.title).toBe(`This server’s articles (${own})`);
    expect(first.description).toBe(`Page 1 of ${pages}: \`/corpus list page: 2\` shows the next.`);
    expect(first.fields).toHaveLength(10);
    expect(first.fields).toContainEqual({ name: 'Filler article 1', value: `added ${today()} · 1 passage · \`filler-1\`\n<https://example.com/1>` });
    const last = (await listPage(pages)).embeds![0]!;
    expect(last.description).toBe(`Page ${pages} of ${pages}.`);
    expect(last.fields).toHaveLength(own - (pages - 1) * 10);
    expect((await listPage(pages + 1)).content).toBe(`This server’s articles fill ${pages} pages: pick a page from 1 to ${pages}.`);
  });
});

describe('the audit channel', () => {
  it('gets no notice for a reload that changed nothing', async () => {
    const audits = () => harness.fake.requests.filter((request) => request.path === `/channels/${AUDIT_CHANNEL}/messages`).length;
    const before = audits();
    const sent = harness.fake.chatInput('reload', [], { member: moderator });
    expect(messageOf(await harness.webhook(sent, (request) => request.method === 'PATCH')).embeds![0]!.title).toBe('Corpus reloaded');
    expect(audits()).toBe(before);
  });
});

describe('plain-language help', () => {
  const reload = async () =>
    messageOf(await harness.webhook(harness.fake.chatInput('reload', [], { member: moderator }), (request) => request.method === 'PATCH'));
  const MICROSOFT = (title: string) =>
    LIGHTHOUSE.replace('title: "Lighthouse keepers: the last watch"', `title: ${title}`).replace('lighthouses', 'microsoft-deals');

  it('tells a moderator to quote a title with ": " or " #", and writes nothing', async () => {
    const before = await corpusFiles();
    const colon = await outcome(upload('deals.md', MICROSOFT('Microsoft: the China deals')));
    expect(colon.embeds![0]!.description).toContain(
      'deals.md:2: the title contains ": ", which YAML reads as the start of another field: wrap the title in double quotes: title: "Microsoft: the China deals"',
    );
    const hash = await outcome(upload('deals.md', MICROSOFT('Microsoft #1 partner in China')));
    expect(hash.embeds![0]!.description).toContain(
      'deals.md:2: the text after "#" in the title is dropped as a YAML comment: wrap the title in double quotes: title: "Microsoft #1 partner in China"',
    );
    expect(await corpusFiles()).toEqual(before);
  });

  it('names a bad .txt option as the option, not as a line of a file the moderator never wrote', async () => {
    const before = await corpusFiles();
    const reply = await outcome(
      upload('notes.txt', FILLER, {
        options: metadata({ title: 'T', author: 'A', publisher: 'P', published: '2015-02-30', url: 'ftp://example.com/x' }),
      }),
    );
    // As shown in Discord: the message's own parentheses escaped like the rest of the text.
    expect(reply.content).toContain('published must be a real date written YYYY-MM-DD, not "2015-02-30" \\(set it with published:\\)');
    expect(reply.content).toContain('url must be an http\\(s\\) address, not "ftp://example.com/x" \\(set it with url:\\)');
    expect(reply.content).not.toContain('notes.md');
    expect(await corpusFiles()).toEqual(before);
  });

  it('reports files a reload does not read, and groups one fault shared by many files', async () => {
    await writeFile(path.join(corpusDir, 'notes.txt'), LIGHTHOUSE);
    await mkdir(path.join(corpusDir, 'drafts'));
    await writeFile(path.join(corpusDir, 'drafts', 'draft.md'), LIGHTHOUSE);
    const applied = await reload();
    expect(applied.embeds![0]!.title).toBe('Corpus reloaded');
    expect(applied.embeds![0]!.description).toMatch(
      /Not read:\n```\ndrafts\/: not read: articles must be directly in the corpus folder, not in a subfolder\nnotes\.txt: not read: only \.md files are articles/,
    );

    const noAuthor = LIGHTHOUSE.replace('author: A. Writer\n', '');
    for (let i = 0; i < 30; i++) await writeFile(path.join(corpusDir, `no-author-${String(i).padStart(2, '0')}.md`), noAuthor.replace('lighthouses', `l${i}`));
    await writeFile(path.join(corpusDir, 'zz-bad-date.md'), LIGHTHOUSE.replace('2021-03-04', '2021-02-30'));
    const partly = await reload();
    expect(partly.embeds![0]!.title).toBe('Corpus reloaded');
    expect(partly.embeds![0]!.description).toContain('Left out until fixed');
    expect(partly.embeds![0]!.description).toContain(
      '30 files: front matter is missing "author" (no-author-00.md:6, no-author-01.md:6, no-author-02.md:6 and 27 more)',
    );
    expect(partly.embeds![0]!.description).toContain('zz-bad-date.md:5: "published" must be a real date');
    expect(partly.embeds![0]!.description).not.toContain('… and');
    for (const name of await readdir(corpusDir))
      if (name.startsWith('no-author-') || name === 'zz-bad-date.md' || name === 'notes.txt') await rm(path.join(corpusDir, name));
    await rm(path.join(corpusDir, 'drafts'), { recursive: true });
    expect((await reload()).embeds![0]!.description).not.toContain('Not read');
  });

  it('blames a duplicate id on the new file, not the one being served, whatever their names', async () => {
    const served = (await harness.engine.sources(harness.fake.guildId, 100)).documents.find((document) => document.id === 'filler-1')!;
    await writeFile(path.join(serverDir, 'aa-dup.md'), LIGHTHOUSE.replace('title:', 'id: filler-1\ntitle:'));
    // Older than the served file too: being served is what counts.
    await utimes(path.join(serverDir, 'aa-dup.md'), new Date('2001-01-01'), new Date('2001-01-01'));
    const refused = await reload();
    expect(refused.embeds![0]!.description).toContain(`servers/${harness.fake.guildId}/aa-dup.md:1: duplicate id "filler-1": ${served.file} already uses it`);
    await rm(path.join(serverDir, 'aa-dup.md'));
  });

  it('removes an article while another file is broken, and names the broken one', async () => {
    await writeFile(path.join(corpusDir, 'zz-broken.md'), LIGHTHOUSE.replace('2021-03-04', '2021-02-30'));
    const reply = await outcome(removeDocument('filler-2'));
    expect(reply.content).toMatch(/^Moved `filler-2\.md` \(“[^”]+”\) to `\.removed\/[^`]+`\.$/);
    expect(reply.embeds![0]!.title).toBe('Corpus reloaded');
    expect(reply.embeds![0]!.description).toContain('Removed: `filler-2`');
    expect(reply.embeds![0]!.description).toContain('zz-broken.md:5: "published" must be a real date');
    expect((await harness.engine.sources(harness.fake.guildId, 100)).documents.some((document) => document.id === 'filler-2')).toBe(false);
    await rm(path.join(corpusDir, 'zz-broken.md'));
  });
});

describe('requests', () => {
  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});
