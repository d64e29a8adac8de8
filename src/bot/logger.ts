/** Structured logs (pino): JSON lines in production, pretty in development; secrets redacted. */
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

export function createLogger(config: Pick<BotConfig, 'logLevel' | 'logPretty' | 'token'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { app: 'citebot' },
    // Strings are not covered by `redact` paths: a token inside an error message is scrubbed here.
    hooks: {
      logMethod(args, method) {
        if (config.token) {
          for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = (args[i] as string).replaceAll(config.token, '[redacted]');
        }
        method.apply(this, args);
      },
    },
    serializers: { err: pino.stdSerializers.err },
  };
  if (destination) return pino(options, destination);
  if (config.logPretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } });
  return pino(options);
}
