/** A complete, valid bot configuration for tests and the bench, overridable field by field. */
import os from 'node:os';
import path from 'node:path';
import type { BotConfig } from '../../src/runtime/config.js';
import { repoRoot } from './discordSpec.js';

export const BOT_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.fake-token.for-tests-only';

export function testConfig(overrides: Partial<BotConfig> = {}): BotConfig {
  return {
    token: BOT_TOKEN,
    clientId: '1100000000000000001',
    cdnUrl: 'https://cdn.discordapp.com',
    corpusDir: path.join(repoRoot, 'corpus'),
    // Never the repository's own ./.cache: the bot harness gives each bot a fresh folder.
    cacheDir: path.join(os.tmpdir(), `citebot-test-cache-${process.pid}`),
    // The model costs seconds per bot: tests of the semantic stage turn it on.
    semantic: false,
    corpusWatch: false,
    logLevel: 'silent',
    logPretty: false,
    moderatorRoleIds: [],
    askCooldownSeconds: 0,
    maxUploadBytes: 512 * 1024,
    serverMaxArticles: 50,
    serverMaxBytes: 5 * 1024 * 1024,
    serverMaxPassages: 2_000,
    fetchAllowPrivate: false,
    feedPollSeconds: 1800,
    serverMaxFeeds: 5,
    shardingMode: 'internal',
    // Any free port: tests start the HTTP endpoint themselves.
    httpPort: 0,
    metricsHost: '127.0.0.1',
    ...overrides,
  };
}
