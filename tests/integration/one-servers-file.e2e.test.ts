/**
 * Issue 18: what one server's moderator (or one stray file) can no longer do to the others, end
 * to end against the fake Discord: a hostile front matter is refused at once, memory per server is
 * bounded in passages, a base file never collides with a server's article, and a broken file
 * fails alone, even across a restart.
 */
import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permissions, type SentInteraction } from '../fake-discord/index.js';
import { messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { moderatorOutcome, uploadArticle } from '../support/corpusUploads.js';
import { repoRoot } from '../support/discordSpec.js';

const STRING = 3;
/** Server A is the fake's first guild; B a second one. */
const A = '1150000000000000000';
const B = '1160000000000000000';
const moderator = { userId: '1000000000000000077', permissions: Permissions.ManageGuild };
const MAX_PASSAGES = 40;

const article = (id: string, title: string, body: string, extra = '') =>
  `---\nid: ${id}\ntitle: ${title}\nauthor: A. Writer\npublisher: Gazette\npublished: 2021-03-04\nurl: https://example.com/${id}\n${extra}---\n\n${body}\n`;

let harness: BotHarness;
let parentDir: string;
let corpusDir: string;
let cacheDir: string;

const start = () => startBot({ config: { corpusDir, cacheDir, serverMaxPassages: MAX_PASSAGES }, fake: { guildIds: [B] } });

beforeAll(async () => {
  parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-one-file-'));
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
const reloadIn = (guildId: string) => outcome(harness.fake.chatInput('reload', [], { guildId, member: moderator }));
const quoted = async (guildId: string, question: string) =>
  JSON.stringify(messageOf(await harness.callback(harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }], { guildId }))).embeds);

describe('finding 1: a front matter of 33,000 fields', () => {
  it('is refused at once with what to keep, and another server’s upload right after is added', async () => {
    const fields = Array.from({ length: 33_000 }, (_, i) => `k${i}: v\n`).join('');
    const refused = await add(A, 'fields.md', article('fields', 'Fields', 'Text.', fields));
    expect(refused.embeds![0]!.description).toMatch(
      /front matter is too long \(\d+ bytes; at most 16384\): keep only title, author, publisher, published, url and id there/,
    );
    expect((await add(B, 'small.md', article('small', 'Small', 'A small article about tidal mills.'))).content).toMatch(/^Added `small\.md`/);
  });
});

describe('finding 4: passages per server', () => {
  it('refuses an upload of one-letter paragraphs past SERVER_MAX_PASSAGES, saying what to do', async () => {
    const reply = await add(A, 'letters.md', article('letters', 'Letters', 'a\n\n'.repeat(MAX_PASSAGES + 1)));
    expect(reply.content).toBe(
      `Not added: a server’s own articles may make at most ${MAX_PASSAGES} passages (paragraphs, or parts of long ones) in all. This server’s make 0, and this file would add more than fit. Join short paragraphs together, remove an article with \`/corpus remove\`, or ask whoever runs the bot for a higher limit.`,
    );
    // Room left for the articles the tests below add.
    expect((await add(A, 'letters.md', article('letters', 'Letters', 'a\n\n'.repeat(MAX_PASSAGES - 10)))).content).toMatch(/^Added `letters\.md`/);
  });
});

describe('finding 5: a base file added later with a server article’s name and id', () => {
  it('freezes nothing: both are served, and every server’s changes still apply', async () => {
    expect((await add(A, 'x.md', article('x', 'Server x', 'The harbour crane was repainted blue in spring.'))).content).toMatch(/^Added `x\.md`/);
    await writeFile(path.join(corpusDir, 'x.md'), article('x', 'Base x', 'The old lighthouse lens was sent to a museum.'));
    const reload = await reloadIn(B);
    expect(reload.embeds![0]!.title).toBe('Corpus reloaded');
    expect(reload.embeds![0]!.description).toContain('Added: `x`');
    expect(await quoted(A, 'What colour was the harbour crane repainted?')).toContain('Server x');
    expect(await quoted(B, 'Where was the lighthouse lens sent?')).toContain('Base x');
    expect((await add(B, 'later.md', article('later', 'Later', 'Ferries resumed after the storm.'))).content).toMatch(/^Added `later\.md`/);
  });
});

describe('a server article and a base one with the same id', () => {
  it('are each listed by that server’s /sources with their own passage count', async () => {
    expect((await add(A, 'twin.md', article('twin', 'Server twin', 'The tram depot opened a museum.'))).content).toMatch(/^Added `twin\.md`/);
    await writeFile(
      path.join(corpusDir, 'twin.md'),
      article('twin', 'Base twin', 'The canal froze in January.\n\nSkaters crossed it for a week.\n\nThe thaw came in March.'),
    );
    expect((await reloadIn(A)).embeds![0]!.title).toBe('Corpus reloaded');
    const fields = messageOf(await harness.callback(harness.fake.chatInput('sources', [], { guildId: A }))).embeds![0]!.fields!;
    const passagesOf = (title: string) => fields.find((field) => field.name === title)?.value.match(/· (\d+) passages/)?.[1];
    expect([passagesOf('Server twin'), passagesOf('Base twin')]).toEqual(['1', '3']);
  });
});

describe('finding 6: an article deleted while the bot is stopped, with a broken file beside it', () => {
  it('is no longer quoted after the restart, nor after /reload', async () => {
    expect((await add(A, 'gone.md', article('gone', 'Gone article', 'The zeppelin hangar was demolished in winter.'))).content).toMatch(/^Added `gone\.md`/);
    await harness.stop();
    await unlink(path.join(corpusDir, 'servers', A, 'gone.md'));
    await writeFile(path.join(corpusDir, 'broken.md'), 'no front matter\n');
    harness = await start();
    await harness.engine.upToDate;
    expect(await quoted(A, 'When was the zeppelin hangar demolished?')).not.toContain('Gone article');
    const reload = await reloadIn(A);
    expect(reload.embeds![0]!.description).toContain('broken.md:1');
    expect(await quoted(A, 'When was the zeppelin hangar demolished?')).not.toContain('Gone article');
  });
});

describe('requests', () => {
  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});
