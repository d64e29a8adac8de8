/**
 * Many servers, one bot: two servers share the base corpus and each has its own articles. Every
 * isolation rule end to end, against the fake Discord: what one server adds is never quoted,
 * suggested, listed, searched or removable in the other, across reloads and a restart; ids are
 * unique per server; quotas are per server and told to the moderator.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permissions, type CommandOption, type SentInteraction } from '../fake-discord/index.js';
import { messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { moderatorOutcome, uploadArticle } from '../support/corpusUploads.js';
import { repoRoot } from '../support/discordSpec.js';

const SUBCOMMAND = 1;
const STRING = 3;
/** Server A is the fake's first guild; B a second one. */
const A = '1150000000000000000';
const B = '1160000000000000000';
const moderator = { userId: '1000000000000000077', permissions: Permissions.ManageGuild };
const QUOTA = { serverMaxArticles: 3, serverMaxBytes: 2_000 };

const article = (id: string, title: string, body: string) => `---
id: ${id}
title: ${title}
author: A. Writer
publisher: Gazette
published: 2021-03-04
url: https://example.com/${id}
---

${body}
`;
/** A's article: its words ("lighthouse", "automated", "keepers") are in no other article. */
const NORTHERN = article(
  'lighthouses',
  'Northern lighthouse keepers',
  'The northern lighthouse was automated in 1998, ending two centuries of resident keepers.',
);
/** B's own article with the same id, which ids unique per server allow. */
const SOUTHERN = article('lighthouses', 'Southern beacon', 'The southern beacon still burns whale oil, tended by volunteers every winter.');
const LIGHTHOUSE_OF_A = /lighthouse|automated|keepers|northern/i;

let harness: BotHarness;
let parentDir: string;
let corpusDir: string;
let cacheDir: string;

const start = () => startBot({ config: { corpusDir, cacheDir, ...QUOTA }, fake: { guildIds: [B] } });

beforeAll(async () => {
  parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-servers-'));
  corpusDir = path.join(parentDir, 'corpus');
  cacheDir = path.join(parentDir, 'cache');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  harness = await start();
});

afterAll(async () => {
  await harness?.stop();
  if (parentDir) await rm(parentDir, { recursive: true, force: true });
});

const outcome = (sent: SentInteraction) => moderatorOutcome(harness, sent);
const add = (guildId: string, filename: string, content: string) => outcome(uploadArticle(harness, guildId, moderator, filename, content));
const removeIn = (guildId: string, id: string) =>
  outcome(
    harness.fake.chatInput('corpus', [{ name: 'remove', type: SUBCOMMAND, options: [{ name: 'document', type: STRING, value: id }] }], {
      guildId,
      member: moderator,
    }),
  );
const reloadIn = (guildId: string) => outcome(harness.fake.chatInput('reload', [], { guildId, member: moderator }));
/** What the bot shows besides the echoed question or query: its embeds and buttons. */
const shown = (request: { body: unknown; path: string }) => {
  const { embeds, components } = messageOf(request as Parameters<typeof messageOf>[0]);
  return JSON.stringify({ embeds, components });
};
const ask = async (guildId: string, question: string) =>
  shown(await harness.callback(harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }], { guildId })));
const search = async (guildId: string, query: string) =>
  messageOf(await harness.callback(harness.fake.chatInput('search', [{ name: 'query', type: STRING, value: query }], { guildId })));
const autocomplete = async (guildId: string, name: string, options: CommandOption[], member?: object) =>
  messageOf(await harness.callback(harness.fake.autocomplete(name, options, { guildId, member }))).choices!;
const searchChoices = (guildId: string, typed: string) => autocomplete(guildId, 'search', [{ name: 'query', type: STRING, value: typed, focused: true }]);
const removeChoices = (guildId: string, typed: string) =>
  autocomplete(
    guildId,
    'corpus',
    [{ name: 'remove', type: SUBCOMMAND, options: [{ name: 'document', type: STRING, value: typed, focused: true }] }],
    moderator,
  );
const sourceTitles = async (guildId: string) =>
  messageOf(await harness.callback(harness.fake.chatInput('sources', [], { guildId }))).embeds![0]!.fields!.map((field) => field.name);
/** A `/corpus remove` suggestion for `title`: then the day it was added and its site. */
const choiceOf = (title: string) => expect.stringMatching(new RegExp(`^${title} · added \\d{4}-\\d{2}-\\d{2} · \\S+$`));
const BASE_TITLE = 'Microsoft reveals list of partnerships with Chinese state and private sector';

