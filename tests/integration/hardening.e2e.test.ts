/**
 * Forged and spoofing input, end to end against the fake Discord: button ids that name
 * Object.prototype members, and questions and articles carrying bidirectional controls.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../fake-discord/index.js';
import { EPHEMERAL, messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { repoRoot } from '../support/discordSpec.js';
import { SPOOFING, shownLines } from '../support/shownText.js';

const STRING = 3;
const SUBCOMMAND = 1;
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** The fake's first guild, whose own article this is. */
const GUILD = '1150000000000000000';
/**
 * A server's own article whose title, author and publisher carry controls (YAML's escapes in
 * double quotes): U+202E would show "gnp.exe" as "exe.png", and a bell, NUL or line break has no
 * place in one line.
 */
const SPOOFED = `---
id: ferry
title: "Ferry timetable \\u202Egnp.exe\\u2066 notes\\u0007"
author: "Ann\\u200F Writer\\u0000"
publisher: "Island\\nGazette\\u061C"
published: 2021-03-04
url: https://example.com/ferry
---

The ferry to the island leaves the harbour at dawn, and tickets are sold on board.
`;

let harness: BotHarness;
let parentDir: string;

beforeAll(async () => {
  parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-hardening-'));
  const corpusDir = path.join(parentDir, 'corpus');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  await mkdir(path.join(corpusDir, 'servers', GUILD), { recursive: true });
  await writeFile(path.join(corpusDir, 'servers', GUILD, 'ferry.md'), SPOOFED);
  harness = await startBot({ config: { corpusDir, cacheDir: path.join(parentDir, 'cache') } });
});

afterAll(async () => {
  await harness?.stop();
  if (parentDir) await rm(parentDir, { recursive: true, force: true });
});

describe('a forged button id', () => {
  it.each(['ask:constructor:x', 'ask:toString:x', 'ask:__proto__:x', 'ask:hasOwnProperty:x', 'constructor:more:x'])(
    '%s is refused as a button that does nothing',
    async (customId) => {
      const sent = harness.fake.button(customId);
      const message = messageOf(await harness.callback(sent));
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(message.content).toBe('That button no longer does anything. Run the command again.');
      const logged = () => harness.logs.find((line) => line.msg === 'interaction' && line.interactionId === sent.id);
      await expect.poll(logged).toBeDefined();
      expect(logged()).toMatchObject({ outcome: 'unknown-button' });
    },
  );
});

describe('an echoed question', () => {
  it('loses its bidirectional controls, so it cannot reorder the line it is shown in', async () => {
    // U+202E would show "?anihC ni esu egdE lliw" reversed, and whatever follows it on the line.
    const question = 'Which search engine will \u202eEdge use in China?\u2066\u200f';
    const message = messageOf(await harness.callback(harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }])));
    expect(message.content).toContain('Which search engine will Edge use in China?');
    expect(message.content).not.toMatch(BIDI_CONTROLS);
  });
});

describe('an article’s title, author and publisher', () => {
  const reply = async (sent: ReturnType<BotHarness['fake']['chatInput']>) => messageOf(await harness.callback(sent));
  const command = (name: string, value?: string) =>
    harness.fake.chatInput(name, value === undefined ? [] : [{ name: name === 'ask' ? 'question' : 'query', type: STRING, value }]);

  it('are shown without bidirectional or other control characters wherever the bot shows them', async () => {
    const shown = [
      await reply(command('sources')),
      await reply(command('ask', 'When does the ferry leave the harbour?')),
      await reply(command('ask', 'Tell me about whales')),
      await reply(command('search', 'ferry harbour')),
      await reply(harness.fake.autocomplete('search', [{ name: 'query', type: STRING, value: 'ferry', focused: true }])),
      await reply(
        harness.fake.autocomplete(
          'corpus',
          [{ name: 'remove', type: SUBCOMMAND, options: [{ name: 'document', type: STRING, value: 'ferry', focused: true }] }],
          { member: { userId: '1000000000000000077', permissions: Permissions.ManageGuild } },
        ),
      ),
    ];
    const text = JSON.stringify(shown);
    expect(text).toContain('Ferry timetable gnp.exe notes');
    expect(text).toContain('Ann Writer');
    expect(text).toContain('Island Gazette');
    for (const line of shownLines(shown)) expect(line).not.toMatch(SPOOFING);
  });
});

describe('requests', () => {
  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});
