/**
 * What members see of an answer and what they can do with it, end to end against the fake
 * Discord: the answering sentence in bold, one link, sharing with the question, private
 * declines, 👍/👎 votes, and moderators' `/feedback`. Every body is validated against the spec.
 */
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedbackStore } from '../../src/feedback/feedbackStore.js';
import { DEFAULT_MEMBER_PERMISSIONS, Permissions, type SentInteraction } from '../fake-discord/index.js';
import { repoRoot } from '../support/discordSpec.js';
import { EPHEMERAL, messageOf, startBot, type BotHarness } from '../support/botHarness.js';

const STRING = 3;
const BOOLEAN = 5;
const BAIDU = 'Which search engine will Edge use in China?';
const BAIDU_SENTENCE =
  'Microsoft has also revealed this week that they have struck a partnership with Baidu, meaning the Chinese search engine will feature as the primary search engine on Microsoft’s Edge browser in China.';
const MEMBER = '1000000000000000042';
const OTHER_MEMBER = '1000000000000000043';
const MODERATOR = { permissions: DEFAULT_MEMBER_PERMISSIONS | Permissions.ManageGuild, userId: '1000000000000000044' };

/** An article whose text is full of Markdown characters, which the quote must show as written. */
const MARKDOWN_ARTICLE = `---
title: Harbour notes
author: A. Writer
publisher: Gazette
published: 2020-01-02
url: https://example.com/harbour
---

Footnotes with *asterisks*, __dunder__ and snake_case_names end here**. The harbour lighthouse keeper* retired after forty_years of ~~service~~.
`;

let harness: BotHarness;
type Message = ReturnType<typeof messageOf>;

const ask = (question: string, isPrivate = false, member: { userId?: string } = {}) =>
  harness.fake.chatInput(
    'ask',
    [{ name: 'question', type: STRING, value: question }, ...(isPrivate ? [{ name: 'private', type: BOOLEAN, value: true }] : [])],
    { member },
  );
const buttons = (message: Message) => message.components!.flatMap((row) => row.components);
const buttonWith = (message: Message, prefix: string) => buttons(message).find((button) => button.custom_id?.startsWith(prefix))!;

/** A click on a button of `message` (as the bot sent it), with the message Discord would attach. */
function click(message: Message, customId: string, options: { messageId?: string; member?: { userId?: string } } = {}): SentInteraction {
  return harness.fake.button(customId, {
    member: options.member,
    message: {
      ...(options.messageId && { id: options.messageId }),
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      flags: message.flags ?? 0,
    },
  });
}

/** Runs of `*` that are Markdown, not escaped characters. */
const unescapedStars = (markdown: string) => markdown.replace(/\\[\s\S]/g, 'x').match(/\*+/g) ?? [];

beforeAll(async () => {
  const corpusDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-members-'));
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  await writeFile(path.join(corpusDir, 'harbour.md'), MARKDOWN_ARTICLE);
  harness = await startBot({ config: { corpusDir } });
});

afterAll(async () => {
  await harness?.stop();
});

