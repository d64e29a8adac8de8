/**
 * The bot end to end, over both transports: the real discord.js client over real sockets, and an
 * HTTP worker receiving signed POSTs, against a fake Discord. The same behaviour is expected of
 * both. Every body the bot sends is validated against Discord's OpenAPI description.
 */
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MEMBER_PERMISSIONS, Permissions } from '../fake-discord/index.js';
import { repoRoot } from '../support/discordSpec.js';
import { createLogger } from '../../src/runtime/logger.js';
import { serveOps } from '../../src/runtime/ops.js';
import { BOT_TOKEN, EPHEMERAL, TRANSPORTS, messageOf, startHarness, type Harness, type HttpHarness } from '../support/botHarness.js';

const STRING = 3;
const BOOLEAN = 5;
const MODERATOR_ROLE = '987654321098765432';
const BAIDU = 'Which search engine will Edge use in China?';

/** A second article whose one long paragraph is split into parts, so quotes get trimmed. */
function longArticle(): string {
  const sentences = Array.from({ length: 14 }, (_, i) =>
    i === 7
      ? 'The harbour authority confirmed that the lighthouse keeper retired after forty years of service.'
      : `Sentence number ${i + 1} talks about weather patterns, tides and the fishing fleet in general terms.`,
  );
  return `---\ntitle: Coastal town news\nauthor: A. Writer\npublisher: Gazette\npublished: 2020-01-02\nurl: https://example.com/coast\n---\n\n${sentences.join(' ')}\n\nA short second paragraph about the annual regatta.\n`;
}

