/**
 * FakeDiscord: a local stand-in for Discord's REST API (node:http) and gateway (ws) that the
 * real discord.js client connects to over real sockets, so tests exercise the library as shipped.
 *
 *   const fake = await FakeDiscord.start();
 *   const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
 *   await client.login('any-token');              // resolves after READY; clientReady follows GUILD_CREATE
 *   const { id, token } = fake.chatInput('ask', [{ name: 'question', type: 3, value: 'why?' }]);
 *   const callback = await fake.waitForCallback(id);
 *   const edit = await fake.waitForWebhook(token, (r) => r.method === 'PATCH');
 *   client.destroy(); await fake.stop();
 *
 * Or, as Discord does for an application with an Interactions Endpoint URL, POST interactions,
 * signed with Ed25519, to a bot's HTTP endpoint instead of the gateway:
 *
 *   fake.useInteractionsEndpoint('http://127.0.0.1:8080/interactions', privateKey);
 *   const sent = fake.chatInput('ask', …);             // POSTed; the HTTP response is the callback
 *   const callback = await fake.waitForCallback(sent.id); // viaEndpoint: true
 *
 * Behaviour worth knowing:
 * - One guild with one text channel, plus the `guildIds` given (each with one text channel, whose
 *   id is the guild's + 1). Interactions come from the first guild unless `guildId` is given, and
 *   go to the session of the shard that owns their guild, (guild_id >> 22) % shardCount, unless
 *   `shard` is given. Dispatches sent while that
 *   session has no socket are kept and replayed when the client RESUMEs (as Discord does);
 *   a re-IDENTIFY starts a new session and loses them.
 * - Interactions are checked like Discord does: a callback must arrive within
 *   `interactionDeadlineMs` (default 3000, Discord's limit; pass Infinity to disable) of
 *   sendInteraction, only once (else 400/40060), and with a callback type valid for the
 *   interaction type (8 only for autocomplete, 6/7 only for components and modals).
 * - A form the bot shows (callback type 9) is recorded (`modalShown`); `submitModal` sends it
 *   back filled in, as the member's MODAL_SUBMIT, with the message the button was on. The values
 *   are sent as given: Discord's own client enforces the fields' lengths, a forged request doesn't.
 *   Webhook follow-ups and edits need an acknowledged interaction (else 404).
 * - waitForRequest/waitForCallback/waitForWebhook also look at requests recorded before the
 *   call, so a fast response cannot be missed; make predicates specific (ids, tokens).
 *   waitForCallback/waitForWebhook only match requests the fake answered with 2xx, so injected
 *   faults are skipped; callbacksFor/webhookRequestsFor return everything, faults included.
 * - RecordedRequest.rawPath is, like `path`, relative to '/api/v10' (but not percent-decoded);
 *   it also carries `files` (multipart uploads) and `status` (what the fake answered).
 * - failNext faults are matched in the order they were added; `rateLimited(seconds)` builds a
 *   429 that discord.js honours. Note discord.js treats a 429 as global whenever an
 *   X-RateLimit-Global header is present, even 'false'.
 * - discord.js throttles IDENTIFY per max_concurrency bucket: a shard that re-identifies within
 *   5 s of the previous identify in its bucket waits 5-6.5 s. Option `maxConcurrency` (default 1)
 *   lets a multi-shard test identify all shards at once.
 * - Also available: waitForResumed, readyCount/resumedCount, the `shard` a sent interaction went
 *   to, `Permissions`/DEFAULT_MEMBER_PERMISSIONS for MemberOptions, and serveAttachment options
 *   for slow or size-hiding downloads (a string third argument is just the content type).
 */
import { sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeCdn, type AttachmentServeOptions } from './cdn.js';
import { FakeGateway, type IdentifyRecord } from './gateway.js';
import {
  DEFAULT_MEMBER_PERMISSIONS,
  DEFAULT_MEMBER_USER_ID,
  botUser,
  inGuild,
  memberObject,
  messageObject,
  randomToken,
  snowflake,
  submittedComponents,
  textChannel,
  threadChannel,
  userObject,
  type FakeIds,
  type Json,
  type MemberOptions,
} from './payloads.js';
import { FakeRest, type FaultMatch, type FaultResponse, type RecordedRequest } from './rest.js';

