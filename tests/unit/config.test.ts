/** loadConfig: defaults, every problem an operator can be shown, and all of them at once. */
import { describe, expect, it } from 'vitest';
import { loadConfig, type BotConfig, type ConfigResult } from '../../src/runtime/config.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.fake-token.for-tests-only';
const CLIENT_ID = '1100000000000000001';
const MINIMAL = { DISCORD_TOKEN: TOKEN, DISCORD_CLIENT_ID: CLIENT_ID };

function config(env: NodeJS.ProcessEnv): BotConfig {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`unexpected problems: ${result.problems.join(' | ')}`);
  return result.config;
}

function problems(env: NodeJS.ProcessEnv): string[] {
  const result: ConfigResult = loadConfig(env);
  if (result.ok) throw new Error('expected problems, got a valid configuration');
  return result.problems;
}

describe('loadConfig', () => {
  it('accepts the token and client id alone, with every other setting at its default', () => {
    expect(config(MINIMAL)).toEqual({
      token: TOKEN,
      clientId: CLIENT_ID,
      guildId: undefined,
      apiUrl: undefined,
      cdnUrl: 'https://cdn.discordapp.com',
      corpusDir: './corpus',
      cacheDir: './.cache',
      semantic: true,
      corpusWatch: false,
      logLevel: 'info',
      logPretty: false,
      moderatorRoleIds: [],
      auditChannelId: undefined,
      askCooldownSeconds: 10,
      maxUploadBytes: 512 * 1024,
      serverMaxArticles: 50,
      serverMaxBytes: 5 * 1024 * 1024,
      serverMaxPassages: 2_000,
      fetchAllowPrivate: false,
      feedPollSeconds: 1800,
      serverMaxFeeds: 5,
      shardingMode: 'internal',
      publicKey: undefined,
      httpPort: 8080,
      httpHost: undefined,
      metricsPort: undefined,
      metricsHost: '127.0.0.1',
    } satisfies BotConfig);
  });

  it('treats empty and blank values as unset, as a copied .env.example leaves them', () => {
    expect(
      config({ ...MINIMAL, DISCORD_GUILD_ID: '', DISCORD_CDN_URL: ' ', CORPUS_DIR: '', ASK_COOLDOWN_SECONDS: '', LOG_PRETTY: '', NODE_ENV: 'development' }),
    ).toMatchObject({
      guildId: undefined,
      cdnUrl: 'https://cdn.discordapp.com',
      corpusDir: './corpus',
      askCooldownSeconds: 10,
      logPretty: true,
    });
  });

  it('reads every setting, trimmed, URLs without their trailing slash', () => {
    expect(
      config({
        DISCORD_TOKEN: ` ${TOKEN} `,
        DISCORD_CLIENT_ID: CLIENT_ID,
        DISCORD_GUILD_ID: '1150000000000000000',
        DISCORD_API_URL: 'http://127.0.0.1:8080/api/',
        DISCORD_CDN_URL: 'https://cdn.example.com/attachments//',
        CORPUS_DIR: '/srv/articles',
        CACHE_DIR: '/var/cache/citebot',
        SEMANTIC: 'off',
        CORPUS_WATCH: 'Yes',
        LOG_LEVEL: 'DEBUG',
        LOG_PRETTY: 'on',
        MODERATOR_ROLE_IDS: ' 123456789012345678 , 234567890123456789,',
        AUDIT_CHANNEL_ID: '1150000000000000001',
        ASK_COOLDOWN_SECONDS: '0',
        MAX_UPLOAD_BYTES: '1048576',
        SERVER_MAX_ARTICLES: '0',
        SERVER_MAX_BYTES: '1000000',
        SERVER_MAX_PASSAGES: '500',
        FETCH_ALLOW_PRIVATE: 'True',
        FEED_POLL_SECONDS: '60',
        SERVER_MAX_FEEDS: '2',
        SHARDING_MODE: 'Process',
        DISCORD_PUBLIC_KEY: ' ' + 'AB12'.repeat(16) + ' ',
        HTTP_PORT: '3000',
        HTTP_HOST: ' :: ',
        METRICS_PORT: '9464',
        METRICS_HOST: '0.0.0.0',
      }),
    ).toEqual({
      token: TOKEN,
      clientId: CLIENT_ID,
      guildId: '1150000000000000000',
      apiUrl: 'http://127.0.0.1:8080/api',
      cdnUrl: 'https://cdn.example.com/attachments',
      corpusDir: '/srv/articles',
      cacheDir: '/var/cache/citebot',
      semantic: false,
      corpusWatch: true,
      logLevel: 'debug',
      logPretty: true,
      moderatorRoleIds: ['123456789012345678', '234567890123456789'],
      auditChannelId: '1150000000000000001',
      askCooldownSeconds: 0,
      maxUploadBytes: 1024 * 1024,
      serverMaxArticles: 0,
      serverMaxBytes: 1_000_000,
      serverMaxPassages: 500,
      fetchAllowPrivate: true,
      feedPollSeconds: 60,
      serverMaxFeeds: 2,
      shardingMode: 'process',
      publicKey: 'ab12'.repeat(16),
      httpPort: 3000,
      httpHost: '::',
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
    } satisfies BotConfig);
  });

  it('accepts a cache folder beside the corpus whose name merely starts like it', () => {
    expect(config({ ...MINIMAL, CORPUS_DIR: '/srv/articles', CACHE_DIR: '/srv/articles-cache' }).cacheDir).toBe('/srv/articles-cache');
  });

  it('pretty-prints logs by default only under NODE_ENV=development, and LOG_PRETTY overrides it', () => {
    expect(config({ ...MINIMAL, NODE_ENV: 'development' }).logPretty).toBe(true);
    expect(config({ ...MINIMAL, NODE_ENV: 'production' }).logPretty).toBe(false);
    expect(config({ ...MINIMAL, NODE_ENV: 'development', LOG_PRETTY: 'false' }).logPretty).toBe(false);
    expect(config({ ...MINIMAL, NODE_ENV: 'production', LOG_PRETTY: 'true' }).logPretty).toBe(true);
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['a missing token', { DISCORD_CLIENT_ID: CLIENT_ID }, 'DISCORD_TOKEN is missing: copy your bot token (Developer Portal → Bot → Reset Token) into .env.'],
    ['a token with a space', { ...MINIMAL, DISCORD_TOKEN: `Bot ${TOKEN}` }, 'DISCORD_TOKEN contains spaces: paste the token alone, without quotes or "Bot ".'],
    [
      'a missing client id',
      { DISCORD_TOKEN: TOKEN },
      "DISCORD_CLIENT_ID is missing: set it to your application's id (Developer Portal → General Information).",
    ],
    [
      'a client id that is not a snowflake',
      { ...MINIMAL, DISCORD_CLIENT_ID: 'my-bot' },
      'DISCORD_CLIENT_ID must be a Discord id (17–20 digits), not "my-bot".',
    ],
    ['a guild id too short', { ...MINIMAL, DISCORD_GUILD_ID: '1234' }, 'DISCORD_GUILD_ID must be a Discord id (17–20 digits), not "1234".'],
    ['an audit channel that is not an id', { ...MINIMAL, AUDIT_CHANNEL_ID: '#audit' }, 'AUDIT_CHANNEL_ID must be a Discord id (17–20 digits), not "#audit".'],
    ['an API URL that is not a URL', { ...MINIMAL, DISCORD_API_URL: 'localhost:8080' }, 'DISCORD_API_URL must be an http(s) URL, not "localhost:8080".'],
    [
      'a CDN URL that is not http(s)',
      { ...MINIMAL, DISCORD_CDN_URL: 'ftp://cdn.example.com' },
      'DISCORD_CDN_URL must be an http(s) URL, not "ftp://cdn.example.com".',
    ],
    ['a boolean that is not one', { ...MINIMAL, CORPUS_WATCH: 'sometimes' }, 'CORPUS_WATCH must be true or false, not "sometimes".'],
    ['LOG_PRETTY that is not a boolean', { ...MINIMAL, LOG_PRETTY: '2' }, 'LOG_PRETTY must be true or false, not "2".'],
    ['a negative cooldown', { ...MINIMAL, ASK_COOLDOWN_SECONDS: '-1' }, 'ASK_COOLDOWN_SECONDS must be a whole number from 0 to 3600, not "-1".'],
    ['a cooldown over an hour', { ...MINIMAL, ASK_COOLDOWN_SECONDS: '3601' }, 'ASK_COOLDOWN_SECONDS must be a whole number from 0 to 3600, not "3601".'],
    ['a fractional cooldown', { ...MINIMAL, ASK_COOLDOWN_SECONDS: '1.5' }, 'ASK_COOLDOWN_SECONDS must be a whole number from 0 to 3600, not "1.5".'],
    ['an upload limit over 1 MiB', { ...MINIMAL, MAX_UPLOAD_BYTES: '1048577' }, 'MAX_UPLOAD_BYTES must be a whole number from 0 to 1048576, not "1048577".'],
    ['an upload limit with a unit', { ...MINIMAL, MAX_UPLOAD_BYTES: '512k' }, 'MAX_UPLOAD_BYTES must be a whole number from 0 to 1048576, not "512k".'],
    [
      'a server article quota that is not a number',
      { ...MINIMAL, SERVER_MAX_ARTICLES: 'fifty' },
      'SERVER_MAX_ARTICLES must be a whole number from 0 to 100000, not "fifty".',
    ],
    ['a server byte quota with a unit', { ...MINIMAL, SERVER_MAX_BYTES: '5MiB' }, 'SERVER_MAX_BYTES must be a whole number from 0 to 1073741824, not "5MiB".'],
    [
      'a server passage quota that is not a count',
      { ...MINIMAL, SERVER_MAX_PASSAGES: '2k' },
      'SERVER_MAX_PASSAGES must be a whole number from 0 to 1000000, not "2k".',
    ],
    ['an unknown sharding mode', { ...MINIMAL, SHARDING_MODE: 'cluster' }, 'SHARDING_MODE must be internal or process, not "cluster".'],
    ['an unknown log level', { ...MINIMAL, LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "verbose".'],
    [
      'a cache folder inside the corpus',
      { ...MINIMAL, CORPUS_DIR: '/srv/articles', CACHE_DIR: '/srv/articles/.cache' },
      'CACHE_DIR must be a folder outside CORPUS_DIR (which holds only articles), not "/srv/articles/.cache"; the default, ./.cache, is.',
    ],
    [
      'the corpus folder as the cache folder',
      { ...MINIMAL, CACHE_DIR: 'corpus/' },
      'CACHE_DIR must be a folder outside CORPUS_DIR (which holds only articles), not "corpus/"; the default, ./.cache, is.',
    ],
    [
      'a role list with a name in it',
      { ...MINIMAL, MODERATOR_ROLE_IDS: '123456789012345678,Moderators' },
      'MODERATOR_ROLE_IDS must be comma-separated role ids, and "Moderators" is not one.',
    ],
    [
      'a public key that is not 64 hex digits',
      { ...MINIMAL, DISCORD_PUBLIC_KEY: 'a1b2c3' },
      'DISCORD_PUBLIC_KEY must be the 64 hexadecimal digits of your application\'s Public Key (Developer Portal → General Information), not "a1b2c3".',
    ],
    ['an HTTP port out of range', { ...MINIMAL, HTTP_PORT: '70000' }, 'HTTP_PORT must be a port number from 1 to 65535, not "70000".'],
    ['a metrics port that is not a number', { ...MINIMAL, METRICS_PORT: 'metrics' }, 'METRICS_PORT must be a port number from 1 to 65535, not "metrics".'],
    [
      'a metrics address that is a host name',
      { ...MINIMAL, METRICS_HOST: 'metrics.example.com' },
      'METRICS_HOST must be an IP address of this machine to listen on (127.0.0.1: this machine only; 0.0.0.0 or ::, every interface), not "metrics.example.com".',
    ],
    [
      'an HTTP address with a port',
      { ...MINIMAL, HTTP_HOST: '0.0.0.0:8080' },
      'HTTP_HOST must be an IP address of this machine to listen on (127.0.0.1: this machine only; 0.0.0.0 or ::, every interface), not "0.0.0.0:8080".',
    ],
  ])('refuses %s, saying what to do', (_case, env, problem) => {
    expect(problems(env)).toEqual([problem]);
  });

  it('reads DATABASE_URL, a PostgreSQL connection string, and refuses anything else without echoing it (it holds the password)', () => {
    expect(config(MINIMAL).databaseUrl).toBeUndefined();
    const url = 'postgresql://citebot:s3cret@db.example.net:5432/citebot?sslmode=require';
    expect(config({ ...MINIMAL, DATABASE_URL: ` ${url} ` }).databaseUrl).toBe(url);
    expect(config({ ...MINIMAL, DATABASE_URL: 'postgres://citebot:s3cret@localhost/citebot' }).databaseUrl).toBe('postgres://citebot:s3cret@localhost/citebot');
    for (const wrong of ['mysql://citebot:s3cret@db/citebot', 'postgres://citebot:s3cret@db.example.net', 'citebot:s3cret@db.example.net/citebot']) {
      const found = problems({ ...MINIMAL, DATABASE_URL: wrong });
      expect(found).toEqual([
        'DATABASE_URL must be a PostgreSQL connection string, postgres://USER:PASSWORD@HOST:PORT/DATABASE (or empty: articles and feedback in files).',
      ]);
      expect(found.join()).not.toContain('s3cret');
    }
  });

  it('needs the public key only for the HTTP endpoint', () => {
    expect(config(MINIMAL).publicKey).toBeUndefined();
    const result = loadConfig(MINIMAL, 'http');
    expect(result.ok ? [] : result.problems).toEqual([
      'DISCORD_PUBLIC_KEY is missing: the HTTP endpoint needs it to check that requests come from Discord (Developer Portal → General Information → Public Key).',
    ]);
    expect(loadConfig({ ...MINIMAL, DISCORD_PUBLIC_KEY: 'f'.repeat(64) }, 'http').ok).toBe(true);
  });

  it('reports every problem at once', () => {
    const found = problems({
      DISCORD_CLIENT_ID: 'abc',
      DISCORD_API_URL: 'nope',
      CORPUS_WATCH: 'maybe',
      ASK_COOLDOWN_SECONDS: 'ten',
      LOG_LEVEL: 'loud',
      MODERATOR_ROLE_IDS: 'mods,admins',
    });
    expect(found.map((problem) => problem.split(' ')[0]).sort()).toEqual([
      'ASK_COOLDOWN_SECONDS',
      'CORPUS_WATCH',
      'DISCORD_API_URL',
      'DISCORD_CLIENT_ID',
      'DISCORD_TOKEN',
      'LOG_LEVEL',
      'MODERATOR_ROLE_IDS',
      'MODERATOR_ROLE_IDS',
    ]);
  });
});
