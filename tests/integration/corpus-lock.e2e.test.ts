/**
 * Corpus writes are safe across processes (shard processes, or two bots on one folder): a write
 * takes a lock that holds across processes, so two uploads of one id at the same moment cannot
 * both pass the duplicate check, not even when one holder stalls and its lock is taken over; a lock
 * left by a crashed process is taken over, and reloads never wait for a lock at all.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITE_LOCK, writeCorpusFile, type WriteResult } from '../../src/engine/corpusFiles.js';
import { Library } from '../../src/library/Library.js';
import { repoRoot } from '../support/discordSpec.js';

const run = promisify(execFile);
const SERVER = '1150000000000000000';
/** Enough base articles that reading them for the duplicate check takes a while: without a lock, two writers would both pass it. */
const BASE_ARTICLES = 400;

const article = (id: string, text: string) =>
  `---\nid: ${id}\ntitle: Article ${id}\nauthor: A\npublisher: P\npublished: 2020-01-01\nurl: https://example.com/${id}\n---\n\n${text}\n`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-lock-'));
  await Promise.all(
    Array.from({ length: BASE_ARTICLES }, (_, i) => writeFile(path.join(dir, `base-${i}.md`), article(`base-${i}`, `Base article number ${i}. `.repeat(40)))),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('corpus writes across processes', () => {
  it('let one of two processes adding the same id at once in, and refuse the other clearly', async () => {
    const startAt = String(Date.now() + 2_500);
    const add = (file: string) =>
      run(process.execPath, ['--import', 'tsx', 'tests/support/addArticle.ts', dir, SERVER, file, 'same-id', startAt], { cwd: repoRoot });
    const results = (await Promise.all([add('first.md'), add('second.md')])).map(({ stdout }) => JSON.parse(stdout) as WriteResult);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const refused = results.find((result) => !result.ok)!;
    const written = results.find((result) => result.ok) as Extract<WriteResult, { ok: true }>;
    expect(refused).toMatchObject({
      ok: false,
      reason: 'invalid',
      problems: [{ message: expect.stringContaining(`duplicate id "same-id": servers/${SERVER}/${written.file} already uses it`) }],
    });
    expect(await readdir(path.join(dir, 'servers', SERVER))).toEqual([written.file]);
    // What is on disk is a valid corpus: the next reload is applied.
    expect((await Library.open({ dir, strict: true })).report).toMatchObject({ applied: true, documents: BASE_ARTICLES + 1 });
  }, 20_000);

  it('take over a lock left by a crashed process, and never make a reload wait for one', async () => {
    const folder = path.join(dir, 'servers', '1160000000000000000');
    await mkdir(path.join(folder, WRITE_LOCK), { recursive: true });
    // A lock being held right now does not stop a reload.
    expect((await Library.open({ dir, strict: true })).report.applied).toBe(true);
    // One not refreshed for a minute: its holder is gone.
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(path.join(folder, WRITE_LOCK), longAgo, longAgo);
    const started = performance.now();
    expect(
      await writeCorpusFile(dir, 'after-crash.md', new TextEncoder().encode(article('after-crash', 'Written after a crash.')), {
        replace: false,
        scope: '1160000000000000000',
      }),
    ).toMatchObject({ ok: true });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await readdir(folder)).toEqual(['after-crash.md']);
  });

  it('refuse the second of two uploads of one id even when the first one’s lock went stale, its process blocked while checking', async () => {
    const server = '1170000000000000000';
    const add = ['--import', 'tsx', 'tests/support/addThroughTask.ts', dir, server];
    const first = spawn(process.execPath, [...add, 'first.md', 'same-id', 'stall'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const firstLines = createInterface({ input: first.stdout })[Symbol.asyncIterator]();
      // The first holds the lock, has listed the folder, and cannot refresh the lock: past its stale
      // time the second takes it over and writes.
      expect((await firstLines.next()).value).toBe('held');
      const second = JSON.parse((await run(process.execPath, [...add, 'second.md', 'same-id'], { cwd: repoRoot })).stdout) as WriteResult;
      first.stdin.end('go\n');
      const firstResult = JSON.parse((await firstLines.next()).value as string) as WriteResult;
      expect(second).toMatchObject({ ok: true, file: 'second.md' });
      expect(firstResult).toMatchObject({
        ok: false,
        reason: 'invalid',
        problems: [
          { file: 'first.md', message: `duplicate id "same-id": servers/${server}/second.md already uses it (set a different "id" in the front matter)` },
        ],
      });
      expect(await readdir(path.join(dir, 'servers', server))).toEqual(['second.md']);
      // Every server's next reload is applied, with nothing left out.
      expect((await Library.open({ dir, strict: true })).report).toMatchObject({ applied: true, problems: [] });
    } finally {
      first.kill();
    }
  }, 60_000);
});
