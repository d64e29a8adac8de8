import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { markdownFromText, REMOVED_KEEP, REMOVED_MAX_AGE_DAYS, retireCorpusFile, safeCorpusFileName, writeCorpusFile } from '../../src/engine/corpusFiles.js';
import { loadCorpus } from '../../src/corpus/loadCorpus.js';
import { parseCorpusFile } from '../../src/corpus/parseCorpusFile.js';
import { formatProblem, type DocumentMeta } from '../../src/corpus/types.js';
import { splitIntoPassages } from '../../src/passages/splitIntoPassages.js';

const META: DocumentMeta = { title: 'A test article', author: 'Jane Roe', publisher: 'Example News', published: '2020-02-29', url: 'https://example.com/a' };
const utf8 = (text: string) => new TextEncoder().encode(text);
const article = (extra = '', body = 'The body of the article.') =>
  utf8(`---\ntitle: A test article\nauthor: Jane Roe\npublisher: Example News\npublished: 2020-02-29\nurl: https://example.com/a\n${extra}---\n\n${body}\n`);

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-files-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
const listing = async (dir: string) => (await readdir(dir)).sort();

describe('safeCorpusFileName', () => {
  it.each([
    ['../../x.md', 'x.md'],
    ['/etc/passwd', 'passwd.md'],
    ['..\\..\\evil.txt', 'evil.md'],
    ['C:\\Users\\me\\My Article.MD', 'my-article.md'],
    ['C:evil.md', 'evil.md'],
    ['notes.txt', 'notes.md'],
    ['report.final.md', 'report-final.md'],
    ['.hidden.md', 'hidden.md'],
    ['a\0b.md', 'ab.md'],
    ['Été 2015 — résumé.md', 'ete-2015-resume.md'],
    ['📰 Breaking News!.md', 'breaking-news.md'],
  ])('%j → %j', (name, expected) => {
    expect(safeCorpusFileName(name)).toBe(expected);
  });

  it.each(['', '..', '.md', '../', '中文.md', '📰.txt', 'C:\\'])('%j has nothing usable', (name) => {
    expect(safeCorpusFileName(name)).toBeUndefined();
  });

  it('keeps names short and never a dot-file', () => {
    const name = safeCorpusFileName(`${'long-'.repeat(40)}.md`)!;
    expect(name.length).toBeLessThanOrEqual(64 + '.md'.length);
    expect(name).toMatch(/^[a-z0-9][a-z0-9_-]*\.md$/);
  });
});

describe('markdownFromText', () => {
  it('round-trips tricky metadata through the corpus checker', () => {
    const meta: DocumentMeta = {
      title: 'Breaking: "Quotes", colons: and # hashes',
      author: "O'Brien: the elder",
      publisher: 'null',
      published: '2015-09-25',
      url: 'https://example.com/a?b=1&c=2#frag',
    };
    const parsed = parseCorpusFile('x.md', utf8(markdownFromText('Some text.', meta)));
    expect(parsed.problems).toEqual([]);
    expect(parsed.document).toMatchObject({ ...meta, id: 'x' });
  });

  it('normalizes CRLF and keeps blank-line paragraphs', () => {
    const markdown = markdownFromText('\uFEFFFirst paragraph,\r\nwrapped.\r\n\r\n\r\nSecond paragraph.   \r\n', META);
    expect(markdown).not.toContain('\r');
    const { document } = parseCorpusFile('x.md', utf8(markdown));
    expect(splitIntoPassages(document!).map((passage) => passage.text)).toEqual(['First paragraph, wrapped.', 'Second paragraph.']);
  });

  it('makes each line a paragraph when the text has no blank lines', () => {
    const { document } = parseCorpusFile('x.md', utf8(markdownFromText('One.\r\nTwo.\rThree.', META)));
    expect(splitIntoPassages(document!).map((passage) => passage.text)).toEqual(['One.', 'Two.', 'Three.']);
  });
});

