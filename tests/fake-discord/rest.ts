// The REST half of the fake: records every /api request, applies injected faults, and answers
// the routes a bot uses (gateway info, command registration, interaction callbacks, webhook
// edits/follow-ups, channel messages) with Discord-shaped bodies and Discord's error codes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeCdn } from './cdn.js';
import { botUser, messageObject, pickMessageFields, snowflake, type FakeIds, type Json } from './payloads.js';

export interface RecordedFile {
  /** The multipart field name, e.g. 'files[0]'. */
  field: string;
  filename: string;
  contentType?: string;
  data: Buffer;
}

export interface RecordedRequest {
  method: string;
  /** Path after '/api/v10', percent-decoded: '/webhooks/APP/TOKEN/messages/@original'. */
  path: string;
  /** The same path as received, still percent-encoded. */
  rawPath: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, the parsed payload_json part of a multipart body, or undefined. */
  body: unknown;
  /** File parts of a multipart body. */
  files: RecordedFile[];
  receivedAt: number;
  /** The status the fake answered with; undefined while the request hangs. */
  status?: number;
  /** An interactions endpoint's HTTP response to a POSTed interaction, recorded as its callback. */
  viaEndpoint?: boolean;
}

export interface FaultResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FaultMatch {
  method?: string;
  /** Tested against RecordedRequest.path. */
  path: RegExp;
}

/**
 * A 429 as Discord sends it. discord.js waits for the Retry-After header (the body's retry_after
 * is ignored) and treats the limit as global if X-RateLimit-Global is present at all, whatever its value.
 */
export function rateLimited(retryAfterSeconds: number, options: { global?: boolean } = {}): FaultResponse {
  return {
    status: 429,
    headers: {
      'Retry-After': String(retryAfterSeconds),
      'X-RateLimit-Scope': options.global ? 'global' : 'user',
      ...(options.global ? { 'X-RateLimit-Global': 'true' } : {}),
    },
    body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: options.global ?? false },
  };
}

/** What the fake needs to know about an interaction it dispatched to answer its callbacks and webhooks. */
export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  sentAt: number;
  channelId: string;
  /** Message type of the original response: 20 for slash commands, 23 for context menus, 0 otherwise. */
  responseMessageType: number;
  /** The message a component was clicked on; update/deferUpdate act on it. */
  componentMessage?: Json;
}

interface InteractionState extends InteractionRecord {
  acknowledged: boolean;
  original?: Json;
  /** The form (callback type 9's data) shown in answer to it. */
  modal?: Json;
  followUps: Map<string, Json>;
}

export interface RestOptions {
  ids: FakeIds;
  gatewayUrl: string;
  shards: number;
  maxConcurrency: number;
  interactionDeadlineMs: number;
  cdn: FakeCdn;
  onChange: () => void;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Route = [method: string, pattern: RegExp, handler: (params: string[], request: RecordedRequest) => Reply];

/** Callback types Discord accepts per interaction type (2 command, 3 component, 4 autocomplete, 5 modal). */
const ALLOWED_CALLBACKS: Record<number, number[]> = {
  2: [4, 5, 9],
  3: [4, 5, 6, 7, 9],
  4: [8],
  5: [4, 5, 6, 7],
};
const LOADING_FLAG = 1 << 7;
const EPHEMERAL_FLAG = 1 << 6;

export class FakeRest {
  readonly requests: RecordedRequest[] = [];
  readonly commands = { global: [] as unknown[], guild: new Map<string, unknown[]>() };

  private readonly faults: Array<FaultMatch & { response: FaultResponse | 'hang'; remaining: number }> = [];
  private readonly interactions = new Map<string, InteractionState>();
  private readonly interactionsByToken = new Map<string, InteractionState>();
  private readonly routes: Route[];

