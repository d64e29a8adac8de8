/** CorpusChanges on a real Engine over a temporary copy of the corpus, without Discord. */
import { cp, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditNotice, createCorpusChanges, type CorpusChanges } from '../../src/app/corpusChanges/corpusChanges.js';
import { singleProcessSync } from '../../src/app/corpusChanges/corpusSync.js';
import { createLogger } from '../../src/runtime/logger.js';
import { CorpusTaskTimeout, offThread, type CorpusTasks } from '../../src/engine/corpusTasks.js';
import { Engine } from '../../src/engine/Engine.js';
import type { ReloadReport } from '../../src/library/Library.js';
import { repoRoot } from '../support/discordSpec.js';
import { testConfig } from '../support/testConfig.js';

const ARTICLE_ID = 'microsoft-china-partnerships';
const moderator = { id: '1000000000000000077', reason: 'test' };
const article = (id: string, body: string) =>
  new TextEncoder().encode(
    `---\ntitle: A test article\nauthor: Jane Roe\npublisher: Example News\npublished: 2020-02-29\nurl: https://example.com/a\nid: ${id}\n---\n\n${body}\n`,
  );

let parentDir: string | undefined;
const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
  if (parentDir) await rm(parentDir, { recursive: true, force: true });
  parentDir = undefined;
});

const SERVER = '1150000000000000000';

/** CorpusChanges over a copy of the bundled corpus (one base article), for a bot that is not sharded. */
async function corpusChanges(tasks?: CorpusTasks): Promise<{ changes: CorpusChanges; engine: Engine; corpusDir: string }> {
  parentDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-changes-'));
  const corpusDir = path.join(parentDir, 'corpus');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  const engine = new Engine({ dir: corpusDir, cacheDir: path.join(parentDir, 'cache'), logger: createLogger(testConfig()) });
  await engine.ready;
  engines.push(engine);
  const sync = singleProcessSync(() => engine.reload());
  return {
    changes: createCorpusChanges({ engine, logger: createLogger(testConfig()), config: testConfig(), sync, rest: { post: async () => ({}) }, tasks }),
    engine,
    corpusDir,
  };
}