describe('an article added in one server', () => {
  it('is written to that server’s folder and served there, analysing only that file', async () => {
    const reply = await add(A, 'northern.md', NORTHERN);
    expect(reply.content).toMatch(/^Added `northern\.md` \(article `lighthouses`\)\. This server now has 1 of its 3 articles \(\d+ bytes of 2 KiB\)\.$/);
    expect(reply.embeds![1]!.description).toMatch(/^2 article\(s\), 11 passage\(s\)/);
    expect(await readdir(path.join(corpusDir, 'servers', A))).toEqual(['northern.md']);
    // The reload that followed analysed the one new file, not the base.
    expect(harness.logs.filter((line) => line.msg === 'corpus reloaded').at(-1)).toMatchObject({ analysed: 1, added: [`${A}/lighthouses`] });
    expect(await ask(A, 'When was the northern lighthouse automated?')).toContain('Northern lighthouse keepers');
  });

  it('is never quoted in the other server, nor hinted at in its suggestions', async () => {
    for (const question of ['When was the northern lighthouse automated?', 'lighthous automatd keeprs', 'Tell me about whales']) {
      const answer = await ask(B, question);
      expect(answer).toContain('The article doesn’t say that.');
      expect(answer).not.toMatch(LIGHTHOUSE_OF_A);
    }
    // The base is still answered there.
    expect(await ask(B, 'Which search engine will Edge use in China?')).toContain('paragraph 5');
  });

  it('is never found or suggested by /search in the other server', async () => {
    expect(JSON.stringify((await search(A, 'lighthouse')).embeds)).toContain('Northern lighthouse keepers');
    const inB = await search(B, 'lighthouse');
    expect(inB.content).toMatch(/^No passage matches/);
    expect(inB.embeds ?? []).toEqual([]);
    const [choiceInA] = await searchChoices(A, 'lighth');
    expect(choiceInA!.name).toMatch(/northern lighthouse/);
    expect(JSON.stringify(await searchChoices(B, 'lighth'))).not.toMatch(LIGHTHOUSE_OF_A);
    expect(JSON.stringify(await searchChoices(B, ''))).not.toMatch(LIGHTHOUSE_OF_A);
    // A's suggestion (a passage reference) picked in B shows nothing of A.
    expect(JSON.stringify((await search(B, choiceInA!.value)).embeds ?? [])).not.toMatch(LIGHTHOUSE_OF_A);
  });

  it('is never reached through a button in the other server', async () => {
    const reference = (await searchChoices(A, 'automated'))[0]!.value;
    const inB = messageOf(await harness.callback(harness.fake.button(`ask:paragraph:${reference}`, { guildId: B })));
    expect(inB.content).toMatch(/no longer in the corpus/);
    const inA = messageOf(await harness.callback(harness.fake.button(`ask:paragraph:${reference}`, { guildId: A })));
    expect(inA.embeds![0]!.title).toBe('Northern lighthouse keepers');
  });

  it('is never shown in the other server through a reference forged to name its server', async () => {
    // `<server>/<id>` is how the whole corpus keys a server's own passage: typed or put in a button, it must not reach past the asker's scope.
    const forged = `${A}/${(await searchChoices(A, 'automated'))[0]!.value}`;
    expect(await searchChoices(B, forged)).not.toContainEqual(expect.objectContaining({ name: expect.stringMatching(LIGHTHOUSE_OF_A) }));
    const searched = await search(B, forged);
    expect(JSON.stringify(searched.embeds ?? [])).not.toMatch(LIGHTHOUSE_OF_A);
    expect(searched.content).toMatch(/^No passage matches/);
    for (const customId of [`ask:more:${forged}`, `ask:share:${forged}`, `ask:paragraph:${forged}`]) {
      const inB = messageOf(await harness.callback(harness.fake.button(customId, { guildId: B })));
      expect(inB.content, customId).toMatch(/no longer in the corpus/);
      expect(JSON.stringify(inB.embeds ?? []), customId).not.toMatch(/lighthouse|example\.com\/lighthouses|A\. Writer/i);
    }
  });

  it('is listed by /sources only in its server', async () => {
    expect(await sourceTitles(A)).toEqual([BASE_TITLE, 'Northern lighthouse keepers']);
    expect(await sourceTitles(B)).toEqual([BASE_TITLE]);
  });

  it('is neither offered nor removable in the other server', async () => {
    expect(await removeChoices(A, '')).toEqual([{ name: choiceOf('Northern lighthouse keepers'), value: 'lighthouses' }]);
    expect(await removeChoices(B, '')).toEqual([]);
    expect((await removeIn(B, 'lighthouses')).content).toMatch(/^None of this server’s own articles has the id “lighthouses”/);
    expect(existsSync(path.join(corpusDir, 'servers', A, 'northern.md'))).toBe(true);
  });
});

describe('ids', () => {
  it('need only be unique within a server and the base: the other server may use the same one', async () => {
    expect((await add(B, 'southern.md', SOUTHERN)).content).toMatch(/^Added `southern\.md` \(article `lighthouses`\)\./);
    expect(await ask(B, 'What does the southern beacon burn?')).toContain('Southern beacon');
    expect(await ask(A, 'What does the southern beacon burn?')).not.toContain('Southern beacon');
    expect(await ask(A, 'When was the northern lighthouse automated?')).toContain('Northern lighthouse keepers');
    expect(await sourceTitles(B)).toEqual([BASE_TITLE, 'Southern beacon']);
  });

  it('may not repeat a base article’s, and the moderator is told why', async () => {
    const reply = await add(A, 'copy.md', article('microsoft-china-partnerships', 'A copy', 'Some other text about a copy.'));
    expect(reply.embeds![0]!.description).toContain(
      'copy.md:1: duplicate id "microsoft-china-partnerships": microsoft-china-partnerships.md, an article every server sees, already uses it, and a server\'s own article may not reuse it',
    );
    expect(await readdir(path.join(corpusDir, 'servers', A))).toEqual(['northern.md']);
  });

  it('of base articles cannot be removed from a server', async () => {
    expect((await removeIn(A, 'microsoft-china-partnerships')).content).toMatch(
      /is one of the articles every server is answered from, so it cannot be removed from Discord/,
    );
  });
});