  constructor(private readonly options: RestOptions) {
    const app = options.ids.applicationId;
    this.routes = [
      ['GET', /^\/gateway\/bot$/, () => this.gatewayBot()],
      ['GET', /^\/gateway$/, () => ok({ url: options.gatewayUrl })],
      ['GET', /^\/applications\/([^/]+)\/commands$/, ([a]) => this.appOnly(a, () => ok(this.commands.global))],
      ['PUT', /^\/applications\/([^/]+)\/commands$/, ([a], r) => this.appOnly(a, () => this.putCommands(r.body))],
      ['GET', /^\/applications\/([^/]+)\/guilds\/([^/]+)\/commands$/, ([a, g]) => this.appOnly(a, () => ok(this.commands.guild.get(g!) ?? []))],
      ['PUT', /^\/applications\/([^/]+)\/guilds\/([^/]+)\/commands$/, ([a, g], r) => this.appOnly(a, () => this.putCommands(r.body, g))],
      ['POST', /^\/interactions\/([^/]+)\/([^/]+)\/callback$/, ([id, token], r) => this.callback(id!, token!, r)],
      ['POST', new RegExp(`^/webhooks/${app}/([^/]+)$`), ([token], r) => this.followUp(token!, r)],
      ['GET', new RegExp(`^/webhooks/${app}/([^/]+)/messages/([^/]+)$`), ([t, m]) => this.webhookMessage(t!, m!)],
      ['PATCH', new RegExp(`^/webhooks/${app}/([^/]+)/messages/([^/]+)$`), ([t, m], r) => this.editMessage(t!, m!, r)],
      ['DELETE', new RegExp(`^/webhooks/${app}/([^/]+)/messages/([^/]+)$`), ([t, m]) => this.deleteMessage(t!, m!)],
      ['POST', /^\/channels\/([^/]+)\/messages$/, ([channelId], r) => this.channelMessage(channelId!, r)],
    ];
  }

  registerInteraction(record: InteractionRecord): void {
    const state: InteractionState = { ...record, acknowledged: false, followUps: new Map() };
    this.interactions.set(record.id, state);
    this.interactionsByToken.set(record.token, state);
  }

  /** The form the bot showed in answer to the interaction, if it did. */
  modalShown(id: string): Json | undefined {
    return this.interactions.get(id)?.modal;
  }

  /** Forgets every interaction's state (see FakeDiscord.forgetHistory). */
  forgetInteractions(): void {
    this.interactions.clear();
    this.interactionsByToken.clear();
  }

  /**
   * Records an interactions endpoint's HTTP response as the interaction's callback (method POST,
   * the callback path, `viaEndpoint`), judged like a POSTed callback when the endpoint answered
   * 200; otherwise it keeps the endpoint's status.
   */
  recordEndpointResponse(id: string, token: string, status: number, body: unknown, receivedAt: number): RecordedRequest {
    const path = `/interactions/${id}/${token}/callback`;
    const request: RecordedRequest = { method: 'POST', path, rawPath: path, query: {}, headers: {}, body, files: [], receivedAt, viaEndpoint: true };
    this.requests.push(request);
    request.status = status === 200 ? this.callback(id, token, request).status : status;
    this.options.onChange();
    return request;
  }

  failNext(match: FaultMatch, response: FaultResponse | 'hang', times: number): void {
    this.faults.push({ ...match, response, remaining: times });
  }

  /** `rawPath` is the request path after the '/api/vN' prefix. */
  async handle(req: IncomingMessage, res: ServerResponse, rawPath: string, query: URLSearchParams): Promise<void> {
    const receivedAt = performance.now();
    const { body, files } = parseBody(await readBody(req), req.headers['content-type']);
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: rawPath.split('/').map(decodeURIComponent).join('/'),
      rawPath,
      query: Object.fromEntries(query),
      headers: req.headers,
      body,
      files,
      receivedAt,
    };
    this.requests.push(request);

    const fault = this.takeFault(request);
    if (fault === 'hang') {
      // Never answered; stop() destroys the connection.
      this.options.onChange();
      return;
    }
    const reply = fault ?? this.route(request);
    request.status = reply.status;
    this.options.onChange();
    send(res, reply);
  }

  private takeFault(request: RecordedRequest): FaultResponse | 'hang' | undefined {
    const index = this.faults.findIndex((fault) => {
      fault.path.lastIndex = 0;
      return (!fault.method || fault.method.toUpperCase() === request.method) && fault.path.test(request.path);
    });
    const fault = this.faults[index];
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.faults.splice(index, 1);
    return fault.response;
  }

