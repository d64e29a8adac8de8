/**
 * The Engine: the corpus served from a worker thread, reloads in a second worker, the saved
 * index in CACHE_DIR, and recovery from a lost worker.
 */
import { cp, mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type EngineOptions } from '../../src/engine/Engine.js';
import { EngineNotReady, EngineTimeout } from '../../src/engine/WorkerConnection.js';
import { repoRoot } from '../support/discordSpec.js';

const FAULTY_WORKER = new URL('../support/faultyEngineWorker.ts', import.meta.url);
const BAIDU_QUESTION = 'Which search engine will Edge use in China?';
const article = (title: string, body: string) =>
  `---\ntitle: ${title}\nauthor: Sam Poe\npublisher: Example News\npublished: 2016-01-15\nurl: https://example.com/${encodeURIComponent(title)}\n---\n\n${body}\n`;

interface LogLine {
  level: 'info' | 'warn' | 'error';
  object: object;
  message: string;
}

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((step) => step()));
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the bundled corpus and an empty cache folder. */
async function folders(): Promise<{ dir: string; cacheDir: string }> {
  const dir = await tempDir('citebot-engine-');
  await cp(path.join(repoRoot, 'corpus'), dir, { recursive: true });
  return { dir, cacheDir: await tempDir('citebot-engine-cache-') };
}

function start(options: Omit<EngineOptions, 'logger'>): { engine: Engine; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const logger = {
    info: (object: object, message: string) => logs.push({ level: 'info', object, message }),
    warn: (object: object, message: string) => logs.push({ level: 'warn', object, message }),
    error: (object: object, message: string) => logs.push({ level: 'error', object, message }),
  };
  const engine = new Engine({ ...options, logger });
  cleanup.push(() => engine.close());
  return { engine, logs };
}

