/** The environment for a bot process started by a test or the bench. */
import type { FakeDiscord } from '../fake-discord/index.js';
import { BOT_TOKEN } from './testConfig.js';

/**
 * A clean environment pointing the bot at `fake`: nothing from the developer's shell or .env
 * leaks in (dotenv never overrides what is set), plus `settings` (CORPUS_DIR, CACHE_DIR, …).
 */
export function botProcessEnv(fake: FakeDiscord, settings: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_CLIENT_ID: fake.applicationId,
    DISCORD_GUILD_ID: '',
    DISCORD_API_URL: fake.apiUrl,
    LOG_LEVEL: 'info',
    LOG_PRETTY: 'false',
    ...settings,
  };
}
