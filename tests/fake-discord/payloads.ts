// Builders for the JSON objects the fake sends: users, members, the guild, messages and
// interactions. They follow the Discord API v10 shapes closely enough for discord.js 14 to
// build its structures without missing-field crashes or waiting on timeouts.
import { randomBytes } from 'node:crypto';

const DISCORD_EPOCH = 1420070400000n;
let snowflakeIncrement = 0n;

/** A snowflake for "now", unique within this process. */
export function snowflake(): string {
  snowflakeIncrement = (snowflakeIncrement + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | snowflakeIncrement).toString();
}

/** Interaction tokens are long opaque URL-safe strings. */
export function randomToken(): string {
  return `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
}

/** The shard that Discord routes a guild's events to. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

export const Permissions = {
  CreateInstantInvite: 1n << 0n,
  Administrator: 1n << 3n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  UseExternalEmojis: 1n << 18n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  ChangeNickname: 1n << 26n,
  UseApplicationCommands: 1n << 31n,
  CreatePublicThreads: 1n << 35n,
  SendMessagesInThreads: 1n << 38n,
} as const;

/** An ordinary member: can chat and use commands, but has neither ManageGuild nor Administrator. */
export const DEFAULT_MEMBER_PERMISSIONS =
  Permissions.CreateInstantInvite |
  Permissions.AddReactions |
  Permissions.ViewChannel |
  Permissions.SendMessages |
  Permissions.EmbedLinks |
  Permissions.AttachFiles |
  Permissions.ReadMessageHistory |
  Permissions.UseExternalEmojis |
  Permissions.Connect |
  Permissions.Speak |
  Permissions.ChangeNickname |
  Permissions.UseApplicationCommands |
  Permissions.CreatePublicThreads |
  Permissions.SendMessagesInThreads;

export interface MemberOptions {
  userId?: string;
  username?: string;
  permissions?: bigint | string;
  roles?: string[];
}

export interface FakeIds {
  applicationId: string;
  botUserId: string;
  guildId: string;
  channelId: string;
  ownerId: string;
  /** Roles besides @everyone. */
  roleIds: string[];
  /** Further guilds the bot is in, each with one text channel (see `inGuild`). */
  extraGuildIds: string[];
}

/** The ids as seen from one of the bot's guilds: an extra guild's one text channel has the guild's id + 1. */
export function inGuild(ids: FakeIds, guildId: string): FakeIds {
  if (guildId === ids.guildId) return ids;
  if (!ids.extraGuildIds.includes(guildId)) throw new Error(`The fake has no guild ${guildId}; list it in the guildIds option`);
  return { ...ids, guildId, channelId: String(BigInt(guildId) + 1n) };
}

/** Every guild the bot is in, each as `inGuild` sees it. */
export function everyGuild(ids: FakeIds): FakeIds[] {
  return [ids.guildId, ...ids.extraGuildIds].map((guildId) => inGuild(ids, guildId));
}

export const DEFAULT_MEMBER_USER_ID = '1000000000000000042';
const TIMESTAMP = '2024-01-01T00:00:00.000000+00:00';

export type Json = Record<string, unknown>;

export function userObject(id: string, username: string, bot = false): Json {
  return {
    id,
    username,
    discriminator: '0',
    global_name: bot ? null : username,
    avatar: null,
    bot,
    system: false,
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
}

export function botUser(ids: FakeIds): Json {
  return { ...userObject(ids.botUserId, 'citebot', true), verified: true, mfa_enabled: false };
}

export function memberObject(options: MemberOptions = {}): Json {
  const userId = options.userId ?? DEFAULT_MEMBER_USER_ID;
  return {
    user: userObject(userId, options.username ?? `user${userId.slice(-4)}`),
    nick: null,
    avatar: null,
    banner: null,
    roles: options.roles ?? [],
    joined_at: TIMESTAMP,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
    permissions: String(options.permissions ?? DEFAULT_MEMBER_PERMISSIONS),
  };
}

export function textChannel(ids: FakeIds): Json {
  return {
    id: ids.channelId,
    type: 0,
    guild_id: ids.guildId,
    name: 'general',
    position: 0,
    permission_overwrites: [],
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    parent_id: null,
    flags: 0,
  };
}

/** A public thread in the guild's text channel, as an interaction's partial channel (its id: the channel's + 1000). */
export function threadChannel(ids: FakeIds): Json {
  return {
    id: String(BigInt(ids.channelId) + 1000n),
    type: 11,
    guild_id: ids.guildId,
    parent_id: ids.channelId,
    name: 'a thread',
    owner_id: ids.ownerId,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: TIMESTAMP, locked: false },
  };
}

/**
 * A form's components as Discord sends them back on submit: each text field with what was typed
 * into it (`values` by custom_id; '' if nothing), every component with its id (Discord numbers
 * those the bot left out, in order).
 */
export function submittedComponents(components: Json[], values: Record<string, string>): Json[] {
  let nextId = 0;
  const submit = (component: Json): Json => {
    const id = component.id ?? ++nextId;
    if (component.type === 18) return { type: 18, id, component: submit(component.component as Json) };
    if (component.type === 1) return { type: 1, id, components: (component.components as Json[]).map(submit) };
    if (component.type === 4) return { type: 4, id, custom_id: component.custom_id, value: values[String(component.custom_id)] ?? '' };
    return { type: component.type, id };
  };
  return components.map(submit);
}

export function readyPayload(ids: FakeIds, sessionId: string, resumeUrl: string, shard: [number, number] | undefined, ownedGuildIds: string[]): Json {
  return {
    v: 10,
    user: botUser(ids),
    guilds: ownedGuildIds.map((id) => ({ id, unavailable: true })),
    session_id: sessionId,
    resume_gateway_url: resumeUrl,
    session_type: 'normal',
    application: { id: ids.applicationId, flags: 0 },
    private_channels: [],
    relationships: [],
    presences: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: [],
    user_settings: {},
    ...(shard ? { shard } : {}),
  };
}

export function guildCreatePayload(ids: FakeIds): Json {
  return {
    id: ids.guildId,
    name: 'Fake Guild',
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: ids.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'en-US',
    features: [],
    application_id: null,
    system_channel_id: ids.channelId,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    max_members: 500000,
    max_video_channel_users: 25,
    roles: [ids.guildId, ...ids.roleIds].map((id, position) => ({
      // Discord's @everyone role always shares the guild's id.
      id,
      name: position === 0 ? '@everyone' : `role ${position}`,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position,
      permissions: position === 0 ? String(DEFAULT_MEMBER_PERMISSIONS) : '0',
      managed: false,
      mentionable: false,
      flags: 0,
    })),
    emojis: [],
    stickers: [],
    joined_at: TIMESTAMP,
    large: false,
    unavailable: false,
    member_count: 2,
    voice_states: [],
    members: [{ ...memberObject({ userId: ids.botUserId }), user: botUser(ids) }],
    channels: [textChannel(ids)],
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export interface MessageInit {
  channelId: string;
  guildId?: string;
  author: Json;
  type?: number;
  webhookId?: string;
  applicationId?: string;
}

export function messageObject(init: MessageInit, fields: Json = {}): Json {
  return {
    id: snowflake(),
    channel_id: init.channelId,
    ...(init.guildId ? { guild_id: init.guildId } : {}),
    author: init.author,
    content: '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    type: init.type ?? 0,
    flags: 0,
    ...(init.webhookId ? { webhook_id: init.webhookId } : {}),
    ...(init.applicationId ? { application_id: init.applicationId } : {}),
    ...fields,
  };
}

/** The message fields a create/edit request body may set. */
const EDITABLE_MESSAGE_FIELDS = ['content', 'embeds', 'components', 'flags', 'attachments', 'poll'] as const;

export function pickMessageFields(body: unknown): Json {
  const picked: Json = {};
  if (typeof body !== 'object' || body === null) return picked;
  for (const field of EDITABLE_MESSAGE_FIELDS) {
    if (field in body) picked[field] = (body as Json)[field];
  }
  return picked;
}
