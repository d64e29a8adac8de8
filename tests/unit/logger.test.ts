import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../src/runtime/logger.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.secret-part.more-secret';

const DATABASE_PASSWORD = 'pg-secret-Wq83';
const DATABASE_URL = `postgres://citebot:${DATABASE_PASSWORD}@db.internal:5432/citebot`;

function capture() {
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  return { logger: createLogger({ logLevel: 'info', logPretty: false, token: TOKEN, databaseUrl: DATABASE_URL }, sink), output: () => output };
}

describe('scrubSecrets', () => {
  it('hides interaction and webhook tokens in URLs, and the bot token anywhere', () => {
    expect(scrubSecrets('POST /api/v10/interactions/1234/aW50ZXJhY3Rpb24tdG9rZW4/callback?with_response=false', '')).toBe(
      'POST /api/v10/interactions/1234/[redacted]/callback?with_response=false',
    );
    expect(scrubSecrets('PATCH https://discord.com/api/v10/webhooks/987/tok.en-x_y/messages/@original', '')).toBe(
      'PATCH https://discord.com/api/v10/webhooks/987/[redacted]/messages/@original',
    );
    expect(scrubSecrets(`Bot ${TOKEN} failed`, TOKEN)).toBe('Bot [redacted] failed');
  });
});

describe('createLogger', () => {
  it('never writes the bot token, an interaction token or a request body, whatever is logged', () => {
    const { logger, output } = capture();
    const apiError = Object.assign(new Error('Unknown interaction'), {
      url: 'http://127.0.0.1:1/api/v10/interactions/1234/interaction-token-abc/callback',
      requestBody: { json: { type: 4, data: { content: 'private text' } } },
      method: 'POST',
      status: 404,
    });
    logger.error({ err: apiError }, 'reply failed');
    logger.error({ err: new Error(`login with ${TOKEN} failed`, { cause: apiError }) }, 'wrapped');
    logger.warn({ config: { token: TOKEN }, token: TOKEN }, `message naming ${TOKEN}`);
    const text = output();
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('interaction-token-abc');
    expect(text).not.toContain('private text');
    expect(text).toContain('/interactions/1234/[redacted]/callback');
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('never writes the database’s connection string or its password, in fields, messages or errors', () => {
    const { logger, output } = capture();
    logger.info({ config: { databaseUrl: DATABASE_URL }, connectionString: DATABASE_URL, DATABASE_URL }, `connecting to ${DATABASE_URL}`);
    logger.error({ err: new Error(`password authentication failed for "${DATABASE_PASSWORD}"`) }, `retrying with ${DATABASE_PASSWORD}`);
    const text = output();
    expect(text).not.toContain(DATABASE_PASSWORD);
    expect(text).not.toContain('db.internal');
    expect(text).toContain('connecting to [redacted]');
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
  });
});