export { DEFAULT_MEMBER_PERMISSIONS, Permissions, type MemberOptions } from './payloads.js';
export { rateLimited, type FaultMatch, type FaultResponse, type RecordedFile, type RecordedRequest } from './rest.js';
export type { AttachmentServeOptions } from './cdn.js';
export type { IdentifyRecord } from './gateway.js';

export interface FakeDiscordOptions {
  /** Recommended shard count returned by GET /gateway/bot (default 1). */
  shards?: number;
  /** session_start_limit.max_concurrency returned by GET /gateway/bot (default 1). */
  maxConcurrency?: number;
  applicationId?: string;
  /** Defaults to applicationId, as for every application created since 2019. */
  botUserId?: string;
  guildId?: string;
  channelId?: string;
  heartbeatIntervalMs?: number;
  interactionDeadlineMs?: number;
  /** Roles the guild has besides @everyone (members can then be given them). */
  roleIds?: string[];
  /** Further guilds the bot is in (each gets its GUILD_CREATE, and can send interactions). */
  guildIds?: string[];
}

export interface InteractionOptions {
  member?: MemberOptions;
  /** Deliver on this shard's session instead of the one owning the guild. */
  shard?: number;
  /** Send it from this guild (one of `guildIds`) instead of the first. */
  guildId?: string;
  /** Send it from a public thread in the guild's text channel. */
  thread?: boolean;
}

export interface CommandOption {
  name: string;
  type: number;
  value?: unknown;
  options?: CommandOption[];
  focused?: boolean;
}

export interface SentInteraction {
  id: string;
  token: string;
  /** performance.now() when dispatched; the callback deadline counts from here. */
  sentAt: number;
  /** The shard whose session received it; -1 when it was POSTed to an interactions endpoint. */
  shard: number;
  payload: Json;
}

export type TargetMessage = Json & { id?: string; content: string; author?: Json };

/** How long a callback is waited for: an interaction must be answered within Discord's 3 s. */
const CALLBACK_TIMEOUT_MS = 5_000;
/**
 * How long other requests (a deferred reply's edit, a message) are waited for by default: work that
 * may take seconds (a write, a reload) and more on a busy machine; tests of latency assert their own.
 */
const DEFAULT_TIMEOUT_MS = 15_000;

export class FakeDiscord {
  readonly apiUrl: string;
  readonly cdnUrl: string;
  readonly gatewayUrl: string;
  readonly applicationId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly botUserId: string;
  readonly requests: RecordedRequest[];
  readonly commands: { global: unknown[]; guild: Map<string, unknown[]> };
  /** Every IDENTIFY received, in order. */
  readonly identifies: IdentifyRecord[];

