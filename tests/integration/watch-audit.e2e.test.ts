/**
 * CORPUS_WATCH on either transport: files changed in the corpus folder are reloaded through the
 * app's corpus changes, so the reload is logged and announced in the audit channel the same way
 * (the gateway's first shard reloads every shard; each HTTP worker reloads itself).
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { watchFolder } from '../../src/app/corpusChanges/watchFolder.js';
import { startHarness } from '../support/botHarness.js';
import { repoRoot } from '../support/discordSpec.js';
import { LIGHTHOUSE } from '../support/lighthouse.js';

const AUDIT_CHANNEL = '800000000000000001';

describe.each([
  ['gateway', 'everywhere'],
  ['http', 'here'],
] as const)('the corpus watcher (%s transport)', (transport, where) => {
  it('reloads what changed, logs it and tells the audit channel', async () => {
    const parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-watch-audit-'));
    const corpusDir = path.join(parentDir, 'corpus');
    await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
    const harness = await startHarness(transport, { config: { corpusDir, auditChannelId: AUDIT_CHANNEL }, fake: { channelId: AUDIT_CHANNEL } });
    const stop = watchFolder(corpusDir, harness.corpus, where, { info: vi.fn(), warn: vi.fn() });
    try {
      await writeFile(path.join(corpusDir, 'lighthouses.md'), LIGHTHOUSE);
      const audit = await harness.fake.waitForRequest((request) => request.method === 'POST' && request.path === `/channels/${AUDIT_CHANNEL}/messages`, 20_000);
      expect(audit.body).toMatchObject({ content: 'Corpus reloaded by watcher (files changed): 2 articles.\nAdded: “Lighthouse keepers: the last watch”' });
      expect(harness.logs).toContainEqual(expect.objectContaining({ actorId: 'watcher', reason: 'files changed', msg: 'corpus reloaded', documents: 2 }));
    } finally {
      stop();
      await harness.stop();
      await rm(parentDir, { recursive: true, force: true });
    }
  });
});
