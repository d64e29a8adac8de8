/**
 * `npm run corpus:add`: an article from a link (served by this file on 127.0.0.1) or a file, with
 * the same checks as the bot; `--dry-run --json` prints the body the corpus would keep and writes
 * nothing; whatever is missing is named with its option, and nothing half-made is saved. Also the
 * extraction worker's time limit.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCorpusFile } from '../../src/corpus/parseCorpusFile.js';
import { extractOffThread, ExtractionFailed } from '../../src/engine/extractionTasks.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const paragraph = (topic: string) =>
  `The council met on Tuesday to discuss ${topic}. Members heard from residents, engineers and the mayor, and agreed to publish the full report next month.`;
const BODY = `<nav><a href="/">Home</a></nav><article><h1>Bridge approved</h1><p>${paragraph('the bridge')}</p><p>${paragraph('the budget')}</p><p>${paragraph('the schedule')}</p></article><footer>Contact us</footer>`;
const LD = {
  '@type': 'NewsArticle',
  headline: 'Bridge approved',
  author: { name: 'Jane Doe' },
  publisher: { name: 'Example News' },
  datePublished: '2024-03-01T09:00:00+01:00',
};
const COMPLETE = `<html><head><link rel="canonical" href="https://news.example/bridge"><script type="application/ld+json">${JSON.stringify(LD)}</script></head><body>${BODY}</body></html>`;
// Another article's text: the base's bridge article, added first, would otherwise be its duplicate.
const BARE = `<html><head><title>Bridge approved</title></head><body><article><p>${paragraph('the ferry')}</p><p>${paragraph('the harbour')}</p><p>${paragraph('the tolls')}</p></article></body></html>`;
/** A page at `canonical` with `body`, its metadata complete. */
const page = (canonical: string, headline: string, body: string) =>
  `<html><head><link rel="canonical" href="${canonical}"><script type="application/ld+json">${JSON.stringify({ ...LD, headline })}</script></head><body>${body}</body></html>`;
// The bridge article updated at the same address, spelled as another link to it.
const MOVED = page(
  'https://www.news.example/bridge/',
  'Bridge approved, again',
  `<article><p>${paragraph('the new bridge')}</p><p>${paragraph('the new budget')}</p></article>`,
);
// The bridge article's very text at another address (a syndicated copy).
const COPY = page('https://mirror.example/bridge', 'Bridge copy', BODY);

