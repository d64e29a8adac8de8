/**
 * The database as the store of record (DATABASE_URL), against a real PostgreSQL server (the run's
 * own, see tests/support/postgresSetup.ts): migrations, changes with the same checks as files
 * (quota and ids held across hosts), and hosts following the change sequence.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { offThread, type CorpusTasks } from '../../src/engine/corpusTasks.js';
import { FeedbackStore } from '../../src/feedback/feedbackStore.js';
import type { ReloadReport } from '../../src/library/Library.js';
import { createLogger } from '../../src/runtime/logger.js';
import { APPLIED_CHANGE_FILE } from '../../src/store/changeFollower.js';
import { MIGRATIONS_DIR, migrate } from '../../src/store/database.js';
import { openDatabaseStore, type DatabaseStore } from '../../src/store/databaseStore.js';
import { repoRoot } from '../support/discordSpec.js';
import { testConfig } from '../support/testConfig.js';
import { testDatabase } from '../support/testDatabase.js';

const SERVER = '1150000000000000000';
const BASE_ID = 'microsoft-china-partnerships';
const logger = createLogger(testConfig());
const QUOTA = { maxArticles: 3, maxBytes: 100_000, maxPassages: 2_000 };
const article = (id: string, body = `Text of ${id}, a sentence long enough to be a passage of its own.`) =>
  new TextEncoder().encode(
    `---\ntitle: Article ${id}\nauthor: Jane Roe\npublisher: Example News\npublished: 2020-02-29\nurl: https://example.com/${id}\nid: ${id}\n---\n\n${body}\n`,
  );
const writeOptions = { replace: false, scope: SERVER, quota: QUOTA };

let parent: string;
let databaseUrl: string;
const stores: DatabaseStore[] = [];

/** A host: its own copy of the base corpus and its own cache folder, on the shared database. */
async function host(name: string): Promise<{ store: DatabaseStore; corpusDir: string; cacheDir: string; reloads: () => number }> {
  const corpusDir = path.join(parent, name, 'corpus');
  const cacheDir = path.join(parent, name, 'cache');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  const store = openDatabaseStore({ databaseUrl, corpusDir, cacheDir, logger, following: { reconnectMs: { first: 50, max: 200 }, checkMs: 60_000 } });
  stores.push(store);
  let reloads = 0;
  store.follow(async () => {
    reloads++;
    return { applied: true } as ReloadReport;
  });
  return { store, corpusDir, cacheDir, reloads: () => reloads };
}

/** The server's article files in a host's corpus folder. */
/** A host started again on the same folders: a new store, which has made no change of its own. */
async function restarted({ corpusDir, cacheDir }: { corpusDir: string; cacheDir: string }): Promise<DatabaseStore> {
  const store = openDatabaseStore({ databaseUrl, corpusDir, cacheDir, logger });
  stores.push(store);
  return store;
}

const serverFiles = async (corpusDir: string) =>
  (await readdir(path.join(corpusDir, 'servers', SERVER)).catch(() => [] as string[])).filter((file) => file.endsWith('.md')).sort();

/** What the database says: its rows' files for the server, and its newest change. */
async function inDatabase(): Promise<{ files: string[]; newest: string }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const files = await client.query<{ file: string }>('SELECT file FROM articles WHERE scope = $1 ORDER BY file', [SERVER]);
    const newest = await client.query<{ newest: string }>('SELECT max(seq)::text AS newest FROM changes');
    return { files: files.rows.map((row) => row.file), newest: newest.rows[0]!.newest };
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  parent = await mkdtemp(path.join(os.tmpdir(), 'citebot-store-'));
  databaseUrl = await testDatabase('store');
  await migrate(databaseUrl, logger);
});
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await rm(parent, { recursive: true, force: true });
});

