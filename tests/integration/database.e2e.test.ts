/**
 * The gateway bot with DATABASE_URL, against the fake Discord and the run's PostgreSQL server: a
 * moderator's article is kept as a row and answered from, and feedback goes to the database, not
 * to files. (Several HTTP hosts on one database: hosts.e2e.test.ts.)
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../fake-discord/index.js';
import { messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { moderatorOutcome, uploadArticle } from '../support/corpusUploads.js';
import { repoRoot } from '../support/discordSpec.js';
import { testDatabase } from '../support/testDatabase.js';

const moderator = { userId: '1000000000000000077', permissions: Permissions.ManageGuild };
const AUDIT_CHANNEL = '800000000000000001';
const LIGHTHOUSE = `---
id: lighthouse
title: Northern lighthouse keepers
author: A. Writer
publisher: Gazette
published: 2021-03-04
url: https://example.com/lighthouse
---

The northern lighthouse was automated in 1998, ending two centuries of resident keepers.
`;

let harness: BotHarness;
let parentDir: string;
let databaseUrl: string;

const query = async <Row extends pg.QueryResultRow>(text: string): Promise<Row[]> => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<Row>(text)).rows;
  } finally {
    await client.end();
  }
};

beforeAll(async () => {
  databaseUrl = await testDatabase('gateway');
  parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-database-'));
  const corpusDir = path.join(parentDir, 'corpus');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  harness = await startBot({ database: databaseUrl, config: { corpusDir, auditChannelId: AUDIT_CHANNEL }, fake: { channelId: AUDIT_CHANNEL } });
});

afterAll(async () => {
  await harness?.stop();
  if (parentDir) await rm(parentDir, { recursive: true, force: true });
});

describe('the gateway bot with DATABASE_URL', () => {
  it('keeps an added article as a row, answers from it, and records feedback in the database', async () => {
    const added = await moderatorOutcome(harness, uploadArticle(harness, harness.fake.guildId, moderator, 'lighthouse.md', LIGHTHOUSE));
    expect(added.content).toMatch(/^Added `lighthouse\.md`/);
    expect(await query('SELECT scope, file, document_id, passages FROM articles')).toEqual([
      { scope: harness.fake.guildId, file: 'lighthouse.md', document_id: 'lighthouse', passages: 1 },
    ]);
    expect(await query('SELECT kind, scope, name, op FROM changes')).toEqual([
      { kind: 'article', scope: harness.fake.guildId, name: 'lighthouse.md', op: 'add' },
    ]);
    // The change's own reload reports it (its announcement, heard by this host too, waits for it): the audit channel is told.
    const audit = await harness.fake.waitForRequest((request) => request.method === 'POST' && request.path === `/channels/${AUDIT_CHANNEL}/messages`);
    expect(audit.body).toMatchObject({ content: expect.stringContaining('Added: “Northern lighthouse keepers”') });

    const sent = harness.fake.chatInput('ask', [{ name: 'question', type: 3, value: 'When was the northern lighthouse automated?' }]);
    const callback = await harness.callback(sent);
    const answer = (callback.body as { type: number }).type === 5 ? await harness.webhook(sent, (request) => request.method === 'PATCH') : callback;
    expect(JSON.stringify(messageOf(answer))).toContain('Northern lighthouse keepers');
    await harness.feedback.flush();
    expect(await query('SELECT guild_id, question, outcome FROM feedback')).toEqual([
      { guild_id: harness.fake.guildId, question: 'When was the northern lighthouse automated?', outcome: 'answered' },
    ]);
    expect(existsSync(path.join(harness.config.cacheDir, 'feedback'))).toBe(false);
    expect((await harness.metrics.exposition()).text).toMatch(/^citebot_store_available 1$/m);
  });
});