describe('writeCorpusFile', () => {
  it('writes a valid file under its safe name, and nothing else', async () => {
    const dir = await tempDir();
    const result = await writeCorpusFile(dir, 'My Article.md', article(), { replace: false });
    expect(result).toEqual({ ok: true, file: 'my-article.md', documentId: 'my-article', replaced: false });
    expect(await listing(dir)).toEqual(['my-article.md']);
    expect(await readFile(path.join(dir, 'my-article.md'), 'utf8')).toBe(new TextDecoder().decode(article()));
  });

  it('writes through a dot-named temporary file, so the loader and watcher never see it half written', async () => {
    const dir = await tempDir();
    const seen: string[] = [];
    const watcher = watch(dir, (_event, name) => seen.push(String(name)));
    await writeCorpusFile(dir, 'atomic.md', article(), { replace: false });
    await writeCorpusFile(dir, 'atomic.md', article('', 'Replaced body.'), { replace: true });
    await vi.waitFor(() => expect(seen.some((name) => /^\.upload-[0-9a-f-]+\.tmp$/.test(name)) && seen.includes('atomic.md')).toBe(true), { timeout: 10_000 });
    watcher.close();
    expect(seen.filter((name) => !name.startsWith('.')).every((name) => name === 'atomic.md')).toBe(true);
    expect(await listing(dir)).toEqual(['atomic.md']);
  });

  it('refuses to overwrite unless asked to replace', async () => {
    const dir = await tempDir();
    await writeCorpusFile(dir, 'a.md', article(), { replace: false });
    const refused = await writeCorpusFile(dir, 'a.md', article('', 'New body.'), { replace: false });
    expect(refused).toMatchObject({ ok: false, reason: 'exists' });
    expect(await readFile(path.join(dir, 'a.md'), 'utf8')).toContain('The body of the article.');
    expect(await writeCorpusFile(dir, 'a.md', article('', 'New body.'), { replace: true })).toMatchObject({ ok: true, replaced: true });
    expect(await readFile(path.join(dir, 'a.md'), 'utf8')).toContain('New body.');
    expect(await listing(dir)).toEqual(['a.md']);
  });

  it('refuses an id another file already uses, but not the file being replaced', async () => {
    const dir = await tempDir();
    await writeCorpusFile(dir, 'first.md', article('id: shared\n'), { replace: false });
    const refused = await writeCorpusFile(dir, 'second.md', article('id: shared\n'), { replace: false });
    expect(refused).toEqual({
      ok: false,
      reason: 'invalid',
      problems: [{ file: 'second.md', line: 1, message: expect.stringContaining('duplicate id "shared": first.md') }],
    });
    // A default id (from the file name) collides too.
    await writeFile(path.join(dir, 'third.md'), article());
    expect(await writeCorpusFile(dir, 'other.md', article('id: third\n'), { replace: false })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await listing(dir)).toEqual(['first.md', 'third.md']);
    expect(await writeCorpusFile(dir, 'first.md', article('id: shared\n', 'Updated.'), { replace: true })).toMatchObject({ ok: true, documentId: 'shared' });
  });

  it.each([
    ['an impossible date', new TextDecoder().decode(article()).replace('2020-02-29', '2015-02-30'), /^bad\.md:5: "published" must be a real date/],
    ['no front matter', 'Just text.', /^bad\.md:1: file must start with YAML front matter/],
    ['binary bytes', '---\ntitle: x\0\n---\n', /^bad\.md:2: file is binary/],
    ['nothing at all', '', /^bad\.md: file is empty/],
  ])('writes nothing for %s', async (_what, content, problem) => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'keep.md'), article());
    const result = await writeCorpusFile(dir, 'bad.md', utf8(content), { replace: true });
    expect(result.ok).toBe(false);
    expect('problems' in result ? result.problems.map(formatProblem) : []).toEqual([expect.stringMatching(problem)]);
    expect(await listing(dir)).toEqual(['keep.md']);
  });

  it('refuses a file over the size cap it is given', async () => {
    const dir = await tempDir();
    expect(await writeCorpusFile(dir, 'big.md', article('', 'x'.repeat(500)), { replace: false, maxFileBytes: 300 })).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    expect(await listing(dir)).toEqual([]);
  });

  it('never writes outside the folder, whatever the name', async () => {
    const parent = await tempDir();
    const dir = path.join(parent, 'corpus');
    await mkdir(dir);
    const names = ['../escape.md', '../../escape2.md', `${parent}/abs.md`, '..\\..\\win.txt', '../.hidden.md'];
    for (const name of names)
      expect(await writeCorpusFile(dir, name, article(`id: ${safeCorpusFileName(name)!.replace('.md', '')}\n`), { replace: false })).toMatchObject({
        ok: true,
      });
    expect(await listing(parent)).toEqual(['corpus']);
    expect(await listing(dir)).toEqual(['abs.md', 'escape.md', 'escape2.md', 'hidden.md', 'win.md']);
  });

  it('refuses a name with nothing usable, and a missing folder', async () => {
    const dir = await tempDir();
    expect(await writeCorpusFile(dir, '../..', article(), { replace: false })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await writeCorpusFile(path.join(dir, 'missing'), 'a.md', article(), { replace: false })).toMatchObject({
      ok: false,
      problems: [{ message: 'corpus folder not found or not readable' }],
    });
    expect(await listing(dir)).toEqual([]);
  });
});