describe('the schema’s migrations', () => {
  it('apply once: run again, or by two hosts starting together on an empty database, they change nothing', async () => {
    expect(await migrate(databaseUrl, logger)).toEqual([]);
    const fresh = await testDatabase('migrations');
    const [first, second] = await Promise.all([migrate(fresh, logger), migrate(fresh, logger)]);
    const every = (await readdir(MIGRATIONS_DIR))
      .filter((name) => name.endsWith('.sql'))
      .map((name) => name.replace(/\.sql$/, ''))
      .sort();
    expect(every.length).toBeGreaterThan(0);
    expect([...first, ...second]).toEqual(every);
    const client = new pg.Client({ connectionString: fresh });
    await client.connect();
    const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations');
    await client.end();
    expect(rows.map((row) => row.name)).toEqual(every);
  });
});

describe('changes in the database', () => {
  let a: Awaited<ReturnType<typeof host>>;
  let b: Awaited<ReturnType<typeof host>>;
  beforeAll(async () => {
    a = await host('a');
    b = await host('b');
  });

  it('check uploads as files do, with the same results and messages', async () => {
    const filesDir = path.join(parent, 'files', 'corpus');
    await cp(path.join(repoRoot, 'corpus'), filesDir, { recursive: true });
    const scope = '1150000000000000001';
    const both = async (write: (tasks: CorpusTasks, dir: string) => ReturnType<CorpusTasks['write']>) => ({
      files: await write(offThread, filesDir),
      database: await write(a.store.tasks, a.corpusDir),
    });
    const cases = {
      added: (tasks: CorpusTasks, dir: string) => tasks.write(dir, 'Notes.md', article('notes'), { replace: false, scope, quota: QUOTA }),
      'the same name again': (tasks: CorpusTasks, dir: string) => tasks.write(dir, 'notes.md', article('notes-2'), { replace: false, scope, quota: QUOTA }),
      replaced: (tasks: CorpusTasks, dir: string) => tasks.write(dir, 'notes.md', article('notes', 'Longer text.'), { replace: true, scope, quota: QUOTA }),
      'a base article’s id': (tasks: CorpusTasks, dir: string) => tasks.write(dir, 'copy.md', article(BASE_ID), { replace: false, scope, quota: QUOTA }),
      'another file’s id': (tasks: CorpusTasks, dir: string) => tasks.write(dir, 'other.md', article('notes'), { replace: false, scope, quota: QUOTA }),
      'not an article': (tasks: CorpusTasks, dir: string) =>
        tasks.write(dir, 'bad.md', new TextEncoder().encode('no front matter'), { replace: false, scope, quota: QUOTA }),
      'past the passages quota': (tasks: CorpusTasks, dir: string) =>
        tasks.write(dir, 'long.md', article('long', 'Para.\n\n'.repeat(50)), { replace: false, scope, quota: { ...QUOTA, maxPassages: 5 } }),
    };
    for (const [what, write] of Object.entries(cases)) {
      const { files, database } = await both(write);
      expect(database, what).toEqual(files);
    }
    const retired = {
      files: await offThread.retire(filesDir, 'notes', { scope, keepLast: true }),
      database: await a.store.tasks.retire(a.corpusDir, 'notes', { scope, keepLast: true }),
    };
    expect(retired.database).toMatchObject({
      file: 'notes.md',
      documentId: 'notes',
      title: 'Article notes',
      movedTo: expect.stringMatching(/^\.removed\/.+-notes\.md$/),
    });
    expect({ ...retired.database, movedTo: '' }).toEqual({ ...retired.files, movedTo: '' });
    expect(await a.store.tasks.retire(a.corpusDir, BASE_ID, { scope, keepLast: true })).toEqual(
      await offThread.retire(filesDir, BASE_ID, { scope, keepLast: true }),
    );
  });

  it('let exactly one of two hosts’ adds at a server’s last free slot in, and write an id once', async () => {
    for (const id of ['one', 'two']) expect(await a.store.tasks.write(a.corpusDir, `${id}.md`, article(id), writeOptions)).toMatchObject({ ok: true });
    const slot = await Promise.all([
      a.store.tasks.write(a.corpusDir, 'from-a.md', article('from-a'), writeOptions),
      b.store.tasks.write(b.corpusDir, 'from-b.md', article('from-b'), writeOptions),
    ]);
    expect(slot.filter((result) => result.ok)).toHaveLength(1);
    expect(slot.find((result) => !result.ok)).toMatchObject({ ok: false, reason: 'quota', usage: { articles: 3 } });
    // The same id, under two names, from two hosts at once.
    await a.store.tasks.retire(a.corpusDir, slot[0]!.ok ? 'from-a' : 'from-b', { scope: SERVER });
    const noQuota = { ...writeOptions, quota: undefined };
    const same = await Promise.all([
      a.store.tasks.write(a.corpusDir, 'same-a.md', article('same'), noQuota),
      b.store.tasks.write(b.corpusDir, 'same-b.md', article('same'), noQuota),
    ]);
    expect(same.filter((result) => result.ok)).toHaveLength(1);
    expect(same.find((result) => !result.ok)).toMatchObject({
      ok: false,
      reason: 'invalid',
      problems: [{ message: expect.stringContaining('duplicate id "same"') }],
    });
  });

  it('reach a host that missed their announcements, from the change sequence, when it comes back', async () => {
    // Host b, restarted: it catches up at start, then stops.
    let following = (await restarted(b)).follow(async () => ({ applied: true }) as ReloadReport);
    await following.start();
    await following.stop();
    expect(await serverFiles(b.corpusDir)).toEqual((await inDatabase()).files);
    // While b is away: an add, a replace and a remove.
    await a.store.tasks.write(a.corpusDir, 'away.md', article('away'), { ...writeOptions, quota: undefined });
    await a.store.tasks.write(a.corpusDir, 'one.md', article('one', 'Rewritten while b was away.'), { ...writeOptions, replace: true, quota: undefined });
    await a.store.tasks.retire(a.corpusDir, 'two', { scope: SERVER });
    following = (await restarted(b)).follow(async () => ({ applied: true }) as ReloadReport);
    await following.start();
    await following.stop();
    const { files, newest } = await inDatabase();
    expect(files).toContain('away.md');
    expect(files).not.toContain('two.md');
    expect(await serverFiles(b.corpusDir)).toEqual(files);
    expect(await readFile(path.join(b.corpusDir, 'servers', SERVER, 'one.md'), 'utf8')).toContain('Rewritten while b was away.');
    expect(await readdir(path.join(b.corpusDir, 'servers', SERVER, '.removed'))).toContainEqual(expect.stringMatching(/-two\.md$/));
    expect(await readFile(path.join(b.cacheDir, APPLIED_CHANGE_FILE), 'utf8')).toBe(newest);
  });

  it('reach a connected host whose announcement was lost, within its periodic check', async () => {
    const store = openDatabaseStore({ databaseUrl, corpusDir: b.corpusDir, cacheDir: b.cacheDir, logger, following: { checkMs: 200 } });
    stores.push(store);
    let reloads = 0;
    const following = store.follow(async () => {
      reloads++;
      return { applied: true } as ReloadReport;
    });
    await following.start();
    try {
      // A change committed without its NOTIFY, as if the announcement never arrived.
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ seq: string }>(
          "INSERT INTO changes (kind, scope, name, op) VALUES ('article', $1, 'unannounced.md', 'add') RETURNING seq::text",
          [SERVER],
        );
        await client.query('INSERT INTO articles (scope, file, document_id, text, bytes, passages, seq) VALUES ($1, $2, $3, $4, $5, 1, $6)', [
          SERVER,
          'unannounced.md',
          'unannounced',
          new TextDecoder().decode(article('unannounced')),
          article('unannounced').length,
          rows[0]!.seq,
        ]);
      } finally {
        await client.end();
      }
      await vi.waitFor(async () => expect(await serverFiles(b.corpusDir)).toContain('unannounced.md'), { timeout: 15_000 });
      await vi.waitFor(() => expect(reloads).toBeGreaterThan(0));
    } finally {
      await following.stop();
    }
  });

  it('rebuild a host’s mirror from the rows when it has no record of what it applied', async () => {
    const folder = path.join(b.corpusDir, 'servers', SERVER);
    await writeFile(path.join(folder, 'stray.md'), article('stray'));
    await rm(path.join(b.cacheDir, APPLIED_CHANGE_FILE));
    const following = (await restarted(b)).follow(async () => ({ applied: true }) as ReloadReport);
    await following.start();
    await following.stop();
    const { files, newest } = await inDatabase();
    expect(await serverFiles(b.corpusDir)).toEqual(files);
    expect(await readdir(path.join(folder, '.removed'))).toContainEqual(expect.stringMatching(/-stray\.md$/));
    expect(await readFile(path.join(b.cacheDir, APPLIED_CHANGE_FILE), 'utf8')).toBe(newest);
  });
});

