/**
 * The *Follow up* button, end to end over both transports: it opens a form at once (validated
 * against Discord's spec), and the question submitted is answered with the answer it follows as
 * context, which the engine worker is shown to receive intact (its requests are logged by
 * tests/support/recordingEngineWorker.ts; nothing is mocked).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import type { RecordedRequest, SentInteraction } from '../fake-discord/index.js';
import { EPHEMERAL, TRANSPORTS, messageOf, startBot, startHarness, type Harness } from '../support/botHarness.js';
import { repoRoot } from '../support/discordSpec.js';

const RECORDING_WORKER = new URL('../support/recordingEngineWorker.ts', import.meta.url);
const STRING = 3;
const BOOLEAN = 5;
const BAIDU = 'Which search engine will Edge use in China?';
const CISCO = 'And who did Cisco partner with?';
const PREFIX = 'ask:followup:';

type Message = ReturnType<typeof messageOf>;
const buttons = (message: Message) => message.components?.flatMap((row) => row.components) ?? [];
const followUpOf = (message: Message) => buttons(message).find((button) => button.custom_id?.startsWith(PREFIX));

describe.each(TRANSPORTS)('the Follow up button over the %s', (transport) => {
  let harness: Harness;
  let member = 0;
  /** A member of their own per question, so the cooldown never meets a test's own earlier question. */
  const nextMember = () => ({ userId: String(1000000000000000100n + BigInt(++member)) });

  const ask = (question: string, options: { isPrivate?: boolean; thread?: boolean } = {}) =>
    harness.fake.chatInput(
      'ask',
      [{ name: 'question', type: STRING, value: question }, ...(options.isPrivate ? [{ name: 'private', type: BOOLEAN, value: true }] : [])],
      {
        member: nextMember(),
        thread: options.thread,
      },
    );

  /** The message a question or form got: the first response, or the answer after an endpoint's holding deferral. */
  async function answerTo(sent: SentInteraction): Promise<Message> {
    const callback = await harness.callback(sent);
    if ((callback.body as { type: number }).type !== 5) return messageOf(callback);
    return messageOf(await harness.webhook(sent, (request) => request.method === 'PATCH' || request.method === 'POST'));
  }

  /** Clicks *Follow up* on `message` (as the bot sent it, in `sentIn`'s channel) and returns the click, once the form is shown. */
  async function openForm(
    message: Message,
    sentIn: SentInteraction,
    customId = followUpOf(message)!.custom_id!,
  ): Promise<{ click: SentInteraction; form: RecordedRequest }> {
    const click = harness.fake.button(customId, {
      member: nextMember(),
      thread: sentIn.payload.channel_id !== harness.fake.channelId,
      message: { content: message.content, embeds: message.embeds, components: message.components, flags: message.flags ?? 0 },
    });
    return { click, form: await harness.callback(click) };
  }

  /** The options the engine worker was given with each time `question` was asked. */
  const engineAsked = (question: string) =>
    harness.logs
      .filter((line) => line.msg === 'engine asked')
      .map((line) => line.args as [string, Record<string, unknown>])
      .filter(([asked]) => asked === question)
      .map(([, options]) => options);

  beforeAll(async () => {
    harness = await startHarness(transport, { engine: { workerUrl: RECORDING_WORKER } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('asks the engine once per interaction: a declined question, an answer, its whole paragraph, sharing it', async () => {
    const requests = () => harness.logs.filter((line) => line.msg === 'engine request').map((line) => line.kind);
    /** The engine requests `sent` made, once it has been answered (after a deferral, by its follow-up or edit). */
    const requestsOf = async (sent: SentInteraction) => {
      const before = requests().length;
      const callback = await harness.callback(sent);
      if ([5, 6].includes((callback.body as { type: number }).type))
        await harness.webhook(sent, (request) => request.method === 'PATCH' || request.method === 'POST');
      return requests().slice(before);
    };
    expect(await requestsOf(ask('Which volcano erupted on Tuesday?'))).toEqual(['answer']);
    const answer = await answerTo(ask('Who is Microsoft partnering with in China?', { isPrivate: true }));
    // The quoted passage's reference, as its buttons carry it (a short paragraph has no *Full paragraph* button: the handler is the same).
    const ref = buttons(answer)
      .find((button) => button.custom_id?.startsWith('ask:share:'))!
      .custom_id!.slice('ask:share:'.length);
    const click = (action: string) =>
      harness.fake.button(
        action === 'more' ? buttons(answer).find((button) => button.custom_id?.startsWith('ask:more:'))!.custom_id! : `ask:${action}:${ref}`,
        {
          member: nextMember(),
          message: { content: answer.content, embeds: answer.embeds, components: answer.components, flags: answer.flags ?? 0 },
        },
      );
    expect(await requestsOf(click('paragraph'))).toEqual(['paragraph']);
    expect(await requestsOf(click('more'))).toEqual(['passages']);
    expect(await requestsOf(click('share'))).toEqual(['share']);
  });

  it('opens a form at once, and answers the follow-up with the previous question and passages as context; follow-ups chain', async () => {
    const asked = ask(BAIDU);
    const answer = await answerTo(asked);
    const button = followUpOf(answer);
    expect(button).toMatchObject({ label: 'Follow up', custom_id: expect.stringMatching(/^ask:followup:microsoft-china-partnerships:5~[\w-]{6}(\|[^|]+)*$/) });
    const refs = button!.custom_id!.slice(PREFIX.length).split('|');
    expect(buttons(answer).length).toBeLessThanOrEqual(2 * 5);
    for (const row of answer.components!) expect(row.components.length).toBeLessThanOrEqual(5);

    const { click, form } = await openForm(answer, asked);
    expect(form.body).toEqual({
      type: 9,
      data: {
        custom_id: button!.custom_id,
        title: 'Follow up',
        components: [
          {
            type: 18,
            label: 'Your follow-up question',
            component: { type: 4, custom_id: 'question', style: 2, min_length: 2, max_length: 300, required: true, placeholder: expect.any(String) },
          },
        ],
      },
    });
    // The form is the first response, sent without waiting on the engine.
    expect(form.receivedAt - click.sentAt).toBeLessThan(3000);

    const submitted = harness.fake.submitModal(click, { question: CISCO });
    const reply = await answerTo(submitted);
    expect(reply.content!.split('\n')[0]).toBe(`**Q:** ${CISCO}`);
    expect(reply.flags ?? 0).toBe(0);
    expect(reply.embeds![0]!.description).toContain('Inspur');
    expect(engineAsked(CISCO)).toEqual([{ top: 4, scope: harness.fake.guildId, previous: { question: BAIDU, passageRefs: refs } }]);

    // A follow-up of the follow-up carries the follow-up's question.
    const next = await openForm(reply, submitted);
    await answerTo(harness.fake.submitModal(next.click, { question: 'What else did they do?' }));
    expect(engineAsked('What else did they do?')).toEqual([
      { top: 4, scope: harness.fake.guildId, previous: { question: CISCO, passageRefs: followUpOf(reply)!.custom_id!.slice(PREFIX.length).split('|') } },
    ]);
  });

  it('keeps a private answer’s follow-up private', async () => {
    const asked = ask(BAIDU, { isPrivate: true });
    const answer = await answerTo(asked);
    expect(answer.flags! & EPHEMERAL).toBe(EPHEMERAL);
    const { click } = await openForm(answer, asked);
    const reply = await answerTo(harness.fake.submitModal(click, { question: 'Who did Microsoft partner with for the cloud?' }));
    expect(reply.content!.split('\n')[0]).toBe('**Q:** Who did Microsoft partner with for the cloud?');
    expect(reply.flags! & EPHEMERAL).toBe(EPHEMERAL);
  });

  it('offers a follow-up on a decline that shows related passages, carrying them', async () => {
    const declined = 'why has beijing poured money into domestic operating systems';
    const asked = ask(declined);
    const decline = await answerTo(asked);
    expect(decline.embeds![0]!.title).toBe('The article doesn’t say that.');
    const refs = followUpOf(decline)!.custom_id!.slice(PREFIX.length).split('|');
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(decline.embeds![0]!.description).toContain(`paragraph ${ref.split(':').at(-1)!.split('~')[0]}`);
    const { click } = await openForm(decline, asked);
    await answerTo(harness.fake.submitModal(click, { question: 'Which operating systems?' }));
    expect(engineAsked('Which operating systems?')).toEqual([{ top: 4, scope: harness.fake.guildId, previous: { question: declined, passageRefs: refs } }]);
  });

  it('answers a follow-up on its own when the message has no question to follow', async () => {
    const click = harness.fake.button(`${PREFIX}microsoft-china-partnerships:5~abcdef`, { member: nextMember() });
    expect((await harness.callback(click)).body).toMatchObject({ type: 9 });
    const reply = await answerTo(harness.fake.submitModal(click, { question: BAIDU }));
    expect(reply.content).toBe(`**Q:** ${BAIDU}`);
    expect(reply.embeds![0]!.description).toContain('Baidu');
    expect(engineAsked(BAIDU).at(-1)).toEqual({ top: 4, scope: harness.fake.guildId });
  });

  it('answers an empty or too-long follow-up with a short private message, without asking the engine', async () => {
    const asked = ask(BAIDU);
    const answer = await answerTo(asked);
    for (const [typed, expected] of [
      ['   ', 'The question is empty.'],
      ['why '.repeat(150), 'The question is too long (599 characters; at most 500).'],
    ] as const) {
      const { click } = await openForm(answer, asked);
      const reply = messageOf(await harness.callback(harness.fake.submitModal(click, { question: typed })));
      expect(reply).toMatchObject({ content: expected, flags: EPHEMERAL, allowed_mentions: { parse: [] } });
      expect(engineAsked(typed.trim())).toEqual([]);
    }
  });

  it('works in a thread', async () => {
    const asked = ask(BAIDU, { thread: true });
    expect(asked.payload.channel).toMatchObject({ type: 11, parent_id: harness.fake.channelId });
    const answer = await answerTo(asked);
    const { click } = await openForm(answer, asked);
    expect(click.payload.channel_id).toBe(asked.payload.channel_id);
    const submitted = harness.fake.submitModal(click, { question: 'And what about Cisco?' });
    expect(submitted.payload.channel_id).toBe(asked.payload.channel_id);
    const reply = await answerTo(submitted);
    expect(reply.content!.split('\n')[0]).toBe('**Q:** And what about Cisco?');
    expect(engineAsked('And what about Cisco?')).toEqual([
      { top: 4, scope: harness.fake.guildId, previous: { question: BAIDU, passageRefs: followUpOf(answer)!.custom_id!.slice(PREFIX.length).split('|') } },
    ]);
  });

  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});

describe('the follow-up form and the cooldown', () => {
  it('counts a submitted follow-up as a question: opening the form is allowed, asking too soon is not', async () => {
    const harness = await startBot({ config: { askCooldownSeconds: 60 } });
    try {
      const asked = harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: BAIDU }]);
      const answer = messageOf(await harness.callback(asked));
      const click = harness.fake.button(followUpOf(answer)!.custom_id!, { message: { content: answer.content, components: answer.components } });
      expect((await harness.callback(click)).body).toMatchObject({ type: 9 });
      const reply = messageOf(await harness.callback(harness.fake.submitModal(click, { question: CISCO })));
      expect(reply.content).toMatch(/^You’re asking quickly: try again <t:\d+:R>\.$/);
      expect(reply.flags).toBe(EPHEMERAL);
    } finally {
      await harness.stop();
    }
  });
});

describe('the engine view', () => {
  it('hands a follow-up’s context to the worker intact, with the scope', async () => {
    const logs: Array<{ object: Record<string, unknown>; message: string }> = [];
    const log = (object: object, message: string) => logs.push({ object: object as Record<string, unknown>, message });
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-follow-up-'));
    const engine = new Engine({ dir: path.join(repoRoot, 'corpus'), cacheDir, workerUrl: RECORDING_WORKER, logger: { info: log, warn: log, error: log } });
    try {
      await engine.ready;
      const previous = { question: BAIDU, passageRefs: ['microsoft-china-partnerships:5~abcdef', 'microsoft-china-partnerships:1~ABCDEF'] };
      await engine.view('1150000000000000000').answer(CISCO, { top: 2, previous });
      expect(logs.filter((line) => line.message === 'engine asked').map((line) => line.object.args)).toEqual([
        [CISCO, { top: 2, previous, scope: '1150000000000000000' }],
      ]);
    } finally {
      await engine.close();
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