const until = async (condition: () => boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('Engine', () => {
  it('says it is not ready until the corpus is open, then answers from the worker', async () => {
    const { dir, cacheDir } = await folders();
    const { engine } = start({ dir, cacheDir });
    expect(engine.isReady).toBe(false);
    await expect(engine.answer(BAIDU_QUESTION)).rejects.toBeInstanceOf(EngineNotReady);
    const report = await engine.ready;
    expect(report).toMatchObject({ applied: true, added: ['microsoft-china-partnerships'], documents: 1, passages: 10 });
    const [document] = (await engine.sources(undefined, 100)).documents;
    expect(document).toMatchObject({ id: 'microsoft-china-partnerships' });
    expect(document).not.toHaveProperty('body');
    expect(await engine.sources(undefined, 25)).toEqual({ documents: [document], passageCounts: new Map([['microsoft-china-partnerships', 10]]), total: 1 });
    const answer = await engine.answer(BAIDU_QUESTION);
    expect(answer.results[0]!.passage.paragraph).toBe(5);
    expect(answer.results[0]!.document.title).toMatch(/Microsoft/);
    expect((await engine.search('Tsingh', { limit: 1, partial: true }))[0]!.passage.paragraph).toBe(6);
    expect((await engine.findDocuments('chinese', 25)).map((document) => document.id)).toEqual(['microsoft-china-partnerships']);
  });

  it('applies a valid change on reload: added, changed and removed documents', async () => {
    const { dir, cacheDir } = await folders();
    const { engine } = start({ dir, cacheDir });
    await engine.ready;
    await writeFile(path.join(dir, 'volcano.md'), article('Volcano erupts', 'The Krakatoa volcano erupted on Tuesday, covering the island in ash.'));
    expect(await engine.reload()).toMatchObject({ applied: true, problems: [], added: ['volcano'], removed: [], changed: [], documents: 2, passages: 11 });
    expect((await engine.answer('Which volcano erupted?')).results[0]!.document).toMatchObject({ id: 'volcano', author: 'Sam Poe' });
    expect((await engine.answer(BAIDU_QUESTION)).results[0]!.passage.paragraph).toBe(5);

    await writeFile(path.join(dir, 'volcano.md'), article('Volcano erupts', 'The Krakatoa volcano erupted on Wednesday, and a glacier melted.'));
    expect(await engine.reload()).toMatchObject({ applied: true, added: [], removed: [], changed: ['volcano'] });
    expect((await engine.answer('Which glacier melted?')).results[0]?.document.id).toBe('volcano');
    expect((await engine.answer('Which volcano erupted on Tuesday?')).results[0]?.passage.text).not.toMatch(/Tuesday/);

    expect(await engine.reload()).toMatchObject({ applied: true, added: [], removed: [], changed: [] });

    await unlink(path.join(dir, 'volcano.md'));
    expect(await engine.reload()).toMatchObject({ applied: true, added: [], removed: ['volcano'], changed: [], documents: 1, passages: 10 });
    expect((await engine.answer('Which volcano erupted?')).answered).toBe(false);
    expect((await engine.sources(undefined, 100)).documents.map((document) => document.id)).toEqual(['microsoft-china-partnerships']);
  });

  it('serves every good file when a reload finds a broken one, and keeps the current corpus for an empty folder or no folder', async () => {
    const { dir, cacheDir } = await folders();
    const { engine } = start({ dir, cacheDir });
    await engine.ready;
    await writeFile(path.join(dir, 'volcano.md'), article('Volcano erupts', 'The Krakatoa volcano erupted on Tuesday.'));
    await writeFile(path.join(dir, 'broken.md'), article('Broken', 'Text').replace('published: 2016-01-15', 'published: 2016-02-30'));
    const partly = await engine.reload();
    expect(partly).toMatchObject({ applied: true, added: ['volcano'], documents: 2 });
    expect(partly.problems).toEqual([expect.objectContaining({ file: 'broken.md', line: 5, message: expect.stringMatching(/published/) })]);
    expect((await engine.answer(BAIDU_QUESTION)).results[0]!.passage.paragraph).toBe(5);
    expect((await engine.answer('Which volcano erupted?')).answered).toBe(true);

    await unlink(path.join(dir, 'broken.md'));
    expect(await engine.reload()).toMatchObject({ applied: true, added: [], problems: [], documents: 2 });

    for (const file of await readdir(dir)) await rm(path.join(dir, file), { recursive: true });
    const empty = await engine.reload();
    expect(empty).toMatchObject({ applied: false, documents: 2 });
    expect(empty.problems[0]!.message).toMatch(/no articles/);

    await rm(dir, { recursive: true });
    const gone = await engine.reload();
    expect(gone.applied).toBe(false);
    expect(gone.problems[0]!.message).toMatch(/not found/);
    expect((await engine.answer(BAIDU_QUESTION)).answered).toBe(true);
  });

  it('coalesces a burst of reloads, and a reload asked for after a change sees it', async () => {
    const { dir, cacheDir } = await folders();
    const { engine } = start({ dir, cacheDir });
    await engine.ready;
    await writeFile(path.join(dir, 'volcano.md'), article('Volcano erupts', 'The Krakatoa volcano erupted on Tuesday.'));
    const first = engine.reload();
    const burst = Array.from({ length: 4 }, () => engine.reload());
    // The queued reload is one promise for everyone who asked while the first one ran.
    expect(new Set(burst).size).toBe(1);
    await first;
    await writeFile(path.join(dir, 'glacier.md'), article('Glacier melts', 'The Rhone glacier lost a tenth of its ice.'));
    const late = engine.reload();
    for (const report of await Promise.all([...burst, late])) expect(report.applied).toBe(true);
    expect((await engine.sources(undefined, 100)).documents.map((document) => document.id).sort()).toEqual([
      'glacier',
      'microsoft-china-partnerships',
      'volcano',
    ]);
  });

  it('starts by serving the saved index, then applies only the files changed since; rebuilds a corrupt one with a log line', async () => {
    const { dir, cacheDir } = await folders();
    const cold = start({ dir, cacheDir });
    await cold.engine.ready;
    expect(cold.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/not used/), object: expect.objectContaining({ reason: 'no saved index yet' }) }),
    );
    await cold.engine.close();

    await writeFile(path.join(dir, 'volcano.md'), article('Volcano erupts', 'The Krakatoa volcano erupted on Tuesday.'));
    const warm = start({ dir, cacheDir });
    // First the saved index as it was, without reading the folder…
    expect(await warm.engine.ready).toMatchObject({ applied: true, added: [], documents: 1 });
    expect(warm.logs).toContainEqual(expect.objectContaining({ message: 'index cache', object: expect.objectContaining({ loaded: true, saved: false }) }));
    // …then the folder, relative to it: only the new file is new.
    expect(await warm.engine.upToDate).toMatchObject({ applied: true, added: ['volcano'], changed: [], removed: [], documents: 2 });
    expect(warm.logs).toContainEqual(expect.objectContaining({ message: 'index cache', object: expect.objectContaining({ loaded: true, saved: true }) }));
    expect((await warm.engine.answer('Which volcano erupted?')).results[0]?.document.id).toBe('volcano');
    await warm.engine.close();

    // Truncate every file of the saved index: the next start says so and rebuilds.
    const current = (await readFile(path.join(cacheDir, 'index', 'current'), 'utf8')).trim();
    for (const file of await readdir(path.join(cacheDir, 'index', current))) {
      const full = path.join(cacheDir, 'index', current, file);
      await writeFile(full, (await readFile(full, 'utf8')).slice(0, 40));
    }
    const rebuilt = start({ dir, cacheDir });
    expect(await rebuilt.engine.ready).toMatchObject({ applied: true, documents: 2 });
    expect(await rebuilt.engine.upToDate).toBe(await rebuilt.engine.ready);
    expect(rebuilt.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', object: expect.objectContaining({ reason: expect.stringMatching(/could not be read/) }) }),
    );
    expect((await rebuilt.engine.answer(BAIDU_QUESTION)).results[0]!.passage.paragraph).toBe(5);
  });

  it('never serves passage text edited in the saved index: rebuilds it from the articles, with a log line', async () => {
    const { dir, cacheDir } = await folders();
    const first = start({ dir, cacheDir });
    await first.engine.ready;
    await first.engine.close();
    const documents = path.join(cacheDir, 'index', (await readFile(path.join(cacheDir, 'index', 'current'), 'utf8')).trim(), 'documents.jsonl');
    await writeFile(documents, (await readFile(documents, 'utf8')).replaceAll('Baidu', 'Tampered'));

    const restarted = start({ dir, cacheDir });
    await restarted.engine.upToDate;
    expect(restarted.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        object: expect.objectContaining({ reason: expect.stringMatching(/documents\.jsonl does not match its checksum/) }),
      }),
    );
    for (const answer of [await restarted.engine.answer(BAIDU_QUESTION), (await restarted.engine.reload(), await restarted.engine.answer(BAIDU_QUESTION))]) {
      expect(answer.results[0]!.passage.text).toContain('Baidu');
      expect(answer.results.some((result) => result.passage.text.includes('Tampered'))).toBe(false);
    }
  });

  it('replaces a lost worker with the last good index, even when the folder has since been broken', async () => {
    const { dir, cacheDir } = await folders();
    const { engine, logs } = start({ dir, cacheDir, workerUrl: FAULTY_WORKER });
    await engine.ready;
    for (const file of await readdir(dir)) await rm(path.join(dir, file), { recursive: true });
    expect((await engine.reload()).applied).toBe(false);

    // A crash in the serving worker (as an out-of-memory or a native fault would end it).
    await engine.answer('\u0000crash').catch(() => undefined);
    await expect(engine.answer(BAIDU_QUESTION)).rejects.toBeInstanceOf(EngineNotReady);
    await until(() => engine.isReady);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringMatching(/worker lost/) }));
    expect((await engine.answer(BAIDU_QUESTION)).results[0]!.passage.paragraph).toBe(5);
    expect((await engine.sources(undefined, 100)).documents.map((document) => document.id)).toEqual(['microsoft-china-partnerships']);
  });

  it('gives up on a reload that takes longer than its time limit, and keeps serving', async () => {
    const { dir, cacheDir } = await folders();
    const { engine } = start({ dir, cacheDir, openTimeoutMs: 1 });
    // Even the first open is over 1 ms: it fails, and there is nothing to serve.
    await expect(engine.ready).rejects.toThrow(/longer than/);

    const { engine: patient } = start({ dir, cacheDir });
    await patient.ready;
    patient.options.openTimeoutMs = 1;
    const report = await patient.reload();
    expect(report).toMatchObject({ applied: false, documents: 1 });
    expect(report.problems[0]!.message).toMatch(/took longer than/);
    expect((await patient.answer(BAIDU_QUESTION)).answered).toBe(true);
  });

  it('drops questions a burst kept queued past their deadline, and leaves a busy worker in place', async () => {
    const { dir, cacheDir } = await folders();
    const { engine, logs } = start({ dir, cacheDir, workerUrl: FAULTY_WORKER, queryTimeoutMs: 500 });
    await engine.ready;
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () =>
        engine.answer('\u0000slow').then(
          () => 'answered',
          (error: Error) => error.constructor.name,
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'answered').length).toBeGreaterThan(0);
    expect(outcomes.filter((outcome) => outcome === 'EngineTimeout').length).toBeGreaterThan(0);
    // The questions already given up on are dropped, not worked through: the next one is answered at once.
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await engine.answer(BAIDU_QUESTION)).results[0]!.passage.paragraph).toBe(5);
    expect(performance.now() - started).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    expect(logs.some((line) => /stopped answering/.test(line.message))).toBe(false);
    expect(engine.isReady).toBe(true);
  });

  it('lets the worker a reload replaces answer the questions already sent to it', async () => {
    const { dir, cacheDir } = await folders();
    const { engine } = start({ dir, cacheDir, workerUrl: FAULTY_WORKER });
    await engine.ready;
    // Eight costly questions keep the first worker busy for 1.6 s: the reload's swap comes meanwhile.
    const questions = Array.from({ length: 8 }, () => engine.answer('\u0000slow'));
    await writeFile(path.join(dir, 'volcano.md'), article('Volcano erupts', 'The Krakatoa volcano erupted on Tuesday.'));
    expect(await engine.reload()).toMatchObject({ applied: true, added: ['volcano'] });
    const outcomes = await Promise.allSettled(questions);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(8).fill('fulfilled'));
    expect((await engine.answer('Which volcano erupted?')).results[0]?.document.id).toBe('volcano');
  });

  it('answers a stuck worker’s questions with a timeout, then replaces the worker', async () => {
    const { dir, cacheDir } = await folders();
    const { engine, logs } = start({ dir, cacheDir, workerUrl: FAULTY_WORKER, queryTimeoutMs: 300 });
    await engine.ready;
    const started = performance.now();
    await expect(engine.answer('\u0000hang')).rejects.toBeInstanceOf(EngineTimeout);
    expect(performance.now() - started).toBeLessThan(1_000);
    await until(() => logs.some((line) => /stopped answering/.test(line.message)));
    await until(() => engine.isReady);
    expect((await engine.answer(BAIDU_QUESTION)).results[0]!.passage.paragraph).toBe(5);
  });
});
