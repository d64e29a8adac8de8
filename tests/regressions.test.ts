import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { answerQuestion } from '../src/answers/answerQuestion.js';
import { loadCorpus } from '../src/corpus/loadCorpus.js';
import { parseCorpusFile } from '../src/corpus/parseCorpusFile.js';
import type { CorpusDocument } from '../src/corpus/types.js';
import { buildSearchIndex } from '../src/index/buildSearchIndex.js';
import { Library } from '../src/library/Library.js';
import { analyze } from '../src/text/analyze.js';

vi.mock('../src/corpus/loadCorpus.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/corpus/loadCorpus.js')>();
  return { ...actual, loadCorpus: vi.fn(actual.loadCorpus) };
});

const article = (title: string, body: string) => `---\ntitle: ${title}\nauthor: A\npublisher: P\npublished: 2020-01-01\nurl: https://example.com/x\n---\n\n${body}\n`;

describe('regressions found in review', () => {
  it('B1: a reload() called while the queued follow-up reload is running sees the files as they were after its call', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-bug-'));
    await cp('corpus', dir, { recursive: true });
    const { library } = await Library.open({ dir });
    const actual = (await vi.importActual<typeof import('../src/corpus/loadCorpus.js')>('../src/corpus/loadCorpus.js')).loadCorpus;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const secondStarted = new Promise<void>((resolve) => (started = resolve));
    vi.mocked(loadCorpus)
      .mockImplementationOnce(actual) // first reload
      .mockImplementationOnce(async (...args) => { const result = await actual(...args); started(); await gate; return result; }); // the queued follow-up
    const first = library.reload();
    const second = library.reload(); // queued behind the first
    await first;
    await secondStarted; // the follow-up has read the folder
    await writeFile(path.join(dir, 'late.md'), article('Late', 'Written after the follow-up reload read the folder.'));
    const third = library.reload(); // called after the write
    release();
    await Promise.all([second, third]);
    expect(library.documents.map((d) => d.id)).toContain('late'); // fails: third got the follow-up's (stale) report
  });

  it('B2: a quote from a sentence longer than MAX_QUOTE_CHARS keeps the asked-about word, has one ellipsis per side, and a link without "…"', () => {
    const long = `Intro about rivers. ${Array.from({ length: 90 }, (_, i) => `word${i}`).join(' ')} zebra ${Array.from({ length: 40 }, (_, i) => `more${i}`).join(' ')}. Closing about lakes.`;
    const document: CorpusDocument = { id: 'd', title: 'T', author: 'A', publisher: 'P', published: '2020-01-01', url: 'https://example.com/d', file: 'd.md', body: long, bodyLine: 8, hash: 'h' };
    const [first] = answerQuestion(buildSearchIndex([document]), 'zebra').results;
    expect(first!.quote).not.toContain('… …');
    expect(decodeURIComponent(first!.link)).not.toContain('…');
    expect(first!.quote).toContain('zebra');
  });

  it('B3: YAML errors do not quote a second, front-matter-relative line number', () => {
    const problem = parseCorpusFile('y.md', new TextEncoder().encode(article('T', 'Body').replace('author: A', 'author: A: B'))).problems[0]!;
    expect(problem.line).toBe(3);
    expect(problem.message).not.toMatch(/at line 2/);
  });

  it('B4: a field left empty ("author:") is reported as blank', () => {
    const problem = parseCorpusFile('e.md', new TextEncoder().encode(article('T', 'Body').replace('author: A', 'author:'))).problems[0]!;
    expect(problem.message).toMatch(/"author" is blank/);
  });

  it('B5: top: 0 does not claim an answer with no results', async () => {
    const index = buildSearchIndex((await loadCorpus('corpus')).documents);
    const answer = answerQuestion(index, 'Which search engine will Edge use in China?', { top: 0 });
    expect(answer.answered && answer.results.length === 0).toBe(false);
  });

  it('B6: a soft hyphen inside a word does not split it', () => {
    expect(analyze('partner\u00adship')).toEqual(analyze('partnership'));
  });
});

describe('splitAtWords on malformed text', () => {
  it('terminates and loses nothing when a lone high surrogate stands before a space', async () => {
    const { splitAtWords } = await import('../src/text/sentences.js');
    const text = `\uD800 ${'x'.repeat(30)} \uD800 end`;
    const pieces = splitAtWords(text, 10);
    expect(pieces.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(10);
  });
});

describe('echoed user text', () => {
  it('cannot become a masked link, a list, or an unfurled preview', async () => {
    const { escapeUserText } = await import('../src/bot/respond.js');
    const escaped = escapeUserText('[Free Nitro, click here](https://discord-gift.example/claim) who wrote it?\n- item\n# big');
    expect(escaped).toContain('\\[Free Nitro, click here\\]\\(<https://discord-gift.example/claim');
    expect(escaped).toContain('\\- item');
    expect(escaped).toContain('\\# big');
    expect(escapeUserText('see https://a.example/x_y_z now')).toBe('see <https://a.example/x_y_z> now');
  });
});

describe('Library.reload after a failure', () => {
  it('still runs a reload queued behind one that threw', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-queue-'));
    await writeFile(path.join(dir, 'a.md'), article('A', 'Alpha paragraph.'));
    const { library } = await Library.open({ dir });
    // The first reload fails a little later, so the second is requested while it is running.
    vi.mocked(loadCorpus).mockImplementationOnce(() => new Promise((_, reject) => setTimeout(() => reject(new Error('EMFILE: too many open files')), 50)));
    await writeFile(path.join(dir, 'b.md'), article('B', 'Beta paragraph.'));
    const failing = expect(library.reload()).rejects.toThrow('EMFILE');
    const queued = library.reload();
    await failing;
    await expect(queued).resolves.toMatchObject({ applied: true, added: ['b'] });
  });

  it('refuses to replace the corpus with an empty folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-empty-'));
    await writeFile(path.join(dir, 'a.md'), article('A', 'Alpha paragraph about lighthouses.'));
    const { library } = await Library.open({ dir });
    await rm(path.join(dir, 'a.md'));
    const report = await library.reload();
    expect(report.applied).toBe(false);
    expect(report.problems[0]!.message).toMatch(/no articles/);
    expect(library.answer('lighthouses').answered).toBe(true);
  });
});

describe('splitting a long paragraph whose sentences are separated by several spaces', () => {
  it('keeps every part within MAX_PASSAGE_CHARS, measured on the text as written', async () => {
    const { MAX_PASSAGE_CHARS, splitIntoPassages } = await import('../src/passages/splitIntoPassages.js');
    const body = Array.from({ length: 40 }, (_, i) => `Sentence ${i} says something about tides and harbours here.`).join('     ');
    const document: CorpusDocument = { id: 'd', title: 'T', author: 'A', publisher: 'P', published: '2020-01-01', url: 'https://example.com/', file: 'd.md', body, bodyLine: 1, hash: 'h' };
    const parts = splitIntoPassages(document);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
      expect(body).toContain(part.text);
    }
  });
});