const server = http.createServer((request, response) => {
  const routes: Record<string, [string, string | Buffer]> = {
    '/complete': ['text/html; charset=utf-8', COMPLETE],
    '/bare': ['text/html', BARE],
    '/gibberish': ['text/html', randomBytes(20_000)],
    '/link-only': ['text/plain', 'https://news.example/elsewhere\n'],
    '/moved': ['text/html', MOVED],
    '/copy': ['text/html', COPY],
  };
  const route = routes[request.url ?? ''];
  if (route) response.writeHead(200, { 'content-type': route[0] }).end(route[1]);
  else response.writeHead(404).end();
});
const at = (route: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${route}`;

let corpus: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  corpus = await mkdtemp(path.join(os.tmpdir(), 'citebot-add-'));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(corpus, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** corpus:add with `args`, its corpus the test's folder; loopback allowed unless `env` says otherwise. */
function corpusAdd(args: string[], env: NodeJS.ProcessEnv = { FETCH_ALLOW_PRIVATE: 'true' }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/corpus-add.ts', ...args],
      { cwd: ROOT, env: { ...process.env, CORPUS_DIR: corpus, FETCH_ALLOW_PRIVATE: '', ...env } },
      (error, stdout, stderr) => resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr }),
    );
  });
}

const files = async (dir = corpus) => (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.md')).sort();

describe('npm run corpus:add', () => {
  it('--dry-run --json prints one object, its text the body the corpus keeps, and writes nothing', async () => {
    const result = await corpusAdd(['--dry-run', '--json', at('/complete')]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0]!) as Record<string, string>;
    expect(Object.keys(printed)).toEqual(['title', 'author', 'publisher', 'published', 'url', 'text']);
    expect(printed).toMatchObject({
      title: 'Bridge approved',
      author: 'Jane Doe',
      publisher: 'Example News',
      published: '2024-03-01',
      url: 'https://news.example/bridge',
    });
    expect(printed.text!.trim().split('\n\n')).toEqual([paragraph('the bridge'), paragraph('the budget'), paragraph('the schedule')]);
    expect(await files()).toEqual([]);

    // Added for real, the file's body is exactly what the dry run printed.
    const added = await corpusAdd([at('/complete')]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^added bridge-approved\.md: Bridge approved \(Jane Doe, Example News, 2024-03-01\) https:\/\/news\.example\/bridge/);
    const written = parseCorpusFile('bridge-approved.md', await readFile(path.join(corpus, 'bridge-approved.md')));
    expect(written.document?.body).toBe(printed.text);
  });

  it('names what could not be found with the option that sets it, and saves nothing until it is given', async () => {
    const missing = await corpusAdd(['--server', '1150000000000000000', at('/bare')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      `${at('/bare')} was not added: its author, publisher, published could not be found. Give author (--author), publisher (--publisher), published (--published YYYY-MM-DD).`,
    );
    expect(await files()).toEqual(['bridge-approved.md']);

    const wrongDate = await corpusAdd(['--author', 'J. Doe', '--publisher', 'Gazette', '--published', '1 March', at('/bare')]);
    expect(wrongDate.stderr).toMatch(/published must be a real date written YYYY-MM-DD, not "1 March" \(set it with --published\)/);

    const given = await corpusAdd([
      '--server',
      '1150000000000000000',
      '--title',
      'Bridge (server copy)',
      '--author',
      'J. Doe',
      '--publisher',
      'Gazette',
      '--published',
      '2024-03-02',
      at('/bare'),
    ]);
    expect(given.code, given.stderr).toBe(0);
    expect(await files()).toEqual(['bridge-approved.md', path.join('servers', '1150000000000000000', 'bridge-server-copy.md')]);
    const text = await readFile(path.join(corpus, 'servers', '1150000000000000000', 'bridge-server-copy.md'), 'utf8');
    // The page's own address stands in for a canonical link it does not give.
    expect(text).toContain(`url: ${at('/bare')}`);
  });

  it('refuses, in one line, gibberish, a link alone, a loopback address without FETCH_ALLOW_PRIVATE, and a file type it cannot read', async () => {
    const refusals = await Promise.all([
      corpusAdd(['--dry-run', at('/gibberish')]),
      corpusAdd(['--dry-run', at('/link-only')]),
      corpusAdd(['--dry-run', at('/complete')], {}),
      corpusAdd(['--dry-run', path.join(ROOT, 'package.json')]),
    ]);
    const messages = refusals.map((result) => {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      return result.stderr.trim();
    });
    expect(messages[0]).toMatch(/gibberish was not added: (no article text was found in it|it is not readable text|it has only \d+ words?)/);
    expect(messages[1]).toMatch(/link-only was not added: it holds only a link, not the article/);
    expect(messages[2]).toMatch(/127\.0\.0\.1 was not fetched: 127\.0\.0\.1 is a loopback .*FETCH_ALLOW_PRIVATE=true/);
    expect(messages[3]).toMatch(
      /package\.json was not added: only web pages \(\.html, \.htm\), PDF, Word \(\.docx\) and plain-text \(\.txt\) files can be read/,
    );
    expect(await files()).toEqual(['bridge-approved.md', path.join('servers', '1150000000000000000', 'bridge-server-copy.md')]);
  });

  it('reads a saved page from a file', async () => {
    const saved = path.join(corpus, 'saved.html');
    await writeFile(saved, COMPLETE);
    const result = await corpusAdd(['--dry-run', '--json', saved]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ title: 'Bridge approved', url: 'https://news.example/bridge' });
  });
});

describe('npm run corpus:add with an article already in the corpus', () => {
  const SERVER = '1150000000000000000';
  const before = [`bridge-approved.md`, path.join('servers', SERVER, 'bridge-server-copy.md')];
  const oneLine = (result: Run) => {
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    return result.stderr.trim();
  };

  it('refuses one at the same address, or with the same text, naming it as /corpus add does', async () => {
    const [byAddress, byText, byTextFromServer, baseFromServer] = await Promise.all([
      corpusAdd([at('/moved')]),
      corpusAdd([at('/copy')]),
      corpusAdd(['--server', SERVER, at('/copy')]),
      corpusAdd(['--server', SERVER, '--replace', at('/moved')]),
    ]);
    const rerun = 'To update it, run `npm run -s corpus:add` again with `--replace`.';
    expect(oneLine(byAddress)).toBe(`Not added: the corpus already has “Bridge approved” (\`bridge-approved\`) at the same address. ${rerun}`);
    expect(oneLine(byText)).toBe(`Not added: the corpus already has “Bridge approved” (\`bridge-approved\`) with the same text. ${rerun}`);
    // A server's articles are checked against the base's too, which --replace does not change from there.
    expect(oneLine(byTextFromServer)).toBe(
      'Not added: “Bridge approved” (`bridge-approved`) is with the same text among the articles every server is answered from.',
    );
    expect(oneLine(baseFromServer)).toMatch(
      /^Not added: “Bridge approved” \(`bridge-approved`\) is at the same address among .*, which --replace with --server does not change/,
    );
    expect(await files()).toEqual(before);
    expect(await readFile(path.join(corpus, 'bridge-approved.md'), 'utf8')).toContain(paragraph('the schedule'));
  });

  it('--dry-run reports the duplicate and writes nothing', async () => {
    const result = await corpusAdd(['--dry-run', '--json', at('/moved')]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ title: 'Bridge approved, again' });
    expect(result.stderr).toMatch(/^Not added: the corpus already has “Bridge approved” \(`bridge-approved`\) at the same address/);
    expect(await files()).toEqual(before);
  });

  it('--replace updates the article already there, in its own file', async () => {
    const result = await corpusAdd(['--replace', at('/moved')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^replaced bridge-approved\.md: Bridge approved, again \(Jane Doe, Example News, 2024-03-01\) https:\/\/www\.news\.example\/bridge\//,
    );
    expect(await files()).toEqual(before);
    const written = parseCorpusFile('bridge-approved.md', await readFile(path.join(corpus, 'bridge-approved.md')));
    expect(written.document?.title).toBe('Bridge approved, again');
    expect(written.document?.body.trim().split('\n\n')).toEqual([paragraph('the new bridge'), paragraph('the new budget')]);
  });
});