describe.each(TRANSPORTS)('over the %s', (transport) => {
  let harness: Harness;
  const ask = (question: string, extra: Array<{ name: string; type: number; value: unknown }> = [], member = {}) =>
    harness.fake.chatInput('ask', [{ name: 'question', type: STRING, value: question }, ...extra], { member });

  beforeAll(async () => {
    const corpusDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-e2e-'));
    await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
    await writeFile(path.join(corpusDir, 'coastal-town.md'), longArticle());
    harness = await startHarness(transport, { config: { corpusDir, moderatorRoleIds: [MODERATOR_ROLE] }, fake: { roleIds: [MODERATOR_ROLE] } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  describe('/ask', () => {
    it('quotes the answering passage publicly, with attribution, link and buttons', async () => {
      const sent = ask(BAIDU);
      const callback = await harness.callback(sent);
      expect((callback.body as { type: number }).type).toBe(4);
      const message = messageOf(callback);
      expect(message.flags ?? 0).toBe(0);
      expect(message.allowed_mentions).toEqual({ parse: [] });
      expect(message.content).toContain('Which search engine will Edge use in China?');
      const [embed] = message.embeds!;
      expect(embed!.description).toContain('the Chinese search engine will feature as the primary search engine on Microsoft’s Edge browser');
      expect(embed!.description!.startsWith('> ')).toBe(true);
      expect(embed!.title).toBe('Microsoft reveals list of partnerships with Chinese state and private sector');
      expect(embed!.footer!.text).toBe('Cate Cadell · TechNode · 2015-09-25 · paragraph 5');
      expect(embed!.url).toMatch(
        /^https:\/\/technode\.com\/2015\/09\/25\/microsoft-reveals-list-of-partnerships-with-chinese-state-and-private-sector\/#:~:text=/,
      );
      const buttons = message.components!.flatMap((row) => row.components);
      // The title is the answer's one link: no button repeats it.
      expect(buttons.some((button) => button.url !== undefined)).toBe(false);
      expect(buttons.some((button) => button.custom_id?.startsWith('ask:share:'))).toBe(false);
      expect(callback.receivedAt - sent.sentAt).toBeLessThan(3000);
    });

    it('answers privately with private:true, and "Share to channel" posts it publicly', async () => {
      const sent = ask(BAIDU, [{ name: 'private', type: BOOLEAN, value: true }]);
      const message = messageOf(await harness.callback(sent));
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      const share = message.components!.flatMap((row) => row.components).find((button) => button.custom_id?.startsWith('ask:share:'));
      expect(share?.custom_id).toMatch(/^ask:share:microsoft-china-partnerships:5~[\w-]{6}$/);

      const shared = messageOf(await harness.callback(harness.fake.button(share!.custom_id!)));
      expect(shared.flags ?? 0).toBe(0);
      expect(shared.content).toMatch(/^<@\d+> shared:$/);
      expect(shared.embeds![0]!.description).toContain('Baidu');
      expect(shared.allowed_mentions).toEqual({ parse: [] });
    });

    it('offers more passages through a stateless button', async () => {
      const message = messageOf(
        await harness.callback(ask('partnership with state-backed chip-maker Tsinghua Unigroup and China Electronics Technology Group')),
      );
      const more = message.components!.flatMap((row) => row.components).find((button) => button.custom_id?.startsWith('ask:more:'));
      expect(more).toBeDefined();
      const expected = more!.custom_id!.slice('ask:more:'.length).split('|');
      const reply = messageOf(await harness.callback(harness.fake.button(more!.custom_id!)));
      expect(reply.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(reply.embeds).toHaveLength(expected.length);
      for (const [index, ref] of expected.entries()) expect(reply.embeds![index]!.footer!.text).toContain(`paragraph ${ref.split(':').at(-1)!.split('~')[0]}`);
    });

    it('trims a long passage to its relevant sentences and offers the full paragraph', async () => {
      const message = messageOf(await harness.callback(ask('When did the lighthouse keeper retire?')));
      const description = message.embeds![0]!.description!;
      expect(description).toContain('the lighthouse keeper retired after forty years of service.');
      expect(description).toMatch(/^> … |…$/);
      expect(message.embeds![0]!.footer!.text).toMatch(/^A\. Writer · Gazette · 2020-01-02 · paragraph 1 \(part \d of 2\)$/);
      const full = message.components!.flatMap((row) => row.components).find((button) => button.label === 'Full paragraph');
      const reply = messageOf(await harness.callback(harness.fake.button(full!.custom_id!)));
      expect(reply.embeds).toHaveLength(2);
      expect(reply.embeds!.map((embed) => embed.footer!.text)).toEqual([
        'A. Writer · Gazette · 2020-01-02 · paragraph 1 (part 1 of 2)',
        'A. Writer · Gazette · 2020-01-02 · paragraph 1 (part 2 of 2)',
      ]);
    });

    it('says plainly when the article does not answer, with hints', async () => {
      const message = messageOf(await harness.callback(ask('What is the capital of France?')));
      expect(message.embeds![0]!.title).toBe('The article doesn’t say that.');
      expect(message.embeds![0]!.description).toContain('/sources');
      expect(message.components ?? []).toEqual([]);
    });

    it('declines a question it can’t confirm, showing related passages only as such, and for an unrelated one no corpus text', async () => {
      const message = messageOf(await harness.callback(ask('why has beijing poured money into domestic operating systems')));
      const [embed] = message.embeds!;
      expect(embed!.title).toBe('The article doesn’t say that.');
      expect(embed!.description).toContain('Related passages, which may not answer it:');
      expect(embed!.description).toContain('paragraph 3](https://technode.com/');
      // The sentence of paragraph 3 its link highlights.
      expect(embed!.description).toMatch(
        /paragraph 3\]\(https:\/\/technode\.com\/[^)]*\) — (China’s government has invested heavily|They have worked on at least four)/,
      );
      expect(embed!.footer!.text).toMatch(/^Shown only to you/);
      const unrelated = messageOf(await harness.callback(ask('What is the capital of France?'))).embeds![0]!.description!;
      expect(unrelated).not.toContain('Related passages');
      expect(unrelated).not.toContain('China’s government');
      expect(unrelated).toContain(
        'The articles are about: “Coastal town news”; “Microsoft reveals list of partnerships with Chinese state and private sector”.',
      );
    });

    it('neither pings nor renders mentions echoed from the question', async () => {
      const message = messageOf(await harness.callback(ask('@everyone <@&123456789012345678> @here who is Microsoft’s cloud partner?')));
      expect(message.allowed_mentions).toEqual({ parse: [] });
      expect(message.content).not.toMatch(/@everyone|@here|<@&\d+>/);
      expect(message.content).toContain('@\u200beveryone');
    });

    it('refuses a 6000-character question with a short private message', async () => {
      const message = messageOf(await harness.callback(ask('why '.repeat(1500))));
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(message.content).toMatch(/too long/);
      expect(message.content!.length).toBeLessThan(200);
    });

    it('answers a stale button (passage gone) with a short private note', async () => {
      const message = messageOf(await harness.callback(harness.fake.button('ask:more:no-such-document:42~abcdef')));
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(message.content).toMatch(/no longer in the corpus/);
    });
  });

  describe('"Ask the article" message command', () => {
    it('answers the target message as a question, privately', async () => {
      const message = messageOf(await harness.callback(harness.fake.messageContextMenu('Ask the article', { content: BAIDU })));
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(message.embeds![0]!.footer!.text).toContain('paragraph 5');
    });

    it('explains when the message has no text', async () => {
      const message = messageOf(await harness.callback(harness.fake.messageContextMenu('Ask the article', { content: '' })));
      expect(message.content).toMatch(/no text/);
    });
  });

  describe('/search', () => {
    it('suggests matching passages as the user types, within Discord limits and fast', async () => {
      const sent = harness.fake.autocomplete('search', [{ name: 'query', type: STRING, value: 'Tsingh', focused: true }]);
      const callback = await harness.callback(sent);
      expect((callback.body as { type: number }).type).toBe(8);
      const { choices } = messageOf(callback);
      expect(choices!.length).toBeGreaterThan(0);
      expect(choices!.length).toBeLessThanOrEqual(25);
      expect(choices![0]!.value).toMatch(/^microsoft-china-partnerships:6~[\w-]{6}$/);
      for (const choice of choices!) {
        expect(choice.name.length).toBeLessThanOrEqual(100);
        expect(choice.value.length).toBeLessThanOrEqual(100);
      }
      expect(callback.receivedAt - sent.sentAt).toBeLessThan(1000);
    });

    it('caps an empty query at 25 choices', async () => {
      const { choices } = messageOf(await harness.callback(harness.fake.autocomplete('search', [{ name: 'query', type: STRING, value: '', focused: true }])));
      expect(choices!.length).toBe(Math.min(25, harness.engine.stats().passages));
    });

    it('shows the chosen passage', async () => {
      const { choices } = messageOf(
        await harness.callback(harness.fake.autocomplete('search', [{ name: 'query', type: STRING, value: 'Ubuntu Kylin', focused: true }])),
      );
      const message = messageOf(await harness.callback(harness.fake.chatInput('search', [{ name: 'query', type: STRING, value: choices![0]!.value }])));
      expect(message.embeds![0]!.description).toContain('Ubuntu Kylin');
      expect(message.embeds![0]!.footer!.text).toContain('paragraph 3');
    });

    it('lists the top passages for free text, compactly with links', async () => {
      const message = messageOf(await harness.callback(harness.fake.chatInput('search', [{ name: 'query', type: STRING, value: 'operating systems' }])));
      const lines = message.embeds![0]!.description!.split('\n');
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThanOrEqual(5);
      expect(lines[0]).toMatch(/^\*\*1\.\*\* \[.+, ¶\d+\]\(https:\/\/technode\.com\/.+\) — /);
    });

    it('says so when nothing matches', async () => {
      const message = messageOf(await harness.callback(harness.fake.chatInput('search', [{ name: 'query', type: STRING, value: 'zzqxv' }])));
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(message.content).toMatch(/No passage matches/);
    });
  });

  describe('/sources and /help', () => {
    it('lists every article with its attribution and passage count', async () => {
      const message = messageOf(await harness.callback(harness.fake.chatInput('sources')));
      const fields = message.embeds![0]!.fields!;
      expect(message.embeds![0]!.title).toBe('Sources (2 articles)');
      const article = fields.find((field) => field.name.startsWith('Microsoft reveals'));
      expect(article!.value).toContain('Cate Cadell · TechNode · 2015-09-25 · 10 passages');
      expect(article!.value).toContain('https://technode.com/');
    });

    it('explains the commands privately', async () => {
      const message = messageOf(await harness.callback(harness.fake.chatInput('help')));
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      for (const command of ['/ask', '/search', '/sources', 'Ask the article']) expect(message.embeds![0]!.description).toContain(command);
    });
  });

  describe('/reload is for moderators, checked by the bot itself', () => {
    it('refuses a member without Manage Server or a moderator role', async () => {
      const message = messageOf(await harness.callback(harness.fake.chatInput('reload', [], { member: { permissions: DEFAULT_MEMBER_PERMISSIONS } })));
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(message.content).toMatch(/Only moderators/);
    });

    it('reloads for a member with Manage Server, reporting what changed', async () => {
      const sent = harness.fake.chatInput('reload', [], { member: { permissions: DEFAULT_MEMBER_PERMISSIONS | Permissions.ManageGuild } });
      const deferred = await harness.callback(sent);
      expect(deferred.body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
      const edit = messageOf(await harness.webhook(sent, (request) => request.method === 'PATCH'));
      expect(edit.embeds![0]!.title).toBe('Corpus reloaded');
      expect(edit.embeds![0]!.description).toMatch(/^2 article\(s\), 13 passage\(s\), in \d+ ms\.\nAdded: none\nRemoved: none\nChanged: none$/);
    });

    it('reloads for a member with a configured moderator role', async () => {
      const sent = harness.fake.chatInput('reload', [], { member: { roles: [MODERATOR_ROLE] } });
      expect((await harness.callback(sent)).body).toMatchObject({ type: 5 });
      expect(messageOf(await harness.webhook(sent, (request) => request.method === 'PATCH')).embeds![0]!.title).toBe('Corpus reloaded');
    });
  });

  describe('the error boundary', () => {
    it('answers an unknown command privately', async () => {
      const message = messageOf(await harness.callback(harness.fake.chatInput('frobnicate')));
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(message.content).toMatch(/don’t know that command/);
    });

    it('turns a failing handler into a private apology, logs it, and keeps serving', async () => {
      const failure = vi.spyOn(harness.engine, 'answer').mockImplementationOnce(() => {
        throw new Error('index exploded');
      });
      const message = messageOf(await harness.callback(ask(BAIDU)));
      failure.mockRestore();
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(message.content).toBe('Something went wrong while answering. Please try again in a moment.');
      expect(message.content).not.toMatch(/index exploded|at /);
      expect(harness.logs.some((line) => line.msg === 'interaction handler failed' && (line.err as { message: string }).message === 'index exploded')).toBe(
        true,
      );
      expect(messageOf(await harness.callback(ask(BAIDU))).embeds![0]!.footer!.text).toContain('paragraph 5');
    });

    it('apologizes by editing the deferred reply when the failure comes after deferring', async () => {
      const failure = vi.spyOn(harness.corpus, 'reload').mockRejectedValueOnce(new Error('disk on fire'));
      const sent = harness.fake.chatInput('reload', [], { member: { permissions: Permissions.ManageGuild } });
      expect((await harness.callback(sent)).body).toMatchObject({ type: 5 });
      const apology = messageOf(await harness.webhook(sent, (request) => request.method === 'PATCH'));
      failure.mockRestore();
      expect(apology.content).toBe('Something went wrong while answering. Please try again in a moment.');
    });
  });

  describe('buttons after the article is edited', () => {
    it('refuse to quote a paragraph whose text changed, instead of whatever now has its number', async () => {
      const message = messageOf(await harness.callback(ask('What about the annual regatta?', [{ name: 'private', type: BOOLEAN, value: true }])));
      const share = message.components!.flatMap((row) => row.components).find((button) => button.custom_id?.startsWith('ask:share:coastal-town:2~'))!;
      const file = path.join(harness.config.corpusDir, 'coastal-town.md');
      await writeFile(file, longArticle().replace('A short second paragraph', 'An editor’s note.\n\nA short second paragraph'));
      expect((await harness.corpus.reload({ id: 'test', reason: 'edit' }))[0]!.report.changed).toEqual(['coastal-town']);
      const reply = messageOf(await harness.callback(harness.fake.button(share.custom_id!)));
      expect(reply.content).toMatch(/no longer in the corpus as it was/);
      expect(reply.embeds ?? []).toEqual([]);
    });
  });

  describe('operations', () => {
    it('logs one structured line per interaction, and never a token', async () => {
      const sent = ask(BAIDU);
      await harness.callback(sent);
      await vi.waitFor(() => expect(harness.logs.some((line) => line.interactionId === sent.id)).toBe(true));
      const line = harness.logs.find((entry) => entry.interactionId === sent.id && entry.msg === 'interaction')!;
      expect(line).toMatchObject({ command: 'ask', userId: expect.any(String), guildId: harness.fake.guildId, outcome: 'ok', latencyMs: expect.any(Number) });
      expect(harness.rawLogs()).not.toContain(BOT_TOKEN);
      expect(harness.rawLogs()).not.toContain(sent.token);
    });

    // Over HTTP the first reply is the endpoint's response: there is no callback request to fail.
    if (transport === 'gateway')
      it('keeps interaction tokens out of the logs when a reply fails', async () => {
        harness.fake.failNext({ method: 'POST', path: /\/callback$/ }, { status: 404, body: { code: 10062, message: 'Unknown interaction' } });
        const sent = ask(BAIDU);
        await vi.waitFor(() => expect(harness.logs.some((line) => line.interactionId === sent.id && line.outcome === 'error')).toBe(true));
        const failure = harness.logs.find((line) => line.interactionId === sent.id && line.msg === 'interaction handler failed')!;
        expect(JSON.stringify(failure.err)).toContain('[redacted]');
        expect(harness.rawLogs()).not.toContain(sent.token);
      });

    it('counts each interaction in Prometheus metrics, served with /healthz (the gateway bot on METRICS_PORT)', async () => {
      const ops =
        transport === 'gateway' ? await serveOps({ port: 0 }, { engine: harness.engine, metrics: harness.metrics }, createLogger(harness.config)) : undefined;
      try {
        const origin = ops ? `http://127.0.0.1:${(ops.address() as AddressInfo).port}` : (harness as HttpHarness).origin;
        const count = async () =>
          Number(/^citebot_interactions_total\{command="sources",outcome="ok"\} (\d+)$/m.exec(await (await fetch(`${origin}/metrics`)).text())?.[1] ?? 0);
        const before = await count();
        await harness.callback(harness.fake.chatInput('sources'));
        await vi.waitFor(async () => expect(await count()).toBe(before + 1));
        const health = await fetch(`${origin}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ ready: true, ...harness.engine.stats() });
      } finally {
        ops?.close();
      }
    });

    it('sent only bodies that Discord accepts', () => {
      expect(harness.invalidRequests()).toEqual([]);
      expect(harness.fake.requests.filter((request) => request.path.endsWith('/callback')).length).toBeGreaterThan(20);
      // Every first response went the transport's way: POSTed to the callback route, or as the endpoint's HTTP response.
      expect(
        harness.fake.requests
          .filter((request) => request.path.endsWith('/callback'))
          .every((request) => (request.viaEndpoint === true) === (transport === 'http')),
      ).toBe(true);
    });
  });
});