  private readonly ids: FakeIds;
  private readonly gateway: FakeGateway;
  private readonly rest: FakeRest;
  private readonly cdn: FakeCdn;
  private readonly waiters = new Set<{ check: () => boolean; fail: (error: Error) => void }>();
  private endpoint?: { url: string; privateKey: KeyObject };

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new FakeDiscord(server, (server.address() as AddressInfo).port, options);
  }

  private constructor(
    private readonly server: Server,
    port: number,
    options: FakeDiscordOptions,
  ) {
    const origin = `127.0.0.1:${port}`;
    this.apiUrl = `http://${origin}/api`;
    this.cdnUrl = `http://${origin}/cdn`;
    this.gatewayUrl = `ws://${origin}`;
    this.applicationId = options.applicationId ?? '1100000000000000001';
    this.botUserId = options.botUserId ?? this.applicationId;
    // The default guild id maps to shard 0 for both one and two shards.
    this.guildId = options.guildId ?? '1150000000000000000';
    this.channelId = options.channelId ?? '1150000000000000001';
    this.ids = {
      applicationId: this.applicationId,
      botUserId: this.botUserId,
      guildId: this.guildId,
      channelId: this.channelId,
      ownerId: '1000000000000000001',
      roleIds: options.roleIds ?? [],
      extraGuildIds: options.guildIds ?? [],
    };

    const onChange = (): void => this.checkWaiters();
    this.cdn = new FakeCdn(this.cdnUrl);
    this.gateway = new FakeGateway(server, {
      ids: this.ids,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      url: this.gatewayUrl,
      onChange,
    });
    this.rest = new FakeRest({
      ids: this.ids,
      gatewayUrl: this.gatewayUrl,
      shards: options.shards ?? 1,
      maxConcurrency: options.maxConcurrency ?? 1,
      interactionDeadlineMs: options.interactionDeadlineMs ?? 3_000,
      cdn: this.cdn,
      onChange,
    });
    this.requests = this.rest.requests;
    this.commands = this.rest.commands;
    this.identifies = this.gateway.identifies;

    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', `http://${origin}`);
      const api = /^\/api\/v\d+(\/.*)$/.exec(url.pathname);
      if (api) {
        // A bug in the fake (or a malformed path) should fail the request visibly, not crash the test run.
        this.rest.handle(req, res, api[1]!, url.searchParams).catch((error: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
        });
      } else if (url.pathname.startsWith('/cdn/')) this.cdn.handle(req, res, url.pathname.slice('/cdn'.length));
      else res.writeHead(404).end();
    });
  }

  /** RESUME ops received. */
  get resumes(): number {
    return this.gateway.resumes;
  }

  /** Sessions sent READY (+ GUILD_CREATE when they own the guild). */
  get readyCount(): number {
    return this.gateway.readyCount;
  }

  /** RESUMED dispatches sent. */
  get resumedCount(): number {
    return this.gateway.resumedCount;
  }

  waitForReady(count = 1, timeoutMs = 10_000): Promise<void> {
    return this.waitForCount('READY sessions', count, () => this.gateway.readyCount, timeoutMs);
  }

  waitForIdentify(count: number, timeoutMs = 10_000): Promise<void> {
    return this.waitForCount('IDENTIFYs', count, () => this.identifies.length, timeoutMs);
  }

  /** Resolves when `count` RESUMED dispatches have been sent in total. */
  waitForResumed(count: number, timeoutMs = 10_000): Promise<void> {
    return this.waitForCount('RESUMEDs', count, () => this.gateway.resumedCount, timeoutMs);
  }

  /** The first recorded request, earlier or later, that matches; it may still be hanging. */
  waitForRequest(predicate: (r: RecordedRequest) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RecordedRequest> {
    return this.waitUntil('a matching request', timeoutMs, () => this.requests.find(predicate));
  }

  sendInteraction(payload: Json & { type: number; data?: unknown }, opts: InteractionOptions = {}): SentInteraction {
    const ids = inGuild(this.ids, opts.guildId ?? this.guildId);
    const channel = channelFor(ids, opts);
    const full: Json = {
      id: snowflake(),
      application_id: ids.applicationId,
      token: randomToken(),
      version: 1,
      guild_id: ids.guildId,
      channel_id: channel.id,
      channel,
      member: memberObject(opts.member),
      app_permissions: String(DEFAULT_MEMBER_PERMISSIONS),
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': ids.guildId },
      context: 0,
      attachment_size_limit: 10 * 1024 * 1024,
      ...payload,
    };
    const id = String(full.id);
    const token = String(full.token);
    const commandType = (payload.data as Json | undefined)?.type;
    const sentAt = performance.now();
    this.rest.registerInteraction({
      id,
      token,
      type: payload.type,
      sentAt,
      channelId: String(full.channel_id),
      responseMessageType: payload.type === 2 ? (commandType === 3 ? 23 : 20) : 0,
      componentMessage: full.message as Json | undefined,
    });
    if (this.endpoint) {
      void this.postToEndpoint(this.endpoint, id, token, JSON.stringify(full));
      return { id, token, sentAt, shard: -1, payload: full };
    }
    const shard = this.gateway.dispatchTo(opts.shard, String(full.guild_id), 'INTERACTION_CREATE', full);
    return { id, token, sentAt, shard, payload: full };
  }

  /**
   * From now on, interactions are POSTed to `url` as Discord does for an application with an
   * Interactions Endpoint URL (signed with `privateKey`, the pair of the application's public
   * key), instead of being dispatched over the gateway; each HTTP response is recorded as the
   * interaction's callback.
   */
  useInteractionsEndpoint(url: string, privateKey: KeyObject): void {
    this.endpoint = { url, privateKey };
  }

  /** Headers Discord signs a request to an interactions endpoint with. */
  static signedHeaders(body: string, privateKey: KeyObject, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
    return {
      'Content-Type': 'application/json',
      'X-Signature-Timestamp': String(timestamp),
      'X-Signature-Ed25519': sign(null, Buffer.from(`${timestamp}${body}`), privateKey).toString('hex'),
      'User-Agent': 'Discord-Interactions/1.0 (+https://discord.com)',
    };
  }

  private async postToEndpoint(endpoint: { url: string; privateKey: KeyObject }, id: string, token: string, body: string): Promise<void> {
    let status = 0;
    let parsed: unknown;
    try {
      const response = await fetch(endpoint.url, { method: 'POST', headers: FakeDiscord.signedHeaders(body, endpoint.privateKey), body });
      status = response.status;
      const text = await response.text();
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    } catch (error) {
      parsed = String(error);
    }
    this.rest.recordEndpointResponse(id, token, status, parsed, performance.now());
  }

  chatInput(name: string, options: CommandOption[] = [], opts: InteractionOptions & { resolved?: Json } = {}): SentInteraction {
    const data = { ...this.commandData(name, 1, opts.guildId), options, ...(opts.resolved ? { resolved: opts.resolved } : {}) };
    return this.sendInteraction({ type: 2, data }, opts);
  }

  /** `options` must mark exactly one option (possibly nested in a subcommand) `focused: true`. */
  autocomplete(name: string, options: CommandOption[], opts: InteractionOptions = {}): SentInteraction {
    const focused = (list: CommandOption[]): number => list.reduce((n, option) => n + (option.focused ? 1 : 0) + focused(option.options ?? []), 0);
    if (focused(options) !== 1) throw new Error('autocomplete needs exactly one option with focused: true');
    return this.sendInteraction({ type: 4, data: { ...this.commandData(name, 1, opts.guildId), options } }, opts);
  }

  messageContextMenu(name: string, target: TargetMessage, opts: InteractionOptions = {}): SentInteraction {
    const { id, author, ...fields } = target;
    const guild = inGuild(this.ids, opts.guildId ?? this.guildId);
    const message = messageObject(
      {
        channelId: guild.channelId,
        guildId: guild.guildId,
        author: author ?? userObject(DEFAULT_MEMBER_USER_ID, 'author'),
      },
      { ...fields, id: id ?? snowflake() },
    );
    return this.sendInteraction(
      {
        type: 2,
        data: {
          ...this.commandData(name, 3, opts.guildId),
          target_id: message.id,
          resolved: { messages: { [String(message.id)]: message } },
        },
      },
      opts,
    );
  }

  /** A button click on `message` (default: a bot message carrying that button). */
  button(customId: string, opts: InteractionOptions & { message?: Json } = {}): SentInteraction {
    const guild = inGuild(this.ids, opts.guildId ?? this.guildId);
    const message = messageObject(
      {
        channelId: String(channelFor(guild, opts).id),
        guildId: guild.guildId,
        author: botUser(this.ids),
        webhookId: this.applicationId,
        applicationId: this.applicationId,
      },
      {
        content: 'A message with a button',
        components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Button', custom_id: customId }] }],
        ...opts.message,
      },
    );
    return this.sendInteraction({ type: 3, data: { custom_id: customId, component_type: 2 }, message }, opts);
  }

  /** The form the bot showed in answer to the interaction (callback type 9's data), if it did. */
  modalShown(id: string): Json | undefined {
    return this.rest.modalShown(id);
  }

  /**
   * The member submits the form the bot showed in answer to `opened` (a button click), having
   * typed `values` (by field custom_id): from the same guild and channel, with the message the
   * button was on.
   */
  submitModal(opened: SentInteraction, values: Record<string, string>, opts: Omit<InteractionOptions, 'guildId' | 'thread'> = {}): SentInteraction {
    const modal = this.modalShown(opened.id);
    if (!modal) throw new Error(`the bot showed no form for interaction ${opened.id}`);
    const { channel_id, channel, guild_id, message } = opened.payload;
    const data = { custom_id: modal.custom_id, components: submittedComponents(modal.components as Json[], values) };
    return this.sendInteraction({ type: 5, data, channel_id, channel, ...(message ? { message } : {}) }, { ...opts, guildId: String(guild_id) });
  }

  /** POST /interactions/{id}/{token}/callback requests for the interaction, faulted ones included. */
  callbacksFor(id: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && isCallbackPath(r.path, id));
  }

  /** Requests to /webhooks/{application}/{token}[/...] (follow-ups, edits, deletes). */
  webhookRequestsFor(token: string): RecordedRequest[] {
    const prefix = `/webhooks/${this.applicationId}/${token}`;
    return this.requests.filter((r) => r.path === prefix || r.path.startsWith(`${prefix}/`));
  }

  waitForCallback(id: string, timeoutMs = CALLBACK_TIMEOUT_MS): Promise<RecordedRequest> {
    return this.waitUntil(`an accepted callback for interaction ${id}`, timeoutMs, () => this.callbacksFor(id).find(isSuccess));
  }

  waitForWebhook(token: string, predicate: (r: RecordedRequest) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RecordedRequest> {
    return this.waitUntil('an accepted webhook request', timeoutMs, () => this.webhookRequestsFor(token).find((r) => isSuccess(r) && predicate(r)));
  }

  /** The next `times` requests matching get `response` ('hang': never answered until stop()). */
  failNext(match: FaultMatch, response: FaultResponse | 'hang', times = 1): void {
    this.rest.failNext(match, response, times);
  }

  /** Serves `content` under cdnUrl and returns its URL. */
  serveAttachment(name: string, content: Buffer | string, contentTypeOrOptions: string | AttachmentServeOptions = {}): string {
    const options = typeof contentTypeOrOptions === 'string' ? { contentType: contentTypeOrOptions } : contentTypeOrOptions;
    return this.cdn.serve(name, content, options);
  }

  dropConnections(): void {
    this.gateway.dropConnections();
  }

  closeConnections(code: number): void {
    this.gateway.closeConnections(code);
  }

  sendReconnect(): void {
    this.gateway.sendReconnect();
  }

  sendInvalidSession(resumable: boolean): void {
    this.gateway.sendInvalidSession(resumable);
  }

  /** Closes sockets, hung requests and slow downloads; pending waits reject. */
  /**
   * Forgets recorded requests and delivered dispatches, so that long runs (the bench) measure
   * the bot's memory rather than this fake's records. Call it only when nothing is in flight.
   */
  forgetHistory(): void {
    this.requests.length = 0;
    this.rest.forgetInteractions();
    this.gateway.forgetDelivered();
  }

  async stop(): Promise<void> {
    for (const waiter of this.waiters) waiter.fail(new Error('FakeDiscord stopped'));
    this.waiters.clear();
    this.cdn.stop();
    await this.gateway.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private commandData(name: string, type: number, guildId = this.guildId): Json {
    const matches = (c: Json): boolean => c.name === name && (c.type ?? 1) === type;
    const guildCommand = ((this.commands.guild.get(guildId) ?? []) as Json[]).find(matches);
    const command = guildCommand ?? (this.commands.global as Json[]).find(matches);
    return {
      id: command?.id ?? snowflake(),
      name,
      type,
      ...(guildCommand ? { guild_id: guildId } : {}),
    };
  }

  private async waitForCount(what: string, count: number, current: () => number, timeoutMs: number): Promise<void> {
    await this.waitUntil(`${count} ${what}`, timeoutMs, () => (current() >= count ? true : undefined));
  }

  private waitUntil<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
    const found = probe();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        check: (): boolean => {
          const value = probe();
          if (value === undefined) return false;
          clearTimeout(timer);
          resolve(value);
          return true;
        },
        fail: (error: Error): void => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const recent = this.requests.slice(-8).map((r) => `${r.method} ${r.path} -> ${r.status ?? 'hanging'}`);
        const message = `Timed out after ${timeoutMs} ms waiting for ${what}. Recent requests:`;
        reject(new Error([message, ...recent].join('\n  ')));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private checkWaiters(): void {
    for (const waiter of this.waiters) {
      if (waiter.check()) this.waiters.delete(waiter);
    }
  }
}

function channelFor(ids: FakeIds, opts: InteractionOptions): Json {
  return opts.thread ? threadChannel(ids) : textChannel(ids);
}

function isCallbackPath(path: string, id: string): boolean {
  return path.startsWith(`/interactions/${id}/`) && path.endsWith('/callback');
}

function isSuccess(r: RecordedRequest): boolean {
  return r.status !== undefined && r.status >= 200 && r.status < 300;
}
