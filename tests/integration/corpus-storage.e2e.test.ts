/**
 * `/corpus add|remove` when the corpus folder cannot be written (disk full, read-only, no
 * permission): the moderator gets one line saying so, and nothing changes. The tests run as any
 * user (root ignores permissions) and on any disk, so the file-system calls fail on demand.
 */
import { cp, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SentInteraction } from '../fake-discord/index.js';
import { EPHEMERAL, messageOf, startBot, type BotHarness } from '../support/botHarness.js';
import { repoRoot } from '../support/discordSpec.js';
import { retireCorpusFile, writeCorpusFile } from '../../src/engine/corpusFiles.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, writeFile: vi.fn(actual.writeFile), rename: vi.fn(actual.rename) };
});

const SUBCOMMAND = 1;
const STRING = 3;
const ATTACHMENT = 11;
const MODERATOR_ROLE = '987654321098765432';
const moderator = { userId: '1000000000000000077', roles: [MODERATOR_ROLE] };
const ARTICLE = `---
title: Harbour notes
author: B. Keeper
publisher: Quay Times
published: 2022-07-01
url: https://example.com/harbour
---

The ferry to the island now leaves at dawn.
`;

const GUILD = '1150000000000000000';

let harness: BotHarness;
let corpusDir: string;
/** The server's own articles. */
let serverDir: string;

beforeAll(async () => {
  corpusDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-storage-'));
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  serverDir = path.join(corpusDir, 'servers', GUILD);
  await mkdir(serverDir, { recursive: true });
  // Another article (another address, other text): the upload below is no duplicate of it.
  await writeFile(path.join(serverDir, 'second.md'), ARTICLE.replace('Harbour notes', 'Second article').replace('/harbour', '/second').replace('ferry', 'bus'));
  // The file changes run in this thread, where the file-system calls can be made to fail: the
  // bot runs them in worker threads, which pass on such errors as they are (corpusTasks.test.ts).
  const inThisThread = { write: writeCorpusFile, retire: retireCorpusFile };
  harness = await startBot({
    config: { corpusDir, moderatorRoleIds: [MODERATOR_ROLE] },
    fake: { roleIds: [MODERATOR_ROLE], guildId: GUILD },
    corpusTasks: inThisThread,
  });
});

afterAll(async () => {
  await harness?.stop();
  if (corpusDir) await rm(corpusDir, { recursive: true, force: true });
});

const failure = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });
/** Every entry of the base folder and the server's, dot-files included: a half-written upload would show here. */
const everything = async () => [...(await readdir(corpusDir)), ...(await readdir(serverDir)).map((name) => `server:${name}`)].sort();

function upload(filename: string, content: string): SentInteraction {
  const id = '1200000000000000001';
  const url = harness.fake.serveAttachment(filename, content);
  const attachment = { id, filename, size: Buffer.byteLength(content), url, proxy_url: url, content_type: 'text/markdown' };
  return harness.fake.chatInput('corpus', [{ name: 'add', type: SUBCOMMAND, options: [{ name: 'file', type: ATTACHMENT, value: id }] }], {
    member: moderator,
    resolved: { attachments: { [id]: attachment } },
  });
}

async function outcome(sent: SentInteraction) {
  expect((await harness.callback(sent)).body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
  return messageOf(await harness.webhook(sent, (request) => request.method === 'PATCH'));
}

describe('a corpus folder that cannot be written', () => {
  it.each([
    ['ENOSPC', /^The disk that holds the corpus folder is full, so nothing was written: free some space/],
    ['EACCES', /^The bot is not allowed to write to the corpus folder, so nothing was written: .*write access to CORPUS_DIR/],
    ['EROFS', /^The corpus folder is on a read-only file system, so nothing was written/],
  ])('refuses /corpus add on %s with one line, leaving no file behind', async (code, message) => {
    const before = await everything();
    vi.mocked(writeFile).mockRejectedValueOnce(failure(code));
    const reply = await outcome(upload('harbour.md', ARTICLE));
    expect(reply.content).toMatch(message);
    expect(reply.content).not.toContain('\n');
    expect(reply.embeds ?? []).toEqual([]);
    expect(await everything()).toEqual(before);
    expect(harness.logs).toContainEqual(expect.objectContaining({ msg: 'corpus folder cannot be written', action: 'add' }));
  });

  it('refuses /corpus remove on a read-only folder with one line, and keeps the article', async () => {
    vi.mocked(rename).mockRejectedValueOnce(failure('EPERM'));
    const reply = await outcome(
      harness.fake.chatInput('corpus', [{ name: 'remove', type: SUBCOMMAND, options: [{ name: 'document', type: STRING, value: 'second' }] }], {
        member: moderator,
      }),
    );
    expect(reply.content).toMatch(/^The bot is not allowed to write to the corpus folder, so nothing was written/);
    expect(await everything()).toContain('server:second.md');
    expect((await harness.engine.sources(GUILD, 100)).documents.map((document) => document.id)).toContain('second');
  });

  it('sent only bodies that Discord accepts', () => {
    expect(harness.invalidRequests()).toEqual([]);
  });
});
