// Proves the fake Discord in tests/fake-discord against the real discord.js client over real
// sockets: login, every interaction response path, REST faults and gateway disruptions, sharding.
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, PermissionFlagsBits, type ClientOptions, type Interaction } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeDiscord, rateLimited, type RecordedRequest } from '../fake-discord/index.js';

/** A tiny bot with one handler per response path; it records what it saw and what it got back. */
class TestBot {
  readonly client: Client;
  readonly seen = new Map<string, Interaction>();
  readonly results = new Map<string, string>();
  readonly errors: unknown[] = [];
  /** Interaction id -> shard id that delivered it. */
  readonly shardOf = new Map<string, number>();

  constructor(fake: FakeDiscord, options: Partial<ClientOptions> = {}) {
    this.client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl }, ...options });
    this.client.on(Events.InteractionCreate, (interaction) => {
      this.seen.set(interaction.id, interaction);
      this.handle(interaction).catch((error: unknown) => this.errors.push(error));
    });
    this.client.on(Events.Raw, (packet: { t?: string; d?: { id?: string } }, shardId: number) => {
      if (packet.t === 'INTERACTION_CREATE' && packet.d?.id) this.shardOf.set(packet.d.id, shardId);
    });
  }

  /** Logs in and resolves with the milliseconds until clientReady. */
  async login(): Promise<number> {
    const started = performance.now();
    const ready = once(this.client, Events.ClientReady);
    await this.client.login('fake-token');
    await ready;
    return performance.now() - started;
  }

  private async handle(interaction: Interaction): Promise<void> {
    if (interaction.isChatInputCommand()) {
      switch (interaction.commandName) {
        case 'ping':
          await interaction.reply({ content: 'pong', allowedMentions: { parse: [] } });
          return;
        case 'slow': {
          await interaction.deferReply();
          const message = await interaction.editReply({ content: 'done' });
          this.results.set(interaction.id, message.content);
          return;
        }
        case 'multi': {
          await interaction.reply('first');
          const message = await interaction.followUp({ content: 'second' });
          this.results.set(interaction.id, message.content);
          return;
        }
      }
    } else if (interaction.isAutocomplete()) {
      const typed = interaction.options.getFocused();
      const words = ['alpha', 'alps', 'beta'].filter((word) => word.startsWith(typed));
      await interaction.respond(words.map((word) => ({ name: word, value: word })));
    } else if (interaction.isButton()) {
      await interaction.update({ content: `refreshed ${interaction.customId}`, components: [] });
    } else if (interaction.isMessageContextMenuCommand()) {
      await interaction.reply({ content: `quoted: ${interaction.targetMessage.content}` });
    }
  }
}