describe('an answer members can scan', () => {
  it('shows the answering sentence in bold inside the verbatim quote, and links the title to that sentence', async () => {
    const message = messageOf(await harness.callback(ask(BAIDU)));
    const [embed] = message.embeds!;
    expect(embed!.description).toBe(`> **${BAIDU_SENTENCE}** In return, Baidu will make is simpler for users to upgrade to Microsoft’s new software.`);
    const fragment = embed!.url!.split('#:~:text=')[1]!.split(',').map(decodeURIComponent);
    expect(fragment).toEqual(['Microsoft has also revealed', 'Edge browser in China.']);
    // One link: the title's. No button repeats it.
    expect(buttons(message).filter((button) => button.url !== undefined)).toEqual([]);
  });

  it('escapes the quote’s own Markdown, so it reads as written and the bold stays bold', async () => {
    const message = messageOf(await harness.callback(ask('When did the harbour lighthouse keeper retire?')));
    const description = message.embeds![0]!.description!;
    expect(description).toBe(
      '> Footnotes with \\*asterisks\\*, \\_\\_dunder\\_\\_ and snake\\_case\\_names end here\\*\\*. **The harbour lighthouse keeper\\* retired after forty\\_years of \\~\\~service\\~\\~.**',
    );
    expect(unescapedStars(description)).toEqual(['**', '**']);
  });

  it('answers a declined public question privately, saying why', async () => {
    const sent = ask('What is the capital of France?');
    const message = messageOf(await harness.callback(sent));
    expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(message.embeds![0]!.title).toBe('The article doesn’t say that.');
    expect(message.embeds![0]!.footer!.text).toBe('Shown only to you: there was nothing to quote to the channel.');
    // Asked privately, the footer has nothing to add.
    expect(messageOf(await harness.callback(ask('What is the capital of France?', true))).embeds![0]!.footer).toBeUndefined();
  });

  it('shares a private answer with its question, as the member saw it', async () => {
    const question = '@everyone *Which* search_engine will Edge use in China? <@&123456789012345678>';
    const answer = messageOf(await harness.callback(ask(question, true)));
    expect(answer.flags! & EPHEMERAL).toBe(EPHEMERAL);
    const shared = messageOf(await harness.callback(click(answer, buttonWith(answer, 'ask:share:').custom_id!)));
    expect(shared.flags ?? 0).toBe(0);
    expect(shared.allowed_mentions).toEqual({ parse: [] });
    expect(shared.content).toBe(`<@${MEMBER}> shared:\n${answer.content}`);
    expect(shared.content).toContain('**Q:** @\u200beveryone \\*Which\\* search\\_engine will Edge use in China? \\<@&123456789012345678\\>');
    expect(shared.embeds).toEqual(answer.embeds);
    // Public now: a follow-up and votes, but no second "Share"; a vote there is counted against the shared question.
    expect(buttons(shared).map((button) => button.emoji?.name ?? button.label)).toEqual(['Follow up', '👍', '👎']);
    const vote = messageOf(await harness.callback(click(shared, buttonWith(shared, 'ask:vote:up:').custom_id!, { member: { userId: OTHER_MEMBER } })));
    expect(vote.content).toMatch(/^Thanks: your 👍 is counted/);
    await harness.bot.feedback.flush();
    const records = await new FeedbackStore({ dir: path.join(harness.config.cacheDir, 'feedback') }).read(new Date(0));
    expect(records.at(-1)).toMatchObject({ question, outcome: 'up', passageId: 'microsoft-china-partnerships:5' });
  });

  it('re-checks the question it reads back from the message, echoing it escaped', async () => {
    const answer = messageOf(await harness.callback(ask(BAIDU, true)));
    const forged = { ...answer, content: '**Q:** <@&123456789012345678> [Free Nitro](https://evil.example) Which search engine will Edge use?' };
    const shared = messageOf(await harness.callback(click(forged, buttonWith(answer, 'ask:share:').custom_id!)));
    expect(shared.content).toBe(
      `<@${MEMBER}> shared:\n**Q:** \\<@&123456789012345678\\> \\[Free Nitro\\]\\(<https://evil.example)> Which search engine will Edge use?`,
    );
    const unreadable = messageOf(
      await harness.callback(click({ ...answer, content: `**Q:** ${'why '.repeat(200)}` }, buttonWith(answer, 'ask:share:').custom_id!)),
    );
    expect(unreadable.content).toBe(`<@${MEMBER}> shared:`);
    expect(unreadable.embeds![0]!.description).toContain('Baidu');
  });
});