describe('reloads', () => {
  it('report to each server only what it is served, and hide other servers’ problems’ files', async () => {
    // The operator adds a file to A's folder on disk; B's moderator reloads.
    await writeFile(path.join(corpusDir, 'servers', A, 'harbour.md'), article('harbour', 'Harbour notes', 'The ferry to the island leaves at dawn.'));
    const inB = (await reloadIn(B)).embeds![0]!;
    expect(inB.description).toMatch(/^2 article\(s\), \d+ passage\(s\)[\s\S]*Added: none\nRemoved: none\nChanged: none$/);
    // It was applied all the same: the log, the operator's, names it.
    expect(harness.logs.filter((line) => line.msg === 'corpus reloaded').at(-1)).toMatchObject({ added: [`${A}/harbour`], analysed: 1 });

    await writeFile(path.join(corpusDir, 'servers', A, 'broken.md'), NORTHERN.replace('2021-03-04', '2021-02-30').replace('id: lighthouses', 'id: broken'));
    // A broken file fails alone: left out, and named only to the server that owns it.
    const partlyInB = (await reloadIn(B)).embeds![0]!;
    expect(partlyInB.title).toBe('Corpus reloaded');
    expect(partlyInB.description).toContain("servers/: 1 problem(s) in other servers' articles: whoever runs the bot sees them in its log");
    expect(partlyInB.description).not.toContain('broken.md');
    const partlyInA = (await reloadIn(A)).embeds![0]!;
    expect(partlyInA.description).toContain(`servers/${A}/broken.md:6: "published" must be a real date`);
    expect(harness.logs.filter((line) => line.msg === 'corpus reloaded').at(-1)).toMatchObject({
      firstProblems: [expect.stringContaining(`servers/${A}/broken.md:6`)],
    });
    await rm(path.join(corpusDir, 'servers', A, 'broken.md'));

    const inA = (await reloadIn(A)).embeds![0]!;
    expect(inA.title).toBe('Corpus reloaded');
    expect(inA.description).toMatch(/^3 article\(s\)/);
    // Across reloads, still apart.
    expect(await ask(B, 'When does the ferry leave?')).not.toContain('Harbour notes');
    expect(await ask(A, 'When does the ferry leave?')).toContain('Harbour notes');
  });
});

describe('quotas', () => {
  it('stop a server at its article limit, saying the limit and where it stands', async () => {
    // A has two articles of its three.
    expect((await add(A, 'third.md', article('third', 'Third note', 'A third short note.'))).content).toMatch(/This server now has 3 of its 3 articles/);
    const refused = await add(A, 'fourth.md', article('fourth', 'Fourth note', 'A fourth short note.'));
    expect(refused.content).toMatch(
      /^Not added: a server may have at most 3 articles of its own, 2 KiB in all\. This server has 3 \(\d+ bytes\), and this file is \d+ bytes\. Remove one with `\/corpus remove` first/,
    );
    expect(existsSync(path.join(corpusDir, 'servers', A, 'fourth.md'))).toBe(false);
    // Another server's quota is its own.
    expect((await add(B, 'fourth.md', article('fourth', 'Fourth note', 'A fourth short note.'))).content).toMatch(/This server now has 2 of its 3 articles/);
  });

  it('stop a server at its byte limit', async () => {
    const long = article('long', 'A long note', 'Words and more words. '.repeat(80));
    const refused = await add(B, 'long.md', long);
    expect(refused.content).toMatch(/^Not added: .* This server has 2 \(\d+ bytes\), and this file is 1\.\d KiB\./);
    expect(existsSync(path.join(corpusDir, 'servers', B, 'long.md'))).toBe(false);
  });
});

describe('a restart', () => {
  it('keeps every server’s articles apart: a new bot on the same folders', async () => {
    expect(harness.invalidRequests()).toEqual([]);
    await harness.stop();
    harness = await start();
    expect(await sourceTitles(A)).toEqual([BASE_TITLE, 'Harbour notes', 'Northern lighthouse keepers', 'Third note']);
    expect(await sourceTitles(B)).toEqual([BASE_TITLE, 'Fourth note', 'Southern beacon']);
    expect(await ask(B, 'When was the northern lighthouse automated?')).not.toMatch(LIGHTHOUSE_OF_A);
    expect(JSON.stringify(await searchChoices(B, 'harb'))).not.toContain('Harbour');
    expect(await removeChoices(B, '')).toEqual([
      { name: choiceOf('Fourth note'), value: 'fourth' },
      { name: choiceOf('Southern beacon'), value: 'lighthouses' },
    ]);
  });

  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});