describe('CorpusChanges', () => {
  it('lets only one of two simultaneous uploads with the same id in', async () => {
    const { changes, engine, corpusDir } = await corpusChanges();
    const server = changes.forScope(SERVER);
    const results = await Promise.all([
      server.add(moderator, { fileName: 'first.md', bytes: article('shared-id', 'The first upload.'), replace: false }),
      server.add(moderator, { fileName: 'second.md', bytes: article('shared-id', 'The second upload.'), replace: false }),
    ]);
    expect(results.map(({ write }) => write?.ok)).toEqual([true, false]);
    expect(results[1]!.write).toMatchObject({
      reason: 'invalid',
      problems: [{ file: 'second.md', message: expect.stringContaining(`duplicate id "shared-id": servers/${SERVER}/first.md already uses it`) }],
    });
    expect(await readdir(path.join(corpusDir, 'servers', SERVER))).toEqual(['first.md']);
    // The corpus on disk stays valid, so the next reload is applied.
    expect((await changes.reload(moderator))[0]!.report).toMatchObject({ applied: true, documents: 2 });
    expect((await engine.sources(SERVER, 100)).documents.map((document) => document.id).sort()).toEqual([ARTICLE_ID, 'shared-id']);
  });

  it('refuses to remove a base article from a server, and removes the server’s own', async () => {
    const { changes, engine, corpusDir } = await corpusChanges();
    const server = changes.forScope(SERVER);
    const refused = await server.remove(moderator, ARTICLE_ID);
    expect(refused).toEqual({
      refused: expect.stringMatching(/^“Microsoft .*” is one of the articles every server is answered from, so it cannot be removed from Discord/),
      outcomes: [],
    });
    expect(await readdir(corpusDir)).toEqual([`${ARTICLE_ID}.md`]);

    await server.add(moderator, { fileName: 'other.md', bytes: article('other', 'Another article.'), replace: false });
    const removed = await server.remove(moderator, 'other');
    expect(removed.refused).toBeUndefined();
    expect(removed.retired).toMatchObject({ file: 'other.md', movedTo: expect.stringMatching(/^\.removed\/.*-other\.md$/) });
    expect(removed.outcomes[0]!.report).toMatchObject({ applied: true, removed: ['other'], documents: 1 });
    expect((await engine.sources(SERVER, 100)).documents.map((document) => document.id)).toEqual([ARTICLE_ID]);
  });

  it('adds and removes nothing outside a server', async () => {
    const { changes } = await corpusChanges();
    const direct = changes.forScope(undefined);
    expect(await direct.add(moderator, { fileName: 'x.md', bytes: article('x', 'Text.'), replace: false })).toEqual({
      refused: expect.stringMatching(/only in a server/),
      outcomes: [],
    });
    expect(await direct.remove(moderator, ARTICLE_ID)).toEqual({ refused: expect.stringMatching(/only in a server/), outcomes: [] });
  });

  it('keeps accepting changes after one fails', async () => {
    const { changes, corpusDir } = await corpusChanges();
    const server = changes.forScope(SERVER);
    await server.add(moderator, { fileName: 'other.md', bytes: article('other', 'Another article.'), replace: false });
    const away = `${corpusDir}-away`;
    await rename(corpusDir, away);
    await expect(server.remove(moderator, 'other')).rejects.toThrow(/ENOENT/);
    await rename(away, corpusDir);
    expect((await server.add(moderator, { fileName: 'third.md', bytes: article('third', 'A third article.'), replace: false })).write?.ok).toBe(true);
  });

  it('tells the moderator plainly when a change was stopped for taking too long, and keeps accepting changes', async () => {
    let stuck = true;
    const { changes } = await corpusChanges({
      ...offThread,
      write: (...args) => (stuck ? Promise.reject(new CorpusTaskTimeout('stopped')) : offThread.write(...args)),
    });
    const server = changes.forScope(SERVER);
    expect(await server.add(moderator, { fileName: 'slow.md', bytes: article('slow', 'Slow.'), replace: false })).toEqual({
      refused: expect.stringMatching(/^Checking this change took too long, so it was stopped: run `\/sources` to see whether it was made/),
      outcomes: [],
    });
    stuck = false;
    expect((await server.add(moderator, { fileName: 'next.md', bytes: article('next', 'Next.'), replace: false })).write?.ok).toBe(true);
  });

  it('reports an id no file has as not retired', async () => {
    const { changes } = await corpusChanges();
    expect(await changes.forScope(SERVER).remove(moderator, 'no-such-article')).toEqual({ outcomes: [] });
  });
});

describe('auditNotice', () => {
  const report = (fields: Partial<ReloadReport>): ReloadReport => ({
    applied: true,
    problems: [],
    skipped: [],
    added: [],
    removed: [],
    changed: [],
    titles: {},
    documents: 3,
    passages: 30,
    scopeSizes: {},
    analysed: 0,
    ms: 5,
    ...fields,
  });

  it('names a moderator as a mention and the articles by title, escaped', () => {
    const notice = auditNotice(
      moderator,
      report({
        added: ['a'],
        removed: ['b'],
        changed: ['c'],
        titles: { a: 'Cats *and* dogs @everyone', b: 'The [free](https://x.example) offer', c: 'Plain' },
      }),
    );
    expect(notice).toBe(
      [
        'Corpus reloaded by <@1000000000000000077> (test): 3 articles.',
        'Added: “Cats \\*and\\* dogs @\u200beveryone”',
        // A masked link cannot form: its "[" is escaped (and the bare link loses its preview).
        'Removed: “The \\[free\\]\\(<https://x.example)> offer”',
        'Changed: “Plain”',
      ].join('\n'),
    );
  });

  it('names a label such as SIGHUP as it is, lists at most ten titles, and says when a reload was refused', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `id-${i}`);
    const notice = auditNotice({ id: 'SIGHUP', reason: 'signal' }, report({ added: ids, titles: Object.fromEntries(ids.map((id) => [id, `Title ${id}`])) }));
    expect(notice.split('\n')).toEqual([
      'Corpus reloaded by SIGHUP (signal): 3 articles.',
      expect.stringMatching(/^Added: “Title id-0”, .*“Title id-9” and 2 more$/),
    ]);
    expect(auditNotice(moderator, report({ applied: false, problems: [{ file: 'x.md', message: 'bad' }] }))).toBe(
      'Corpus reload by <@1000000000000000077> (test) refused: 1 problem(s); the previous corpus is still served.',
    );
  });
});
