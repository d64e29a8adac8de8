/**
 * Files an attacker or a careless moderator could put in the corpus (inputs that made v1's text
 * processing quadratic: a heading line padded with spaces, an abbreviation-heavy paragraph, an
 * unclosed code fence, long runs without spaces or punctuation), all in one reload: every /ask
 * sent meanwhile still gets its first response within Discord's 3 s, and the reload applies.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_MEMBER_PERMISSIONS, Permissions, type SentInteraction } from '../fake-discord/index.js';
import { repoRoot } from '../support/discordSpec.js';
import { messageOf, startBot, type BotHarness } from '../support/botHarness.js';

const STRING = 3;
const DEADLINE_MS = 3_000;
const front = (title: string) =>
  `---\ntitle: ${title}\nauthor: A\npublisher: P\npublished: 2020-01-01\nurl: https://example.com/${encodeURIComponent(title)}\n---\n\n`;
/** Just under the corpus's 1 MiB file limit, front matter included. */
const NEAR_LIMIT = 1024 * 1024 - 1024;

/** The pathological bodies, each as large as the corpus accepts or as was found to stall v1. */
const FILES: Record<string, string> = {
  'padded-heading.md': `${front('Padded heading')}# x${' '.repeat(48 * 1024)}y\n\nA paragraph under it.\n`,
  'abbreviations.md': `${front('Abbreviations')}${'Mr. A. B. e.g. U.S. '.repeat(Math.floor((200 * 1024) / 20))}\n`,
  'unclosed-fence.md': `${front('Unclosed fence')}\`\`\`\n${'let x = 1; '.repeat(Math.floor(NEAR_LIMIT / 11))}\n`,
  'chinese.md': `${front('Chinese run')}${'微软与百度合作中国搜索引擎'.repeat(Math.floor((150 * 1024) / 13 / 3))}\n`,
  'no-spaces.md': `${front('No spaces')}${'abcdefghij'.repeat(20 * 1024)}\n`,
};

let harness: BotHarness;
let corpusDir: string;

beforeAll(async () => {
  corpusDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-pathological-'));
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  harness = await startBot({ config: { corpusDir } });
});

afterAll(async () => {
  await harness?.stop();
  if (corpusDir) await rm(corpusDir, { recursive: true, force: true });
});

it('answers every question within 3 s while a reload reads every pathological file at once, then applies it', async () => {
  for (const [file, text] of Object.entries(FILES)) await writeFile(path.join(corpusDir, file), text);
  const reload = harness.fake.chatInput('reload', [], { member: { permissions: DEFAULT_MEMBER_PERMISSIONS | Permissions.ManageGuild } });
  expect((await harness.callback(reload)).body).toMatchObject({ type: 5 });
  let reloadDone = false;
  const edit = harness.webhook(reload, (request) => request.method === 'PATCH').finally(() => (reloadDone = true));

  const sent: SentInteraction[] = [];
  while (!reloadDone || sent.length < 10) {
    sent.push(harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: 'Which search engine will Edge use in China?' }]));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const latencies = await Promise.all(sent.map(async (interaction) => (await harness.callback(interaction)).receivedAt - interaction.sentAt));
  expect(Math.max(...latencies)).toBeLessThan(DEADLINE_MS);

  const report = messageOf(await edit).embeds![0]!;
  expect(report.title).toBe('Corpus reloaded');
  expect(report.description).toMatch(/^6 article\(s\)/);
  for (const title of ['Padded heading', 'Abbreviations', 'Unclosed fence', 'Chinese run', 'No spaces']) {
    expect((await harness.engine.findDocuments(title, 1)).map((document) => document.title)).toEqual([title]);
  }
});