describe('extraction off the Discord thread', () => {
  it('stops a worker that runs past its time limit, with a one-line reason', async () => {
    const stuck = new URL('../support/stuckExtractionWorker.ts', import.meta.url);
    const error = await extractOffThread({ kind: 'html', bytes: new TextEncoder().encode(COMPLETE) }, { workerUrl: stuck, timeLimitMs: 500 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toEqual(new ExtractionFailed('reading it took longer than 0.5 s, so it was stopped'));
  });

  it('stops a worker that takes more than its memory limit, with a one-line reason', async () => {
    const greedy = new URL('../support/greedyExtractionWorker.ts', import.meta.url);
    const error = await extractOffThread({ kind: 'html', bytes: new Uint8Array() }, { workerUrl: greedy, memoryMb: 64 }).catch((caught: unknown) => caught);
    expect(error).toEqual(new ExtractionFailed('reading it took more memory than the bot allows, so it was stopped'));
  });

  it('reads one source after another in one reader thread, and never reuses one that failed or could not read its source', async () => {
    const threadOf = (text: string) =>
      extractOffThread(
        { kind: 'text', bytes: new TextEncoder().encode(text) },
        { workerUrl: new URL('../support/threadIdExtractionWorker.ts', import.meta.url) },
      ).then((article) => article.meta.title);
    const first = await threadOf('one');
    expect(await threadOf('two')).toBe(first);
    await expect(threadOf('fail')).rejects.toEqual(new ExtractionFailed('it could not be read (a parser bug)'));
    const third = await threadOf('three');
    expect(third).not.toBe(first);
    // A source it could not read, even cleanly, ends the thread too.
    await expect(threadOf('unreadable')).rejects.toEqual(new ExtractionFailed('it could not be read (not an article)'));
    expect(await threadOf('again')).not.toBe(third);
    // Read at once: each in a thread of its own.
    const [one, two] = await Promise.all([threadOf('four'), threadOf('five')]);
    expect(one).not.toBe(two);
  });

  it('reads a page in a worker', async () => {
    const article = await extractOffThread({ kind: 'html', bytes: new TextEncoder().encode(COMPLETE), url: 'https://news.example/amp' });
    expect(article.meta).toMatchObject({ title: 'Bridge approved', url: 'https://news.example/bridge' });
  });
});
