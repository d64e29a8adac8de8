/** Structured logs (pino): JSON lines in production, pretty in development; secrets redacted. */
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { BotConfig } from './config.js';

export type { Logger };

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log object: the bot token and
 * interaction tokens (each is a credential for replying as the bot for 15 minutes), and the
 * database's connection string (it holds the database's password).
 */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  '*.*.token',
  'config.token',
  'DISCORD_TOKEN',
  '*.DISCORD_TOKEN',
  'headers.authorization',
  '*.headers.authorization',
  'authorization',
  'databaseUrl',
  '*.databaseUrl',
  'DATABASE_URL',
  '*.DATABASE_URL',
  'connectionString',
  '*.connectionString',
  'password',
  '*.password',
];

/** The token segment of interaction and webhook URLs (`/interactions/{id}/{token}/…`, `/webhooks/{app}/{token}`). */
const URL_TOKEN = /((?:interactions|webhooks)\/\d+\/)[^/?\s"']+/g;

/** `text` with any interaction or webhook token, and each of `secrets` (the bot token, the database's password), replaced. */
export function scrubSecrets(text: string, ...secrets: string[]): string {
  let scrubbed = text.replace(URL_TOKEN, '$1[redacted]');
  for (const secret of secrets) if (secret) scrubbed = scrubbed.replaceAll(secret, '[redacted]');
  return scrubbed;
}

/**
 * What text must never show of the configuration: the bot token, and the database's connection
 * string and password (a password shorter than 4 characters would redact common words, and is
 * hidden only as part of the string).
 */
function secretsOf({ token, databaseUrl }: Pick<BotConfig, 'token' | 'databaseUrl'>): string[] {
  const password = databaseUrl && URL.canParse(databaseUrl) ? decodeURIComponent(new URL(databaseUrl).password) : '';
  // The longest first: the connection string is replaced whole, not around its password.
  return [token, databaseUrl ?? '', password.length >= 4 ? password : ''].sort((a, b) => b.length - a.length);
}

/**
 * pino's error serializer, minus what can carry credentials: discord.js errors hold the request
 * `url` (with the interaction token in its path) and `requestBody`; messages and stacks can
 * quote either.
 */
function errorSerializer(secrets: string[]) {
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return scrubSecrets(value, ...secrets);
    if (depth > 4 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'requestBody')
        .map(([key, item]) => [key, scrub(item, depth + 1)]),
    );
  };
  // Causes are serialized too, so a wrapped discord.js error is scrubbed like the outer one.
  return (error: unknown) => scrub(pino.stdSerializers.err(error as Error), 0);
}

/** Whether pino-pretty is installed: it is a development dependency, absent after `npm prune --omit=dev`. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function createLogger(config: Pick<BotConfig, 'logLevel' | 'logPretty' | 'token' | 'databaseUrl'>, destination?: pino.DestinationStream): Logger {
  const secrets = secretsOf(config);
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { app: 'citebot' },
    // `redact` covers object paths, not text: log messages are scrubbed here, errors by their serializer.
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = scrubSecrets(args[i] as string, ...secrets);
        method.apply(this, args);
      },
    },
    serializers: { err: errorSerializer(secrets) },
  };
  if (destination) return pino(options, destination);
  if (config.logPretty && prettyAvailable()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } });
  }
  return pino(options);
}
