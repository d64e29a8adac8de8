import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { watchCorpus } from '../../src/runtime/watchCorpus.js';

/** Wide against the 20 ms between a burst's writes, which a busy machine may stretch many times over. */
const DEBOUNCE_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const tempDirs: string[] = [];
const stops: Array<() => void> = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-watch-'));
  tempDirs.push(dir);
  return dir;
}
/** Watches `dir` with a short debounce; the returned mock counts callbacks. */
function watched(dir: string, options: { checkMs?: number } = {}) {
  const onSettled = vi.fn();
  const logger = { info: vi.fn(), warn: vi.fn() };
  stops.push(watchCorpus(dir, onSettled, { debounceMs: DEBOUNCE_MS, logger, ...options }));
  return { onSettled, logger, stop: stops.at(-1)! };
}
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('watchCorpus', () => {
  it('calls back once after a burst of writes settles', async () => {
    const dir = await tempDir();
    const { onSettled } = watched(dir);
    for (let i = 0; i < 5; i++) {
      await writeFile(path.join(dir, `article-${i}.md`), `version ${i}`);
      await sleep(20);
    }
    await writeFile(path.join(dir, 'article-0.md'), 'edited again');
    // Still within the quiet time after the last write: nothing yet.
    expect(onSettled).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(onSettled).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    await sleep(DEBOUNCE_MS * 2);
    expect(onSettled).toHaveBeenCalledTimes(1);
  });

  it('ignores dot-files, .removed/ and files the loader does not read', async () => {
    const dir = await tempDir();
    const { onSettled } = watched(dir);
    await writeFile(path.join(dir, '.upload-1234.tmp'), 'partial');
    await rm(path.join(dir, '.upload-1234.tmp'));
    await mkdir(path.join(dir, '.removed'));
    await writeFile(path.join(dir, '.removed', 'old.md'), 'retired');
    await writeFile(path.join(dir, 'notes.txt'), 'not an article');
    await sleep(DEBOUNCE_MS * 2);
    expect(onSettled).not.toHaveBeenCalled();
    // ...but still sees an article change.
    await writeFile(path.join(dir, 'real.md'), 'article');
    await vi.waitFor(() => expect(onSettled).toHaveBeenCalledTimes(1), { timeout: 10_000 });
  });

  it('stops when closed, including a pending callback', async () => {
    const dir = await tempDir();
    const { onSettled, stop } = watched(dir);
    await writeFile(path.join(dir, 'a.md'), 'one');
    await sleep(DEBOUNCE_MS / 3);
    stop();
    await writeFile(path.join(dir, 'b.md'), 'two');
    await sleep(DEBOUNCE_MS * 2);
    expect(onSettled).not.toHaveBeenCalled();
  });

  it('stops checking for the folder when closed', async () => {
    const parent = await tempDir();
    const dir = path.join(parent, 'later');
    const { onSettled, logger, stop } = watched(dir, { checkMs: 50 });
    stop();
    await mkdir(dir);
    await sleep(DEBOUNCE_MS * 2);
    expect(logger.info).not.toHaveBeenCalled();
    expect(onSettled).not.toHaveBeenCalled();
  });

  it('survives the folder going away and watches it again when it is back', async () => {
    const parent = await tempDir();
    const dir = path.join(parent, 'corpus');
    await mkdir(dir);
    const { onSettled, logger } = watched(dir, { checkMs: 50 });
    await rename(dir, path.join(parent, 'moved-away'));
    await vi.waitFor(() => expect(logger.warn).toHaveBeenCalled(), { timeout: 10_000 });
    // Edits to the moved folder are no longer the corpus.
    await writeFile(path.join(parent, 'moved-away', 'stray.md'), 'elsewhere');
    await mkdir(dir);
    await vi.waitFor(() => expect(logger.info).toHaveBeenCalledWith(expect.anything(), 'watching the corpus folder again'), { timeout: 10_000 });
    await vi.waitFor(() => expect(onSettled).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    await writeFile(path.join(dir, 'new.md'), 'article');
    await vi.waitFor(() => expect(onSettled).toHaveBeenCalledTimes(2), { timeout: 10_000 });
  });

  it('follows a linked folder when the link is repointed to another folder', async () => {
    const parent = await tempDir();
    const release = (n: number) => path.join(parent, 'releases', String(n));
    await mkdir(release(1), { recursive: true });
    await mkdir(release(2));
    const dir = path.join(parent, 'current');
    await symlink(release(1), dir);
    const { onSettled } = watched(dir, { checkMs: 50 });
    // As deploy tools do it: a new link renamed over the old one, in one step.
    await symlink(release(2), `${dir}.next`);
    await rename(`${dir}.next`, dir);
    // The new folder's files are read once.
    await vi.waitFor(() => expect(onSettled).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    await writeFile(path.join(release(1), 'old.md'), 'no longer the corpus');
    await sleep(DEBOUNCE_MS * 2);
    expect(onSettled).toHaveBeenCalledTimes(1);
    await writeFile(path.join(release(2), 'new.md'), 'article');
    await vi.waitFor(() => expect(onSettled).toHaveBeenCalledTimes(2), { timeout: 10_000 });
  });

  it('does not throw when the folder does not exist yet', async () => {
    const parent = await tempDir();
    const dir = path.join(parent, 'later');
    const { onSettled, logger } = watched(dir, { checkMs: 50 });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    await sleep(200);
    expect(logger.warn).toHaveBeenCalledTimes(1); // once per outage, not once per retry
    await mkdir(dir);
    await vi.waitFor(() => expect(onSettled).toHaveBeenCalledTimes(1), { timeout: 10_000 });
  });
});
