/** Corpus file changes run in worker threads: results, and errors with their codes, come back as they are. */
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WRITE_LOCK } from '../../src/engine/corpusFiles.js';
import { corpusTasksInWorkers, CorpusTaskTimeout, offThread } from '../../src/engine/corpusTasks.js';
import { repoRoot } from '../support/discordSpec.js';

const GUILD = '1150000000000000000';
const article = (id: string) =>
  new TextEncoder().encode(`---\ntitle: T\nauthor: A\npublisher: P\npublished: 2020-01-01\nurl: https://example.com/x\nid: ${id}\n---\n\nBody.\n`);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-tasks-'));
  await cp(path.join(repoRoot, 'corpus'), dir, { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('corpus tasks off the Discord thread', () => {
  it('writes and retires a server’s article in a worker, and refuses a duplicate of a base id', async () => {
    expect(await offThread.write(dir, 'notes.md', article('notes'), { replace: false, scope: GUILD })).toMatchObject({
      ok: true,
      file: 'notes.md',
      documentId: 'notes',
    });
    expect(await offThread.write(dir, 'copy.md', article('microsoft-china-partnerships'), { replace: false, scope: GUILD })).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    expect(await offThread.retire(dir, 'notes', { scope: GUILD, keepLast: true })).toMatchObject({ file: 'notes.md', documentId: 'notes' });
    expect(await readdir(path.join(dir, 'servers', GUILD))).not.toContain('notes.md');
  });

  it('passes on a file-system error with its code, for the moderator’s one-line message', async () => {
    const other = '1150000000000000009';
    await offThread.write(dir, 'kept.md', article('kept'), { replace: false, scope: other });
    // `.removed` is a file: retiring cannot create the folder.
    await writeFile(path.join(dir, 'servers', other, '.removed'), 'not a folder');
    await expect(offThread.retire(dir, 'kept', { scope: other, keepLast: true })).rejects.toMatchObject({ code: expect.stringMatching(/^E(EXIST|NOTDIR)$/) });
  });
});

describe('a corpus task past its time limit', () => {
  it('is stopped, and its write lock is released only once it is', async () => {
    const locked = () => lockfile.check(dir, { lockfilePath: path.join(dir, WRITE_LOCK), realpath: false });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const tasks = corpusTasksInWorkers({ workerUrl: new URL('../support/stuckCorpusTaskWorker.ts', import.meta.url), timeLimitMs: 60_000 });
      const outcome = expect(tasks.write(dir, 'stuck.md', article('stuck'), { replace: false })).rejects.toBeInstanceOf(CorpusTaskTimeout);
      while (!(await locked())) await setImmediate();
      await vi.advanceTimersByTimeAsync(59_000);
      expect(await locked()).toBe(true);
      await vi.advanceTimersByTimeAsync(1_000);
      await outcome;
      expect(await locked()).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
