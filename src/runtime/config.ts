/** The bot's configuration, read from the environment (and `.env`), validated once at start. */
import { isIP } from 'node:net';
import path from 'node:path';
import { config as loadDotenv } from 'dotenv';

export interface BotConfig {
  /** Bot token from the Developer Portal. Secret: never logged (see logger redaction). */
  token: string;
  /** Application (client) id: where commands are registered. */
  clientId: string;
  /** Register commands in this server only (instant, for development); else globally. */
  guildId?: string;
  /** REST base URL for discord.js (`rest.api`), e.g. a proxy; default Discord's own. */
  apiUrl?: string;
  /** Where attachments may be downloaded from (moderators' `/corpus add`). */
  cdnUrl: string;
  corpusDir: string;
  /**
   * Where the bot keeps its own files: the saved search index and vectors (`index/`, `vectors/`,
   * rebuilt when missing) and feedback (`feedback/`). Never inside `corpusDir`.
   */
  cacheDir: string;
  /**
   * Answer by meaning as well as words (a sentence encoder in the engine's workers); false runs
   * the lexical engine alone, e.g. on a small machine.
   */
  semantic: boolean;
  /** Reload when files in `corpusDir` change. */
  corpusWatch: boolean;
  logLevel: string;
  /** Pretty, human-readable logs instead of JSON lines. */
  logPretty: boolean;
  /** Roles whose members may use moderator commands, besides those with Manage Server. */
  moderatorRoleIds: string[];
  /** Channel that gets a short notice of every corpus change. */
  auditChannelId?: string;
  /** Seconds a member waits between questions (0 turns the cooldown off). */
  askCooldownSeconds: number;
  /** Largest article a moderator may upload, in bytes. */
  maxUploadBytes: number;
  /** Most articles one server may add of its own (0: servers cannot add any). */
  serverMaxArticles: number;
  /** Most bytes one server's own articles may take, together. */
  serverMaxBytes: number;
  /** Most passages one server's own articles may make, together: what bounds the memory they take. */
  serverMaxPassages: number;
  /**
   * Links moderators add may point at this machine and its private network (loopback, private,
   * unique-local): tests and intranet deployments. Link-local stays refused either way.
   */
  fetchAllowPrivate: boolean;
  /** Seconds between two polls of a followed feed (each feed at its own moment within them). */
  feedPollSeconds: number;
  /** Most feeds one server may follow (0: servers cannot follow feeds). */
  serverMaxFeeds: number;
  /**
   * How `npm run start:sharded` runs its shards: `internal`, all in one process sharing one index
   * (discord.js internal sharding); `process`, one process per shard (ShardingManager), each with
   * its own copy of the index.
   */
  shardingMode: 'internal' | 'process';
  /**
   * The application's public key (Developer Portal → General Information), as 64 hex digits:
   * the HTTP endpoint (`npm run start:http`) checks every request's Ed25519 signature with it.
   * Required only there.
   */
  publicKey?: string;
  /** Port of the HTTP interactions endpoint (`npm run start:http`), which also serves /healthz and /metrics. */
  httpPort: number;
  /** The address the HTTP endpoint listens on; none: every interface (Discord must reach it). */
  httpHost?: string;
  /** The gateway bot serves /healthz and /metrics on this port when set; off by default. */
  metricsPort?: number;
  /** The address the gateway bot's /healthz and /metrics listen on: this machine only unless set. */
  metricsHost: string;
  /**
   * PostgreSQL as the store of record (`postgres://user:password@host:port/database`): each
   * server's own articles and feedback live there, shared by every host; none: files in
   * CORPUS_DIR and CACHE_DIR. Secret like the token: it holds the password (see logger redaction).
   */
  databaseUrl?: string;
}

/** Which entry point the configuration is for: the HTTP endpoint also needs the public key. */
export type Transport = 'gateway' | 'http';

export type ConfigResult = { ok: true; config: BotConfig } | { ok: false; problems: string[] };