describe('retireCorpusFile', () => {
  it('moves the document’s file to .removed/ with a timestamp, deleting nothing', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'keep.md'), article('id: keep\n'));
    await writeFile(path.join(dir, 'Old Article.md'), article('id: old\n', 'Old text.'));
    const retired = await retireCorpusFile(dir, 'old');
    expect(retired).toMatchObject({ file: 'Old Article.md', documentId: 'old', title: 'A test article' });
    expect(retired!.movedTo).toMatch(/^\.removed\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-Old Article\.md$/);
    expect(await listing(dir)).toEqual(['.removed', 'keep.md']);
    expect(await readFile(path.join(dir, retired!.movedTo), 'utf8')).toContain('Old text.');
    expect((await loadCorpus(dir)).documents.map((document) => document.id)).toEqual(['keep']);

    // .removed/ already exists the second time.
    const second = await retireCorpusFile(dir, 'keep');
    expect(await readdir(path.join(dir, '.removed'))).toHaveLength(2);
    expect(second!.file).toBe('keep.md');
  });

  it('keeps the newest REMOVED_KEEP retired files, none older than REMOVED_MAX_AGE_DAYS, and leaves other files there alone', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'keep.md'), article('id: keep\n'));
    await mkdir(path.join(dir, '.removed'));
    await writeFile(path.join(dir, '.removed', 'notes.txt'), 'put here by hand');
    const retiredCycles = async () =>
      (await readdir(path.join(dir, '.removed')))
        .flatMap((name) => /-cycle-(\d+)\.md$/.exec(name)?.[1] ?? [])
        .map(Number)
        .sort((a, b) => a - b);
    const start = Date.UTC(2026, 0, 1);
    const minute = 60_000;
    const cycles = REMOVED_KEEP + 5;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const addAndRetire = async (cycle: number) => {
        await writeFile(path.join(dir, `cycle-${cycle}.md`), article(`id: cycle-${cycle}\n`));
        expect(await retireCorpusFile(dir, `cycle-${cycle}`)).toMatchObject({ file: `cycle-${cycle}.md` });
      };
      for (let cycle = 0; cycle < cycles; cycle++) {
        vi.setSystemTime(start + cycle * minute);
        await addAndRetire(cycle);
      }
      expect(await retiredCycles()).toEqual(Array.from({ length: REMOVED_KEEP }, (_, i) => cycles - REMOVED_KEEP + i));

      // Half a minute past the age limit of the file retired 10 minutes in: it and the older ones go.
      vi.setSystemTime(start + REMOVED_MAX_AGE_DAYS * 24 * 60 * minute + 10.5 * minute);
      await addAndRetire(cycles);
      expect(await retiredCycles()).toEqual(Array.from({ length: cycles - 10 }, (_, i) => 11 + i));
      expect(await readdir(path.join(dir, '.removed'))).toContain('notes.txt');
    } finally {
      vi.useRealTimers();
    }
  });

  it('returns undefined and moves nothing for an unknown id', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'keep.md'), article());
    expect(await retireCorpusFile(dir, 'nope')).toBeUndefined();
    expect(await listing(dir)).toEqual(['keep.md']);
  });
});