describe('feedback', () => {
  it('takes one 👍/👎 per member and answer, from any member', async () => {
    const answer = messageOf(await harness.callback(ask('Who is Microsoft’s China cloud partner?')));
    const [up, down] = [buttonWith(answer, 'ask:vote:up:'), buttonWith(answer, 'ask:vote:down:')];
    expect(up.custom_id).toMatch(/^ask:vote:up:microsoft-china-partnerships:6~[\w-]{6}$/);
    expect(up.custom_id!.length).toBeLessThanOrEqual(100);
    const messageId = '1300000000000000001';

    const first = messageOf(await harness.callback(click(answer, up.custom_id!, { messageId })));
    expect(first.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(first.content).toMatch(/^Thanks: your 👍 is counted/);
    const again = messageOf(await harness.callback(click(answer, down.custom_id!, { messageId })));
    expect(again.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(again.content).toBe('You have already voted on this answer: one vote per answer.');
    const other = messageOf(await harness.callback(click(answer, down.custom_id!, { messageId, member: { userId: OTHER_MEMBER } })));
    expect(other.content).toMatch(/^Thanks: your 👎 is counted/);

    await harness.bot.feedback.flush();
    const votes = (await new FeedbackStore({ dir: path.join(harness.config.cacheDir, 'feedback') }).read(new Date(0))).filter(
      (record) => record.question === 'Who is Microsoft’s China cloud partner?' && (record.outcome === 'up' || record.outcome === 'down'),
    );
    expect(votes).toEqual([
      {
        time: expect.any(String),
        guildId: harness.fake.guildId,
        question: 'Who is Microsoft’s China cloud partner?',
        passageId: 'microsoft-china-partnerships:6',
        outcome: 'up',
      },
      {
        time: expect.any(String),
        guildId: harness.fake.guildId,
        question: 'Who is Microsoft’s China cloud partner?',
        passageId: 'microsoft-china-partnerships:6',
        outcome: 'down',
      },
    ]);
  });

  it('shows a moderator this server’s last week: counts, votes and the questions that failed most', async () => {
    // Another server's feedback, in the same folder, is not shown.
    await new FeedbackStore({ dir: path.join(harness.config.cacheDir, 'feedback') }).append({
      time: new Date().toISOString(),
      guildId: '1150000000000000009',
      question: 'A question from elsewhere',
      outcome: 'declined',
    });
    for (let i = 0; i < 3; i++) await harness.callback(ask('What is the *population* of Mars?'));
    await harness.callback(harness.fake.messageContextMenu('Ask the article', { content: 'How do penguins survive the winter?' }));
    for (const question of ['Who won the 1998 World Cup?', 'How tall is Mount Everest?']) await harness.callback(ask(question));

    const sent = harness.fake.chatInput('feedback', [], { member: MODERATOR });
    expect((await harness.callback(sent)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    const report = messageOf(await harness.webhook(sent, (request) => request.method === 'PATCH'));
    const [embed] = report.embeds!;
    const lines = embed!.description!.split('\n');
    const records = (await new FeedbackStore({ dir: path.join(harness.config.cacheDir, 'feedback') }).read(new Date(0))).filter(
      (record) => record.guildId === harness.fake.guildId,
    );
    const count = (outcome: string) => records.filter((record) => record.outcome === outcome).length;
    expect(lines[0]).toBe(
      `${count('answered') + count('declined')} questions in the last 7 days: ${count('answered')} answered, ${count('declined')} declined.`,
    );
    expect(lines[1]).toBe(`Votes on answers: 👍 ${count('up')} · 👎 ${count('down')}`);
    expect([count('up'), count('down')]).toEqual([2, 1]);
    expect(count('declined')).toBeGreaterThanOrEqual(5);
    expect(lines).toContain('Most down-voted or declined:');
    expect(lines.find((line) => line.startsWith('1. '))).toBe('1. “What is the \\*population\\* of Mars?” (declined 3×)');
    expect(lines.some((line) => line.includes('penguins'))).toBe(true);
    expect(lines.filter((line) => /^\d\. /.test(line))).toHaveLength(5);
    expect(embed!.description).not.toContain('elsewhere');
  });

  it('refuses /feedback to a member who is not a moderator', async () => {
    const message = messageOf(await harness.callback(harness.fake.chatInput('feedback', [], { member: { permissions: DEFAULT_MEMBER_PERMISSIONS } })));
    expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(message.content).toMatch(/Only moderators/);
    expect(message.embeds ?? []).toEqual([]);
  });

  it('refuses a forged vote button politely', async () => {
    const answer = messageOf(await harness.callback(ask(BAIDU)));
    const reply = messageOf(await harness.callback(click(answer, 'ask:vote:sideways:microsoft-china-partnerships:5~abcdef')));
    expect(reply.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toMatch(/no longer does anything/);
  });

  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});