const SNOWFLAKE = /^\d{17,20}$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Validates `env`. Every problem is reported at once, each in a sentence an operator can act on. */
export function loadConfig(env: NodeJS.ProcessEnv, transport: Transport = 'gateway'): ConfigResult {
  const problems: string[] = [];
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw === '' ? undefined : raw;
  };
  const snowflake = (name: string, required: boolean) => {
    const raw = value(name);
    if (raw === undefined) {
      if (required) problems.push(`${name} is missing: set it to your application's id (Developer Portal → General Information).`);
    } else if (!SNOWFLAKE.test(raw)) problems.push(`${name} must be a Discord id (17–20 digits), not "${raw}".`);
    return raw;
  };
  const url = (name: string, fallback?: string) => {
    const raw = value(name) ?? fallback;
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL, not "${raw}".`);
      return undefined;
    }
  };
  const boolean = (name: string, fallback: boolean) => {
    const raw = value(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false, not "${raw}".`);
    return fallback;
  };
  const count = (name: string, fallback: number, max: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > max) {
      problems.push(`${name} must be a whole number from 0 to ${max}, not "${raw}".`);
      return fallback;
    }
    return parsed;
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = value(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be ${allowed.join(' or ')}, not "${raw}".`);
    return fallback;
  };

  const token = value('DISCORD_TOKEN');
  if (token === undefined) problems.push('DISCORD_TOKEN is missing: copy your bot token (Developer Portal → Bot → Reset Token) into .env.');
  else if (/\s/.test(token)) problems.push('DISCORD_TOKEN contains spaces: paste the token alone, without quotes or "Bot ".');
  const clientId = snowflake('DISCORD_CLIENT_ID', true);
  const guildId = snowflake('DISCORD_GUILD_ID', false);
  const auditChannelId = snowflake('AUDIT_CHANNEL_ID', false);
  const moderatorRoleIds = (value('MODERATOR_ROLE_IDS') ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  for (const id of moderatorRoleIds) if (!SNOWFLAKE.test(id)) problems.push(`MODERATOR_ROLE_IDS must be comma-separated role ids, and "${id}" is not one.`);
  const corpusDir = value('CORPUS_DIR') ?? './corpus';
  const cacheDir = value('CACHE_DIR') ?? './.cache';
  const fromCorpus = path.relative(path.resolve(corpusDir), path.resolve(cacheDir));
  if (!fromCorpus.startsWith('..') && !path.isAbsolute(fromCorpus)) {
    problems.push(`CACHE_DIR must be a folder outside CORPUS_DIR (which holds only articles), not "${cacheDir}"; the default, ./.cache, is.`);
  }
  const publicKey = value('DISCORD_PUBLIC_KEY')?.toLowerCase();
  if (publicKey === undefined) {
    if (transport === 'http')
      problems.push(
        'DISCORD_PUBLIC_KEY is missing: the HTTP endpoint needs it to check that requests come from Discord (Developer Portal → General Information → Public Key).',
      );
  } else if (!/^[0-9a-f]{64}$/.test(publicKey))
    problems.push(
      `DISCORD_PUBLIC_KEY must be the 64 hexadecimal digits of your application's Public Key (Developer Portal → General Information), not "${publicKey}".`,
    );
  const port = (name: string) => {
    const raw = value(name);
    if (raw === undefined) return undefined;
    const parsed = Number(raw);
    if (Number.isInteger(parsed) && parsed >= 1 && parsed <= 65535) return parsed;
    problems.push(`${name} must be a port number from 1 to 65535, not "${raw}".`);
    return undefined;
  };
  const host = (name: string) => {
    const raw = value(name);
    if (raw === undefined || isIP(raw) !== 0) return raw;
    problems.push(`${name} must be an IP address of this machine to listen on (127.0.0.1: this machine only; 0.0.0.0 or ::, every interface), not "${raw}".`);
    return undefined;
  };
  const databaseUrl = () => {
    const raw = value('DATABASE_URL');
    if (raw === undefined) return undefined;
    const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
    if (parsed && ['postgres:', 'postgresql:'].includes(parsed.protocol) && parsed.hostname !== '' && parsed.pathname.length > 1) return raw;
    // Never echoed, unlike other settings: it holds the database's password.
    problems.push(
      'DATABASE_URL must be a PostgreSQL connection string, postgres://USER:PASSWORD@HOST:PORT/DATABASE (or empty: articles and feedback in files).',
    );
    return undefined;
  };
  const logLevel = value('LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}".`);

  const config: BotConfig = {
    token: token ?? '',
    clientId: clientId ?? '',
    guildId,
    apiUrl: url('DISCORD_API_URL'),
    cdnUrl: url('DISCORD_CDN_URL', 'https://cdn.discordapp.com')!,
    corpusDir,
    cacheDir,
    semantic: boolean('SEMANTIC', true),
    corpusWatch: boolean('CORPUS_WATCH', false),
    logLevel,
    logPretty: boolean('LOG_PRETTY', env.NODE_ENV === 'development'),
    moderatorRoleIds,
    auditChannelId,
    askCooldownSeconds: count('ASK_COOLDOWN_SECONDS', 10, 3600),
    maxUploadBytes: count('MAX_UPLOAD_BYTES', 512 * 1024, 1024 * 1024),
    serverMaxArticles: count('SERVER_MAX_ARTICLES', 50, 100_000),
    serverMaxBytes: count('SERVER_MAX_BYTES', 5 * 1024 * 1024, 1024 * 1024 * 1024),
    serverMaxPassages: count('SERVER_MAX_PASSAGES', 2_000, 1_000_000),
    fetchAllowPrivate: boolean('FETCH_ALLOW_PRIVATE', false),
    feedPollSeconds: Math.max(1, count('FEED_POLL_SECONDS', 1800, 7 * 24 * 3600)),
    serverMaxFeeds: count('SERVER_MAX_FEEDS', 5, 100),
    shardingMode: oneOf('SHARDING_MODE', ['internal', 'process'] as const, 'internal'),
    publicKey,
    httpPort: port('HTTP_PORT') ?? 8080,
    httpHost: host('HTTP_HOST'),
    metricsPort: port('METRICS_PORT'),
    metricsHost: host('METRICS_HOST') ?? '127.0.0.1',
    databaseUrl: databaseUrl(),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/**
 * For entry points: reads `.env` (never overriding the real environment), validates, and on any
 * problem prints them all, one per line, and exits 1: an operator sees what to fix, not a stack.
 */
export function configOrExit(purpose: string, transport: Transport = 'gateway'): BotConfig {
  loadDotenv({ quiet: true });
  const result = loadConfig(process.env, transport);
  if (result.ok) return result.config;
  console.error(`${purpose}. Fix these settings (see .env.example):\n${result.problems.map((problem) => `  - ${problem}`).join('\n')}`);
  process.exit(1);
}
