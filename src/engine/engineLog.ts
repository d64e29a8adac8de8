/** What the engine logs, and how: through the bot's logger (pino's interface). */
import type { OpenedMessage } from './protocol.js';

/** What an engine logs through (pino's interface, so the bot's logger fits). */
export interface EngineLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** How an opening worker used the saved index, or why it did not. */
export function logCache(logger: EngineLogger, cacheDir: string | undefined, opened: OpenedMessage): void {
  if (opened.type === 'failed') return;
  for (const event of opened.cache) {
    if (event.reason) logger.warn({ cacheDir, reason: event.reason }, event.loaded ? 'index cache problem' : 'index cache not used; indexing the corpus');
    else logger.info({ cacheDir, loaded: event.loaded, saved: event.saved }, 'index cache');
  }
}
