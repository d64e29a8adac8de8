/** Structured logs (pino): JSON lines in production, pretty in development; secrets redacted. */
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { BotConfig } from './config.js';

export type { Logger };

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log object: the bot token and
 * interaction tokens (each is a credential for replying as the bot for 15 minutes).
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
];

/** The token segment of interaction and webhook URLs (`/interactions/{id}/{token}/…`, `/webhooks/{app}/{token}`). */
const URL_TOKEN = /((?:interactions|webhooks)\/\d+\/)[^/?\s"']+/g;

/** `text` with the bot token and any interaction or webhook token replaced. */
export function scrubSecrets(text: string, botToken: string): string {
  const scrubbed = text.replace(URL_TOKEN, '$1[redacted]');
  return botToken ? scrubbed.replaceAll(botToken, '[redacted]') : scrubbed;
}

/**
 * pino's error serializer, minus what can carry credentials: discord.js errors hold the request
 * `url` (with the interaction token in its path) and `requestBody`; messages and stacks can
 * quote either.
 */
function errorSerializer(botToken: string) {
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return scrubSecrets(value, botToken);
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

export function createLogger(config: Pick<BotConfig, 'logLevel' | 'logPretty' | 'token'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { app: 'citebot' },
    // `redact` covers object paths, not text: log messages are scrubbed here, errors by their serializer.
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = scrubSecrets(args[i] as string, config.token);
        method.apply(this, args);
      },
    },
    serializers: { err: errorSerializer(config.token) },
  };
  if (destination) return pino(options, destination);
  if (config.logPretty && prettyAvailable()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } });
  }
  return pino(options);
}