  private route(request: RecordedRequest): Reply {
    for (const [method, pattern, handler] of this.routes) {
      const match = method === request.method ? pattern.exec(request.path) : null;
      if (match) return handler(match.slice(1), request);
    }
    return error(404, 0, '404: Not Found');
  }

  private gatewayBot(): Reply {
    const { gatewayUrl, shards, maxConcurrency } = this.options;
    return ok({
      url: gatewayUrl,
      shards,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: maxConcurrency },
    });
  }

  private appOnly(applicationId: string | undefined, handler: () => Reply): Reply {
    return applicationId === this.options.ids.applicationId ? handler() : error(404, 10002, 'Unknown Application');
  }

  private putCommands(body: unknown, guildId?: string): Reply {
    if (!Array.isArray(body)) return error(400, 50035, 'Invalid Form Body');
    const previous = (guildId ? this.commands.guild.get(guildId) : this.commands.global) as Json[] | undefined;
    const stored = body.map((command: Json) => ({
      type: 1,
      description: '',
      options: [],
      default_member_permissions: null,
      nsfw: false,
      ...command,
      // Discord keeps a command's id when it is overwritten under the same name.
      id: previous?.find((p) => p.name === command.name)?.id ?? snowflake(),
      application_id: this.options.ids.applicationId,
      version: snowflake(),
      ...(guildId ? { guild_id: guildId } : {}),
    }));
    if (guildId) this.commands.guild.set(guildId, stored);
    else this.commands.global = stored;
    return ok(stored);
  }

  private callback(id: string, token: string, request: RecordedRequest): Reply {
    const interaction = this.interactions.get(id);
    if (!interaction || interaction.token !== token) return error(404, 10062, 'Unknown interaction');
    if (performance.now() - interaction.sentAt > this.options.interactionDeadlineMs) {
      return error(404, 10062, 'Unknown interaction');
    }
    if (interaction.acknowledged) return error(400, 40060, 'Interaction has already been acknowledged.');
    const { type, data } = (request.body ?? {}) as { type?: number; data?: Json };
    if (type === undefined || !ALLOWED_CALLBACKS[interaction.type]?.includes(type)) {
      return error(400, 50035, `Invalid Form Body: callback type ${type} for interaction type ${interaction.type}`);
    }
    interaction.acknowledged = true;

    const fields = this.messageFields(data, request.files);
    if (type === 4) interaction.original = this.botMessage(interaction, fields);
    else if (type === 5) {
      interaction.original = this.botMessage(interaction, { flags: Number(data?.flags ?? 0) | LOADING_FLAG });
    } else if (type === 6) interaction.original = interaction.componentMessage;
    else if (type === 7) interaction.original = { ...interaction.componentMessage, ...fields };
    else if (type === 9) interaction.modal = data;

    if (request.query.with_response !== 'true') return { status: 204 };
    const flags = Number(interaction.original?.flags ?? 0);
    return ok({
      interaction: {
        id,
        type: interaction.type,
        response_message_id: interaction.original?.id,
        response_message_loading: type === 5,
        response_message_ephemeral: (flags & EPHEMERAL_FLAG) !== 0,
      },
      resource: { type, ...(interaction.original ? { message: interaction.original } : {}) },
    });
  }

  private followUp(token: string, request: RecordedRequest): Reply {
    const interaction = this.acknowledgedByToken(token);
    if (!interaction) return error(404, 10015, 'Unknown Webhook');
    const message = this.botMessage(interaction, this.messageFields(request.body, request.files), 0);
    interaction.followUps.set(String(message.id), message);
    return request.query.wait === 'true' ? ok(message) : { status: 204 };
  }

  private webhookMessage(token: string, messageId: string): Reply {
    const message = this.findWebhookMessage(token, messageId);
    return message ? ok(message) : error(404, 10008, 'Unknown Message');
  }

  private editMessage(token: string, messageId: string, request: RecordedRequest): Reply {
    const message = this.findWebhookMessage(token, messageId);
    if (!message) return error(404, 10008, 'Unknown Message');
    Object.assign(message, this.messageFields(request.body, request.files), {
      edited_timestamp: new Date().toISOString(),
      // Editing a deferred reply replaces the "thinking..." state.
      flags: Number((request.body as Json | undefined)?.flags ?? message.flags ?? 0) & ~LOADING_FLAG,
    });
    return ok(message);
  }

  private deleteMessage(token: string, messageId: string): Reply {
    const interaction = this.acknowledgedByToken(token);
    if (!interaction || !this.findWebhookMessage(token, messageId)) return error(404, 10008, 'Unknown Message');
    if (messageId === '@original') interaction.original = undefined;
    else interaction.followUps.delete(messageId);
    return { status: 204 };
  }

  private channelMessage(channelId: string, request: RecordedRequest): Reply {
    const fields = this.messageFields(request.body, request.files);
    return ok(messageObject({ channelId, guildId: this.options.ids.guildId, author: botUser(this.options.ids) }, fields));
  }

  private acknowledgedByToken(token: string): InteractionState | undefined {
    const interaction = this.interactionsByToken.get(token);
    return interaction?.acknowledged ? interaction : undefined;
  }

  private findWebhookMessage(token: string, messageId: string): Json | undefined {
    const interaction = this.acknowledgedByToken(token);
    if (!interaction) return undefined;
    return messageId === '@original' ? interaction.original : interaction.followUps.get(messageId);
  }

  private botMessage(interaction: InteractionState, fields: Json, type = interaction.responseMessageType): Json {
    const { ids } = this.options;
    return messageObject(
      {
        channelId: interaction.channelId,
        guildId: ids.guildId,
        author: botUser(ids),
        type,
        webhookId: ids.applicationId,
        applicationId: ids.applicationId,
      },
      fields,
    );
  }

  /** Message fields of a request body, with uploaded files turned into attachments served by the CDN. */
  private messageFields(body: unknown, files: RecordedFile[]): Json {
    const fields = pickMessageFields(body);
    if (!Array.isArray(fields.attachments)) return fields;
    fields.attachments = (fields.attachments as Json[]).map((attachment) => {
      const file = files.find((f) => f.field === `files[${String(attachment.id)}]`);
      if (!file) return attachment;
      const filename = String(attachment.filename ?? file.filename);
      const url = this.options.cdn.serve(filename, file.data, { contentType: file.contentType });
      return {
        id: snowflake(),
        filename,
        size: file.data.length,
        url,
        proxy_url: url,
        ...(file.contentType ? { content_type: file.contentType } : {}),
        ...(attachment.description ? { description: attachment.description } : {}),
      };
    });
    return fields;
  }
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function error(status: number, code: number, message: string): Reply {
  return { status, body: { message, code } };
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const json = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(json)),
    ...headers,
  });
  res.end(json);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer, contentType: string | undefined): { body: unknown; files: RecordedFile[] } {
  if (raw.length === 0) return { body: undefined, files: [] };
  const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (boundary) {
    const parts = parseMultipart(raw, boundary);
    const payload = parts.find((part) => part.field === 'payload_json');
    return {
      body: payload ? parseJson(payload.data.toString('utf8')) : undefined,
      files: parts.filter((part): part is RecordedFile => part.filename !== undefined),
    };
  }
  const text = raw.toString('utf8');
  return { body: /json/i.test(contentType ?? '') ? parseJson(text) : text, files: [] };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type Part = Omit<RecordedFile, 'filename'> & { filename?: string };

/** Enough of RFC 7578 for what undici's FormData produces. */
function parseMultipart(raw: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    start += delimiter.length;
    // '--' after a delimiter marks the end of the body.
    if (raw[start] === 0x2d && raw[start + 1] === 0x2d) break;
    const next = raw.indexOf(delimiter, start);
    if (next === -1) break;
    // Each part sits between the CRLF after its delimiter and the CRLF before the next one.
    const part = raw.subarray(start + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    parts.push({
      field: /;\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? '',
      filename: /;\s*filename="([^"]*)"/i.exec(disposition)?.[1],
      contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim(),
      data: part.subarray(headerEnd + 4),
    });
    start = next;
  }
  return parts;
}
