import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, loadCorpusFile, type LoadedCorpus } from '../../src/corpus/loadCorpus.js';
import { firstInvalidUtf8Offset, idFromFileName, parseCorpusFile } from '../../src/corpus/parseCorpusFile.js';
import { formatProblem, formatProblemLines, type CorpusProblem } from '../../src/corpus/types.js';
import { MAX_LINEAR_SLOPE, measureScaling } from '../support/complexity.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORPUS_DIR = path.join(ROOT, 'corpus');

/** A valid article: front matter on lines 1–7, a blank line 8, body text from line 9. */
function article(fields: Record<string, string> = {}, body = 'The body of the article.\n'): string {
  const meta: Record<string, string> = {
    title: 'A test article',
    author: 'Jane Roe',
    publisher: 'Example News',
    published: '2020-02-29',
    url: 'https://example.com/news/test-article',
    ...fields,
  };
  const lines = Object.entries(meta).map(([key, value]) => `${key}: ${value}`);
  return `---\n${lines.join('\n')}\n---\n\n${body}`;
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const concatBytes = (...parts: Array<string | number[]>) => Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? [...utf8(part)] : part)));

const tempDirs: string[] = [];
async function tempDir(prefix = 'citebot-corpus-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The one problem reported for `file` (fails when there are none or several). */
function problemOf(problems: CorpusProblem[], file: string): CorpusProblem {
  const found = problems.filter((problem) => problem.file === file);
  expect(found, `problems for ${file}: ${JSON.stringify(problems)}`).toHaveLength(1);
  return found[0]!;
}

describe('the bundled corpus', () => {
  it('loads with no problems and exactly one document with the right metadata', async () => {
    const { documents, problems } = await loadCorpus(CORPUS_DIR);
    expect(problems).toEqual([]);
    expect(documents).toHaveLength(1);
    const [document] = documents;
    expect(document).toMatchObject({
      id: 'microsoft-china-partnerships',
      file: 'microsoft-china-partnerships.md',
      title: 'Microsoft reveals list of partnerships with Chinese state and private sector',
      author: 'Cate Cadell',
      publisher: 'TechNode',
      published: '2015-09-25',
      url: 'https://technode.com/2015/09/25/microsoft-reveals-list-of-partnerships-with-chinese-state-and-private-sector/',
      bodyLine: 8,
    });
    expect(document!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(document!.body).toContain('Microsoft has also revealed this week that they have struck a partnership with Baidu');
    expect(document!.body).not.toContain('title:');
  });
});

describe('parseCorpusFile', () => {
  const parse = (text: string, file = 'test.md') => parseCorpusFile(file, utf8(text));

  it('accepts a valid file, with the id taken from the file name or the front matter', () => {
    const result = parse(article(), 'My Great Article!.md');
    expect(result.problems).toEqual([]);
    expect(result.document).toMatchObject({
      id: 'my-great-article',
      file: 'My Great Article!.md',
      title: 'A test article',
      author: 'Jane Roe',
      publisher: 'Example News',
      published: '2020-02-29',
      url: 'https://example.com/news/test-article',
      body: '\nThe body of the article.\n',
      bodyLine: 8,
    });
    expect(parse(article({ id: 'custom_id-1' })).document?.id).toBe('custom_id-1');
  });

  it('derives URL-safe ids from file names', () => {
    expect(idFromFileName('Hello World.md')).toBe('hello-world');
    expect(idFromFileName('--Été 2015.MD')).toBe('t-2015');
    expect(idFromFileName('!!!.md')).toBe('document');
    expect(idFromFileName(`${'a'.repeat(100)}.md`)).toHaveLength(64);
  });

  it('gives the same hash for the same bytes and a different one when the bytes change', () => {
    const a = parse(article()).document!;
    const b = parse(article()).document!;
    const c = parse(article({ title: 'Another title' })).document!;
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
  });

  it.each([
    ['a missing field', article().replace('author: Jane Roe\n', ''), 6, /missing "author"/],
    ['a blank field (empty string)', article({ author: '""' }), 3, /"author" is blank/],
    ['a field left empty', article({ author: '' }), 3, /"author"/],
    ['a field that is not text', article({ publisher: '[a, b]' }), 4, /"publisher" must be text/],
    ['an impossible date', article({ published: '2015-02-30' }), 5, /"published" must be a real date written YYYY-MM-DD, not "2015-02-30"/],
    ['a date in another format', article({ published: '25/09/2015' }), 5, /"published" must be a real date written YYYY-MM-DD, not "25\/09\/2015"/],
    ['an ftp URL', article({ url: 'ftp://example.com/file' }), 6, /"url" must be an http\(s\) address, not "ftp:\/\/example.com\/file"/],
    ['a URL that is not one', article({ url: 'not a url' }), 6, /"url" must be an http\(s\) address, not "not a url"/],
    ['a bad id', article({ id: 'Has Spaces' }), 7, /"id" may use only/],
    ['an empty body', article({}, '   \n\n'), 8, /no text after the front matter/],
    ['no front matter', 'Just an article without metadata.\n', 1, /must start with YAML front matter/],
    ['unclosed front matter', '---\ntitle: T\nauthor: A\n\nBody text.\n', 1, /front matter is not closed/],
    ['front matter that is a list', '---\n- title\n- author\n---\n\nBody.\n', 2, /must be a mapping of fields.*not a list or a single value/],
    ['front matter that is a scalar', '---\njust some words\n---\n\nBody.\n', 2, /must be a mapping of fields/],
    ['empty front matter', '---\n---\n\nBody.\n', 2, /must be a mapping of fields/],
    ['invalid YAML', article({ author: 'Jane: Roe' }), 3, /^the author contains ": ".*: wrap the author in double quotes: author: "Jane: Roe"$/],
    ['YAML that is not a field', '---\ntitle: T\n- item\n---\n\nBody.\n', 3, /^front matter is not valid YAML: /],
    [
      'a duplicate key',
      article().replace('publisher: Example News\n', 'publisher: Example News\npublisher: Other\n'),
      5,
      /^"publisher" is set twice: keep one/,
    ],
  ])('rejects %s, naming the file, the line and the fault', (_label, text, line, message) => {
    const result = parse(text, 'broken.md');
    expect(result.document).toBeUndefined();
    expect(result.problems.length).toBeGreaterThan(0);
    const [problem] = result.problems;
    expect(problem!.file).toBe('broken.md');
    expect(problem!.line).toBe(line);
    expect(problem!.message).toMatch(message);
  });

  it('reports every problem of a file at once', () => {
    const result = parse(article({ published: 'yesterday', url: 'mailto:someone@example.com' }).replace('title: A test article\n', ''));
    expect(result.problems.map((problem) => problem.line)).toEqual([6, 4, 5]);
    expect(result.problems.map((problem) => problem.message).join('\n')).toMatch(/missing "title"[\s\S]*"published"[\s\S]*"url"/);
  });

  it('rejects an empty file and a file over the size limit', () => {
    expect(parseCorpusFile('empty.md', new Uint8Array()).problems[0]?.message).toMatch(/empty/);
    const big = parseCorpusFile('big.md', utf8(article()), 50);
    expect(big.document).toBeUndefined();
    expect(big.problems[0]?.message).toMatch(/too large \(\d+ bytes; the limit is 50\)/);
  });

  it('rejects a binary file, on the line of its first NUL byte', () => {
    const result = parseCorpusFile('binary.md', concatBytes(article(), 'second line\nthird ', [0x00, 0x01], ' line\n'));
    expect(result.document).toBeUndefined();
    expect(result.problems).toEqual([{ file: 'binary.md', line: 11, message: expect.stringMatching(/binary/) }]);
  });

  it.each([
    ['a lead byte without its continuation', [0xc3, 0x28]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a stray continuation byte', [0x80]],
  ])('rejects invalid UTF-8 (%s) on the right line', (_label, bad) => {
    const bytes = concatBytes(article({}, 'First paragraph.\n\nSecond '), bad, ' paragraph.\n');
    const result = parseCorpusFile('latin1.md', bytes);
    expect(result.document).toBeUndefined();
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ file: 'latin1.md', line: 11 });
    // "Second " is 7 characters: the bad byte is the 8th of line 11.
    expect(result.problems[0]!.message).toBe(
      `the text is not valid UTF-8 (byte 0x${bad[0]!.toString(16)} in column 8; probably Latin-1 or Windows-1252): save the file as UTF-8`,
    );
  });

  it('rejects a multi-byte character cut off at the end of the file', () => {
    const result = parseCorpusFile('cut.md', concatBytes(article({}, 'Ends in the middle of a euro sign '), [0xe2, 0x82]));
    expect(result.problems[0]).toMatchObject({ line: 9, message: expect.stringMatching(/not valid UTF-8/) });
  });

  it('finds the first invalid UTF-8 byte, accepting every valid sequence', () => {
    expect(firstInvalidUtf8Offset(utf8('ascii, é, €, 𝄞, 中文'))).toBe(-1);
    expect(firstInvalidUtf8Offset(Uint8Array.from([0x61, 0xc3, 0xa9, 0xc3, 0x28]))).toBe(3);
    expect(firstInvalidUtf8Offset(Uint8Array.from([0xe0, 0x80, 0xaf]))).toBe(0); // overlong 3-byte
    expect(firstInvalidUtf8Offset(Uint8Array.from([0xf0, 0x8f, 0xbf, 0xbf]))).toBe(0); // overlong 4-byte
    expect(firstInvalidUtf8Offset(Uint8Array.from([0xed, 0x9f, 0xbf]))).toBe(-1); // U+D7FF, just below the surrogates
    expect(firstInvalidUtf8Offset(Uint8Array.from([0xf4, 0x8f, 0xbf, 0xbf]))).toBe(-1); // U+10FFFF
    expect(firstInvalidUtf8Offset(Uint8Array.from([0xff]))).toBe(0);
  });

  it('accepts CRLF line endings and a byte order mark, with the same lines and body', () => {
    const plain = parse(article({}, 'First line\nsecond line.\n'));
    const windows = parseCorpusFile('windows.md', concatBytes([0xef, 0xbb, 0xbf], article({}, 'First line\nsecond line.\n').replace(/\n/g, '\r\n')));
    expect(windows.problems).toEqual([]);
    expect(windows.document).toMatchObject({ title: 'A test article', published: '2020-02-29', url: 'https://example.com/news/test-article', bodyLine: 8 });
    expect(windows.document!.body).toBe(plain.document!.body);
    expect(windows.document!.body).not.toContain('\r');
    expect(windows.document!.title.charCodeAt(0)).not.toBe(0xfeff);
    // Line numbers still count CRLF lines once.
    const broken = parseCorpusFile('w.md', utf8(article({ published: '2015-13-01' }).replace(/\n/g, '\r\n')));
    expect(broken.problems[0]?.line).toBe(5);
  });

  it('formats problems as file:line: message', () => {
    expect(formatProblem({ file: 'a.md', line: 3, message: 'bad' })).toBe('a.md:3: bad');
    expect(formatProblem({ file: 'a.md', message: 'bad' })).toBe('a.md: bad');
  });

  it('groups a message several files share into one line, keeping the others apart and in order', () => {
    const missing = 'front matter is missing "author"';
    const problems: CorpusProblem[] = [
      ...Array.from({ length: 12 }, (_, i) => ({ file: `f${String(i).padStart(2, '0')}.md`, line: 6, message: missing })),
      { file: 'g.md', line: 2, message: 'a different fault' },
      { file: 'h.md', message: 'a different fault' },
      { file: 'i.md', line: 3, message: 'a third fault' },
    ];
    expect(formatProblemLines(problems, 3)).toEqual([
      `12 files: ${missing} (f00.md:6, f01.md:6, f02.md:6 and 9 more)`,
      '2 files: a different fault (g.md:2, h.md)',
      'i.md:3: a third fault',
    ]);
    expect(formatProblemLines(problems)[0]).toBe(
      `12 files: ${missing} (${problems
        .slice(0, 12)
        .map((problem) => `${problem.file}:6`)
        .join(', ')})`,
    );
    // Two faults of one file stay two lines.
    expect(
      formatProblemLines([
        { file: 'a.md', line: 1, message: 'x' },
        { file: 'a.md', line: 2, message: 'x' },
      ]),
    ).toEqual(['a.md:1: x', 'a.md:2: x']);
  });
});

describe('front matter of a hostile size', () => {
  const parse = (text: string) => parseCorpusFile('big.md', utf8(text));
  /** `keys` fields besides the real ones, each `key: value` on its own line. */
  const padded = (keys: number) => article().replace('---\n', `---\n${Array.from({ length: keys }, (_, i) => `k${i}: value ${i}`).join('\n')}\n`);

  it('is refused for its number of fields, saying what to keep, in time linear in its size', () => {
    expect(parse(padded(33_000)).problems).toEqual([
      {
        file: 'big.md',
        line: 1,
        message: expect.stringMatching(
          /^front matter is too long \(\d+ bytes; at most 16384\): keep only title, author, publisher, published, url and id there, and the article’s text after the closing "---"$/,
        ),
      },
    ]);
    expect(parse(padded(40)).problems).toEqual([
      {
        file: 'big.md',
        line: 1,
        message:
          'front matter has 45 fields; at most 30 are read: keep only title, author, publisher, published, url and id there, and the article’s text after the closing "---"',
      },
    ]);
    // A file refused for a missing field costs as little: the fields are read once, not pairwise.
    // Lines of 7 bytes ("2kf: 1"), so that even 12,000 of them (84 KB) stay under the 128 KiB
    // past which V8 allocates a string or array at a higher cost a byte: a fit across that step
    // reads about 1.4 for linear code (tests/support/complexity.ts). The old pairwise check took
    // 1.5 s at 12,000 fields.
    const withoutTitle = (fields: number) =>
      article()
        .replace('---\n', `---\n${Array.from({ length: fields }, (_, i) => `${i.toString(36)}: 1`).join('\n')}\n`)
        .replace(/\ntitle: .*\n/, '\n');
    const scaling = measureScaling(parse, withoutTitle, { sizes: [1_500, 3_000, 6_000, 12_000] });
    expect(scaling.slope, scaling.summary).toBeLessThan(MAX_LINEAR_SLOPE);
  });

  it('still finds a field set twice among as many fields as are allowed', () => {
    expect(parse(padded(20).replace('title: A test article\n', 'title: A test article\ntitle: Again\n')).problems).toEqual([
      { file: 'big.md', line: 23, message: '"title" is set twice: keep one of the two lines' },
    ]);
    expect(parse(padded(25)).problems).toEqual([]);
  });
});

describe('front-matter help', () => {
  const parse = (text: string) => parseCorpusFile('help.md', utf8(text));
  /** The `key: "value"` line a problem suggests, put in place of line `line` of `text`. */
  const applySuggestion = (text: string, problem: CorpusProblem) => {
    const suggested = /wrap the \w+ in double quotes: (.*)$/.exec(problem.message)?.[1];
    expect(suggested, problem.message).toBeDefined();
    return text
      .split('\n')
      .map((line, index) => (index === problem.line! - 1 ? suggested : line))
      .join('\n');
  };

  it.each([
    [
      'a colon and space',
      'Microsoft: the China deals',
      /^the title contains ": ", which YAML reads as the start of another field: wrap the title in double quotes: title: "Microsoft: the China deals"$/,
    ],
    [
      'a comment',
      'Microsoft #1 partner in China',
      /^the text after "#" in the title is dropped as a YAML comment: wrap the title in double quotes: title: "Microsoft #1 partner in China"$/,
    ],
    ['a comment and nothing before it', '#1 partner', /dropped as a YAML comment/],
    [
      'a reserved first character and quotes',
      '@citebot says "hi": 2 #tips',
      /^the title (contains|is not plain text).*title: "@citebot says \\"hi\\": 2 #tips"$/,
    ],
  ])('explains a title with %s, and its suggested line parses to the intended title', (_label, title, message) => {
    const text = article({ title });
    const result = parse(text);
    expect(result.problems).toEqual([{ file: 'help.md', line: 2, message: expect.stringMatching(message) }]);
    const fixed = parse(applySuggestion(text, result.problems[0]!));
    expect(fixed.problems).toEqual([]);
    expect(fixed.document!.title).toBe(title);
  });

  it('leaves values that YAML reads whole as they were: quoted with a comment after, "#" inside a word', () => {
    expect(parse(article({ title: '"Microsoft #1" # the headline' })).document?.title).toBe('Microsoft #1');
    expect(parse(article({ title: 'C# in China', author: "O'Brien #2" })).problems).toEqual([
      expect.objectContaining({ line: 3, message: expect.stringMatching(/in the author is dropped/) }),
    ]);
    expect(parse(article({ title: 'C# in China' })).document?.title).toBe('C# in China');
  });

  it('names a wrongly cased or misspelt key instead of only reporting the field missing', () => {
    const recased = parse(article().replace('title:', 'Title:').replace('author:', 'Author:'));
    expect(recased.problems).toEqual([
      { file: 'help.md', line: 2, message: 'keys are lowercase: use "title", not "Title"' },
      { file: 'help.md', line: 3, message: 'keys are lowercase: use "author", not "Author"' },
    ]);
    const misspelt = parse(article().replace('published:', 'pubished:').replace('url:', 'ulr:'));
    expect(misspelt.problems).toEqual([
      { file: 'help.md', line: 5, message: 'unknown key "pubished": did you mean "published"?' },
      { file: 'help.md', line: 6, message: 'unknown key "ulr": did you mean "url"?' },
    ]);
    expect(parse(article({ ID: 'my-id' })).problems).toEqual([{ file: 'help.md', line: 7, message: 'keys are lowercase: use "id", not "ID"' }]);
    // A key far from any field is not a typo, and is still missing "author".
    expect(parse(article().replace('author:', 'writer:')).problems.map((problem) => problem.message)).toEqual(['front matter is missing "author"']);
  });

  it('keeps accepting extra keys, as before', () => {
    expect(parse(article({ tags: 'china, partnerships', summary: 'Who works with whom.' })).document?.title).toBe('A test article');
  });
});

describe('loadCorpus', () => {
  let dir: string;
  let outside: string;
  let loaded: LoadedCorpus;

  beforeAll(async () => {
    dir = await tempDir();
    outside = await tempDir('citebot-outside-');
    const files: Record<string, string | Uint8Array> = {
      'good.md': article({ title: 'The good one' }),
      'missing-field.md': article().replace('url: https://example.com/news/test-article\n', ''),
      'blank-field.md': article({ title: "''" }),
      'bad-date.md': article({ published: '2015-02-30' }),
      'bad-date-format.md': article({ published: '25/09/2015' }),
      'bad-url-ftp.md': article({ url: 'ftp://example.com/x' }),
      'bad-url-text.md': article({ url: 'not a url' }),
      'empty-body.md': article({}, ''),
      'no-front-matter.md': '# Just a heading\n\nAnd text.\n',
      'unclosed.md': '---\ntitle: x\n\nText\n',
      'list-front-matter.md': '---\n- a\n- b\n---\nText\n',
      'scalar-front-matter.md': '---\nhello\n---\nText\n',
      'invalid-yaml.md': article({ author: 'Jane: Roe' }),
      'dup-a.md': article({ id: 'same-id', title: 'First with the id' }),
      'dup-b.md': article({ id: 'same-id', title: 'Second with the id' }),
      'binary.md': concatBytes(article(), [0x00]),
      'invalid-utf8-c3.md': concatBytes(article({}, 'Caf'), [0xc3, 0x28], '\n'),
      'invalid-utf8-overlong.md': concatBytes(article({}, 'One.\n\nTwo '), [0xc0, 0xaf], '\n'),
      'invalid-utf8-surrogate.md': concatBytes(article({}, 'One.\n\nTwo.\n\nThree '), [0xed, 0xa0, 0x80], '\n'),
      'crlf-bom.md': concatBytes([0xef, 0xbb, 0xbf], article({ title: 'Windows file' }).replace(/\n/g, '\r\n')),
      // Ignored: hidden files and other extensions, however broken.
      '.hidden.md': 'not an article',
      'notes.txt': 'not an article',
      README: 'not an article',
    };
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
    // Ignored: folders, even one named like an article, and the files inside folders.
    await mkdir(path.join(dir, 'folder.md'));
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', 'nested.md'), 'broken, but not read');
    await writeFile(path.join(dir, 'sub', 'inner.txt'), article({ title: 'Reached through a link inside' }));
    await writeFile(path.join(outside, 'secret.md'), article({ title: 'Outside the corpus' }));
    await symlink(path.join(outside, 'secret.md'), path.join(dir, 'link-outside.md'));
    await symlink(path.join('..', path.basename(outside), 'secret.md'), path.join(dir, 'link-outside-relative.md'));
    await symlink(path.join('sub', 'inner.txt'), path.join(dir, 'link-inside.md'));
    await symlink(path.join(dir, 'missing-target.md'), path.join(dir, 'link-dangling.md'));
    loaded = await loadCorpus(dir);
  });

  it('loads exactly the valid files, in file-name order', () => {
    expect(loaded.documents.map((document) => document.file)).toEqual(['crlf-bom.md', 'dup-a.md', 'good.md', 'link-inside.md']);
    expect(loaded.documents.map((document) => document.title)).toEqual(['Windows file', 'First with the id', 'The good one', 'Reached through a link inside']);
  });

  it.each([
    ['missing-field.md', 6, /missing "url"/],
    ['blank-field.md', 2, /"title" is blank/],
    ['bad-date.md', 5, /"published" must be a real date.*"2015-02-30"/],
    ['bad-date-format.md', 5, /"published" must be a real date.*"25\/09\/2015"/],
    ['bad-url-ftp.md', 6, /"url" must be an http\(s\) address/],
    ['bad-url-text.md', 6, /"url" must be an http\(s\) address/],
    ['empty-body.md', 8, /no text after the front matter/],
    ['no-front-matter.md', 1, /must start with YAML front matter/],
    ['unclosed.md', 1, /not closed/],
    ['list-front-matter.md', 2, /must be a mapping/],
    ['scalar-front-matter.md', 2, /must be a mapping/],
    ['invalid-yaml.md', 3, /wrap the author in double quotes/],
    ['binary.md', 10, /binary/],
    ['invalid-utf8-c3.md', 9, /not valid UTF-8 \(byte 0xc3 in column 4;.*save the file as UTF-8/],
    ['invalid-utf8-overlong.md', 11, /not valid UTF-8 \(byte 0xc0 in column 5;/],
    ['invalid-utf8-surrogate.md', 13, /not valid UTF-8 \(byte 0xed in column 7;/],
  ])('reports %s on line %i', (file, line, message) => {
    const problem = problemOf(loaded.problems, file);
    expect(problem.line).toBe(line);
    expect(problem.message).toMatch(message);
  });

  it('reports a duplicate id on the second file, naming the first', () => {
    const problem = problemOf(loaded.problems, 'dup-b.md');
    expect(problem.message).toMatch(/duplicate id "same-id"/);
    expect(problem.message).toContain('dup-a.md');
    expect(problem.line).toEqual(expect.any(Number));
  });

  it('ignores symbolic links that leave the folder or lead nowhere, with a problem', () => {
    for (const file of ['link-outside.md', 'link-outside-relative.md', 'link-dangling.md']) {
      expect(problemOf(loaded.problems, file).message).toMatch(/symbolic link points outside/);
    }
    expect(loaded.documents.some((document) => document.title === 'Outside the corpus')).toBe(false);
  });

  it('follows a symbolic link that stays inside the folder', () => {
    const linked = loaded.documents.find((document) => document.file === 'link-inside.md');
    expect(linked).toMatchObject({ id: 'link-inside', title: 'Reached through a link inside' });
    expect(loaded.problems.some((problem) => problem.file === 'link-inside.md')).toBe(false);
  });

  it('reads no other extensions and no folders, reporting them as not read; dot-files are not even mentioned', () => {
    const mentioned = new Set(loaded.problems.map((problem) => problem.file));
    for (const file of ['.hidden.md', 'notes.txt', 'README', 'folder.md', 'sub', 'nested.md', 'sub/nested.md']) expect(mentioned.has(file)).toBe(false);
    // Every other file is accounted for: loaded, or reported.
    expect(loaded.documents.length + mentioned.size).toBe(4 + 16 + 1 + 3);
    expect(loaded.skipped).toEqual([
      { file: 'README', message: expect.stringMatching(/^not read: only \.md files are articles/) },
      { file: 'folder.md/', message: expect.stringMatching(/^not read: articles must be directly in the corpus folder, not in a subfolder/) },
      { file: 'notes.txt', message: expect.stringMatching(/^not read: only \.md files/) },
      { file: 'sub/', message: expect.stringMatching(/^not read: .*subfolder/) },
    ]);
  });

  it('accepts CRLF line endings with a BOM', () => {
    const windows = loaded.documents.find((document) => document.file === 'crlf-bom.md')!;
    expect(windows).toMatchObject({ id: 'crlf-bom', title: 'Windows file', author: 'Jane Roe', url: 'https://example.com/news/test-article', bodyLine: 8 });
    expect(windows.body).not.toContain('\r');
  });

  it('rejects files over maxFileBytes before reading them', async () => {
    const small = await tempDir();
    await writeFile(path.join(small, 'short.md'), article({}, 'Short.\n'));
    await writeFile(path.join(small, 'long.md'), article({}, `${'Long text. '.repeat(100)}\n`));
    const limit = Buffer.byteLength(article({}, 'Short.\n')) + 10;
    const { documents, problems } = await loadCorpus(small, { maxFileBytes: limit });
    expect(documents.map((document) => document.file)).toEqual(['short.md']);
    expect(problems).toEqual([{ file: 'long.md', message: expect.stringMatching(new RegExp(`too large \\(\\d+ bytes; the limit is ${limit}\\)`)) }]);
  });

  it('reports a duplicate id that two file names produce', async () => {
    const clash = await tempDir();
    await writeFile(path.join(clash, 'Same Name.md'), article());
    await writeFile(path.join(clash, 'same-name.md'), article());
    const { documents, problems } = await loadCorpus(clash);
    expect(documents).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/duplicate id "same-name"/);
  });

  it('reports a missing folder or a file given as the folder', async () => {
    const missing = path.join(os.tmpdir(), 'citebot-no-such-folder-', String(process.pid));
    expect(await loadCorpus(missing)).toEqual({ documents: [], problems: [{ file: missing, message: expect.stringMatching(/not found/) }], skipped: [] });
    const notFolder = path.join(CORPUS_DIR, 'microsoft-china-partnerships.md');
    expect((await loadCorpus(notFolder)).problems[0]?.message).toMatch(/not found or not readable/);
  });

  it('blames a duplicate id on the newer file when nothing is served, whatever the names', async () => {
    const clash = await tempDir();
    await writeFile(path.join(clash, 'zz-established.md'), article({ id: 'same' }));
    await writeFile(path.join(clash, 'aa-new.md'), article({ id: 'same' }));
    await utimes(path.join(clash, 'zz-established.md'), new Date('2020-01-01'), new Date('2020-01-01'));
    const { documents, problems } = await loadCorpus(clash);
    expect(documents.map((document) => document.file)).toEqual(['zz-established.md']);
    expect(problems).toEqual([{ file: 'aa-new.md', line: 1, message: expect.stringContaining('duplicate id "same": zz-established.md already uses it') }]);
  });

  it('blames a duplicate id on the file that is not serving it, even when that file is older', async () => {
    const clash = await tempDir();
    await writeFile(path.join(clash, 'served.md'), article({ id: 'same' }));
    await writeFile(path.join(clash, 'other.md'), article({ id: 'same' }));
    await utimes(path.join(clash, 'other.md'), new Date('2020-01-01'), new Date('2020-01-01'));
    const { documents, problems } = await loadCorpus(clash, { served: new Map([['same', 'served.md']]) });
    expect(documents.map((document) => document.file)).toEqual(['served.md']);
    expect(problems).toEqual([{ file: 'other.md', line: 1, message: expect.stringContaining('served.md already uses it') }]);
  });

  it('checks a single file, and says why a file that is not an article is not read', async () => {
    const folder = await tempDir();
    await writeFile(path.join(folder, 'one.md'), article({ published: '2015-02-30' }));
    await writeFile(path.join(folder, 'notes.txt'), article());
    expect(await loadCorpusFile(path.join(folder, 'one.md'))).toEqual({
      documents: [],
      problems: [{ file: 'one.md', line: 5, message: expect.stringMatching(/real date/) }],
      skipped: [],
    });
    expect((await loadCorpusFile(path.join(CORPUS_DIR, 'microsoft-china-partnerships.md'))).documents).toHaveLength(1);
    expect(await loadCorpusFile(path.join(folder, 'notes.txt'))).toEqual({
      documents: [],
      problems: [],
      skipped: [{ file: 'notes.txt', message: expect.stringMatching(/^not read: only \.md/) }],
    });
  });

  it('loads an empty folder as an empty corpus without problems', async () => {
    expect(await loadCorpus(await tempDir())).toEqual({ documents: [], problems: [], skipped: [] });
  });
});