describe('npm run db:import', () => {
  it('copies a files-based deployment’s server articles, followed feeds and feedback, and only what changed when run again', async () => {
    const deployment = path.join(parent, 'deployment');
    const corpusDir = path.join(deployment, 'corpus');
    const cacheDir = path.join(deployment, 'cache');
    await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
    const folder = path.join(corpusDir, 'servers', SERVER);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'kept.md'), article('kept'));
    await writeFile(path.join(folder, 'edited.md'), article('edited'));
    await writeFile(path.join(folder, 'broken.md'), 'no front matter');
    const following = (url: string) => ({ url, keep: 5, followedBy: '1', followedAt: new Date().toISOString(), failures: 0, seen: ['a'], articles: [] });
    await writeFile(path.join(folder, '.feeds.json'), JSON.stringify({ feeds: [following('https://news.example/rss')] }));
    await writeFile(path.join(corpusDir, '.feeds.json'), JSON.stringify({ feeds: [following('https://base.example/rss')] }));
    const feedback = new FeedbackStore({ dir: path.join(cacheDir, 'feedback') });
    for (const outcome of ['answered', 'declined', 'up'] as const)
      await feedback.append({ time: new Date(Date.now() - outcome.length * 60_000).toISOString(), guildId: SERVER, question: `Q ${outcome}`, outcome });
    const imported = await testDatabase('import');
    const cli = (script: string, ...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, ...args], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: imported },
      });
    const run = () => cli('db-import', '--corpus', corpusDir, '--cache', cacheDir);
    const first = await run();
    expect(first.stdout).toMatch(/^skipped servers\/1150000000000000000\/broken\.md: /m);
    expect(first.stdout).toMatch(/^Copied 2 articles \(0 already there\), 2 followed feeds \(0 already there\) and 3 feedback records \(0 already there\)\.$/m);
    expect(first.stdout).not.toContain(new URL(imported).password);

    await writeFile(path.join(folder, 'edited.md'), article('edited', 'Edited since the first import.'));
    const second = await run();
    expect(second.stdout).toMatch(
      /^Copied 1 articles \(1 already there\), 0 followed feeds \(2 already there\) and 0 feedback records \(3 already there\)\.$/m,
    );
    const client = new pg.Client({ connectionString: imported });
    await client.connect();
    try {
      const articles = await client.query('SELECT file, document_id FROM articles ORDER BY file');
      expect(articles.rows).toEqual([
        { file: 'edited.md', document_id: 'edited' },
        { file: 'kept.md', document_id: 'kept' },
      ]);
      expect((await client.query('SELECT op FROM changes ORDER BY seq')).rows.map((row) => row.op)).toEqual(['add', 'add', 'replace']);
      expect((await client.query('SELECT count(*)::int AS records FROM feedback')).rows).toEqual([{ records: 3 }]);
      expect((await client.query("SELECT scope, feeds->0->>'url' AS url, feeds->0->'seen' AS seen FROM feed_lists ORDER BY scope")).rows).toEqual([
        { scope: '', url: 'https://base.example/rss', seen: ['a'] },
        { scope: SERVER, url: 'https://news.example/rss', seen: ['a'] },
      ]);
      expect((await client.query("SELECT text FROM articles WHERE file = 'edited.md'")).rows[0].text).toContain('Edited since the first import.');
    } finally {
      await client.end();
    }
    // `npm run feedback` reads the database once DATABASE_URL is set, as the bot then records there.
    const report = await cli('feedback', '--guild', SERVER);
    expect(report.stdout).toContain('2 questions in the last 7 days: 1 answered, 1 declined.');
    expect(report.stdout).toContain('Votes on answers: 👍 1 · 👎 0');
  });
});