describe('FakeDiscord with a real discord.js client', () => {
  let fake: FakeDiscord;
  let bot: TestBot;
  let readyMs: number;

  beforeAll(async () => {
    fake = await FakeDiscord.start();
    bot = new TestBot(fake);
    readyMs = await bot.login();
  });

  afterEach(() => {
    expect(bot.errors).toEqual([]);
  });

  afterAll(async () => {
    await bot?.client.destroy();
    await fake?.stop();
  });

  async function expectPong(): Promise<void> {
    const { id } = fake.chatInput('ping');
    const callback = await fake.waitForCallback(id);
    expect(callback.body).toMatchObject({ type: 4, data: { content: 'pong' } });
  }

  it('logs in and becomes ready quickly with the guild cached', () => {
    expect(readyMs).toBeLessThan(5_000);
    const guild = bot.client.guilds.cache.get(fake.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.get(fake.channelId)?.isTextBased()).toBe(true);
    expect(guild?.roles.everyone.id).toBe(fake.guildId);
    expect(bot.client.user?.id).toBe(fake.botUserId);
    expect(bot.client.application?.id).toBe(fake.applicationId);
    expect(fake.identifies).toHaveLength(1);
    expect(fake.identifies[0]).toMatchObject({ token: 'fake-token', intents: GatewayIntentBits.Guilds });
    const gatewayBot = fake.requests.find((r) => r.path === '/gateway/bot');
    expect(gatewayBot?.headers.authorization).toBe('Bot fake-token');
  });

  it('delivers a chat input command and records the reply callback', async () => {
    const { id, token } = fake.chatInput('ping');
    const callback = await fake.waitForCallback(id);
    expect(callback.path).toBe(`/interactions/${id}/${token}/callback`);
    expect(callback.query.with_response).toBe('false');
    expect(callback.status).toBe(204);
    expect(callback.body).toMatchObject({ type: 4, data: { content: 'pong', allowed_mentions: { parse: [] } } });

    const interaction = bot.seen.get(id);
    expect(interaction?.isChatInputCommand()).toBe(true);
    expect(interaction?.guildId).toBe(fake.guildId);
    expect(interaction?.channelId).toBe(fake.channelId);
    expect(interaction?.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(false);
    expect(interaction?.memberPermissions?.has(PermissionFlagsBits.Administrator)).toBe(false);
    expect(interaction?.memberPermissions?.has(PermissionFlagsBits.SendMessages)).toBe(true);
  });

  it('passes member options through to the interaction', async () => {
    const permissions = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages;
    const { id } = fake.chatInput('ping', [], { member: { userId: '1000000000000000077', permissions } });
    await fake.waitForCallback(id);
    const interaction = bot.seen.get(id);
    expect(interaction?.user.id).toBe('1000000000000000077');
    expect(interaction?.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(true);
  });

  it('records deferReply then editReply as a PATCH to @original', async () => {
    const { id, token } = fake.chatInput('slow');
    expect((await fake.waitForCallback(id)).body).toMatchObject({ type: 5 });
    const edit = await fake.waitForWebhook(token, (r) => r.method === 'PATCH');
    expect(edit.path).toBe(`/webhooks/${fake.applicationId}/${token}/messages/@original`);
    expect(edit.rawPath).toContain('%40original');
    expect(edit.body).toMatchObject({ content: 'done' });
    await vi.waitFor(() => expect(bot.results.get(id)).toBe('done'));
  });

  it('records followUp as a POST to the interaction webhook', async () => {
    const { id, token } = fake.chatInput('multi');
    expect((await fake.waitForCallback(id)).body).toMatchObject({ type: 4, data: { content: 'first' } });
    const followUp = await fake.waitForWebhook(token, (r) => r.method === 'POST');
    expect(followUp.path).toBe(`/webhooks/${fake.applicationId}/${token}`);
    expect(followUp.query.wait).toBe('true');
    expect(followUp.body).toMatchObject({ content: 'second' });
    await vi.waitFor(() => expect(bot.results.get(id)).toBe('second'));
  });

  it('answers autocomplete with choices for the focused option', async () => {
    const { id } = fake.autocomplete('search', [{ name: 'query', type: 3, value: 'al', focused: true }]);
    const callback = await fake.waitForCallback(id);
    expect(callback.body).toEqual({
      type: 8,
      data: {
        choices: [
          { name: 'alpha', value: 'alpha' },
          { name: 'alps', value: 'alps' },
        ],
      },
    });
  });

  it('updates the message of a clicked button', async () => {
    const { id, payload } = fake.button('refresh');
    const callback = await fake.waitForCallback(id);
    expect(callback.body).toMatchObject({ type: 7, data: { content: 'refreshed refresh', components: [] } });
    const interaction = bot.seen.get(id);
    expect(interaction?.isButton() && interaction.message.id).toBe((payload.message as { id: string }).id);
  });

  it('delivers a message context menu command with its target message', async () => {
    const { id } = fake.messageContextMenu('Quote', { content: 'hello world' });
    const callback = await fake.waitForCallback(id);
    expect(callback.body).toMatchObject({ type: 4, data: { content: 'quoted: hello world' } });
  });

  it('stores registered commands and uses their ids in interactions', async () => {
    await bot.client.application!.commands.set([{ name: 'ping', description: 'Ping' }]);
    const registered = fake.commands.global as Array<{ id: string; name: string }>;
    expect(registered).toEqual([expect.objectContaining({ name: 'ping', application_id: fake.applicationId })]);

    await bot.client.guilds.cache.get(fake.guildId)!.commands.set([{ name: 'slow', description: 'Slow' }]);
    expect(fake.commands.guild.get(fake.guildId)).toEqual([expect.objectContaining({ name: 'slow', guild_id: fake.guildId })]);

    const { id } = fake.chatInput('ping');
    await fake.waitForCallback(id);
    const interaction = bot.seen.get(id);
    expect(interaction?.isChatInputCommand() && interaction.commandId).toBe(registered[0]!.id);
  });

  it('parses multipart channel messages and serves the uploaded file', async () => {
    const channel = bot.client.channels.cache.get(fake.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const message = await channel.send({
      content: 'audit',
      files: [{ attachment: Buffer.from('hello file'), name: 'note.txt' }],
    });
    const request = fake.requests.find((r) => r.method === 'POST' && r.path === `/channels/${fake.channelId}/messages`);
    expect(request?.body).toMatchObject({ content: 'audit' });
    expect(request?.files.map((f) => [f.filename, f.data.toString()])).toEqual([['note.txt', 'hello file']]);
    const attachment = message.attachments.first();
    expect(attachment?.name).toBe('note.txt');
    expect(await (await fetch(attachment!.url)).text()).toBe('hello file');
  });

  it('retries a callback after a 429 with Retry-After and the reply lands', async () => {
    fake.failNext({ method: 'POST', path: /^\/interactions\/[^/]+\/[^/]+\/callback$/ }, rateLimited(1));
    const { id } = fake.chatInput('ping');
    const accepted = await fake.waitForCallback(id);
    const attempts = fake.callbacksFor(id);
    expect(attempts.map((r) => r.status)).toEqual([429, 204]);
    expect(accepted.receivedAt - attempts[0]!.receivedAt).toBeGreaterThanOrEqual(900);
    expect(accepted.body).toMatchObject({ type: 4, data: { content: 'pong' } });
  });

  it('can hang a request until the caller gives up', async () => {
    fake.failNext({ path: /^\/hang-me$/ }, 'hang');
    await expect(fetch(`${fake.apiUrl}/v10/hang-me`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    const hung = await fake.waitForRequest((r) => r.path === '/hang-me');
    expect(hung.status).toBeUndefined();
  });

  it('serves attachments slowly in chunks', async () => {
    const url = fake.serveAttachment('big.bin', Buffer.alloc(30, 1), { chunkSize: 10, chunkDelayMs: 100 });
    const started = performance.now();
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(body.length).toBe(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(180);
  });

  describe('gateway disruptions', () => {
    it('resumes after dropped connections and replays an interaction sent while down', async () => {
      const resumed = fake.resumedCount;
      fake.dropConnections();
      const { id } = fake.chatInput('ping');
      await fake.waitForResumed(resumed + 1);
      expect((await fake.waitForCallback(id)).body).toMatchObject({ type: 4 });
      expect(fake.identifies).toHaveLength(1);
    });

    it('resumes after a 4000 close', async () => {
      const resumed = fake.resumedCount;
      fake.closeConnections(4000);
      await fake.waitForResumed(resumed + 1);
      await expectPong();
      expect(fake.identifies).toHaveLength(1);
    });

    it('resumes after op 7 RECONNECT', async () => {
      const resumed = fake.resumedCount;
      fake.sendReconnect();
      await fake.waitForResumed(resumed + 1);
      await expectPong();
      expect(fake.identifies).toHaveLength(1);
    });

    it('resumes after a resumable INVALID_SESSION', async () => {
      const resumed = fake.resumedCount;
      fake.sendInvalidSession(true);
      await fake.waitForResumed(resumed + 1);
      await expectPong();
      expect(fake.identifies).toHaveLength(1);
    });

    it('re-identifies after a non-resumable INVALID_SESSION', async () => {
      const resumes = fake.resumes;
      fake.sendInvalidSession(false);
      // discord.js may wait out its 5 s identify throttle first.
      await fake.waitForReady(2, 10_000);
      expect(fake.identifies).toHaveLength(2);
      expect(fake.resumes).toBe(resumes);
      await expectPong();
    });
  });
});

describe('FakeDiscord with two shards', () => {
  let fake: FakeDiscord;
  let bot: TestBot;

  beforeAll(async () => {
    // max_concurrency 2 lets both shards identify at once instead of 5 s apart.
    fake = await FakeDiscord.start({ shards: 2, maxConcurrency: 2 });
    bot = new TestBot(fake, { shards: [0, 1], shardCount: 2 });
    await bot.login();
  });

  afterAll(async () => {
    await bot?.client.destroy();
    await fake?.stop();
  });

  it('identifies each shard and answers interactions delivered on either', async () => {
    expect(fake.identifies.map((i) => i.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const onGuildShard = fake.chatInput('ping');
    const onZero = fake.chatInput('ping', [], { shard: 0 });
    const onOne = fake.chatInput('ping', [], { shard: 1 });
    expect([onGuildShard.shard, onZero.shard, onOne.shard]).toEqual([0, 0, 1]);
    for (const sent of [onGuildShard, onZero, onOne]) {
      const callback: RecordedRequest = await fake.waitForCallback(sent.id);
      expect(callback.body).toMatchObject({ type: 4, data: { content: 'pong' } });
      expect(bot.shardOf.get(sent.id)).toBe(sent.shard);
    }
    expect(bot.errors).toEqual([]);
  });
});
