import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import { loadCorpus } from '../../src/corpus/loadCorpus.js';
import { parseCorpusFile } from '../../src/corpus/parseCorpusFile.js';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { buildSearchIndex } from '../../src/index/buildSearchIndex.js';
import { analyze } from '../../src/text/analyze.js';

const article = (title: string, body: string) =>
  `---\ntitle: ${title}\nauthor: A\npublisher: P\npublished: 2020-01-01\nurl: https://example.com/x\n---\n\n${body}\n`;

describe('regressions found in review', () => {
  it('B2: a quote from a sentence longer than MAX_QUOTE_CHARS keeps the asked-about word, has one ellipsis per side, and a link without "…"', () => {
    const long = `Intro about rivers. ${Array.from({ length: 90 }, (_, i) => `word${i}`).join(' ')} zebra ${Array.from({ length: 40 }, (_, i) => `more${i}`).join(' ')}. Closing about lakes.`;
    const document: CorpusDocument = {
      id: 'd',
      title: 'T',
      author: 'A',
      publisher: 'P',
      published: '2020-01-01',
      url: 'https://example.com/d',
      file: 'd.md',
      body: long,
      bodyLine: 8,
      hash: 'h',
    };
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
    const { splitAtWords } = await import('../../src/text/sentences.js');
    const text = `\uD800 ${'x'.repeat(30)} \uD800 end`;
    const pieces = splitAtWords(text, 10);
    expect(pieces.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(10);
  });
});

describe('echoed user text', () => {
  it('cannot become a masked link, a list, or an unfurled preview', async () => {
    const { escapeUserText } = await import('../../src/app/responses.js');
    const escaped = escapeUserText('[Free Nitro, click here](https://discord-gift.example/claim) who wrote it?\n- item\n# big');
    expect(escaped).toContain('\\[Free Nitro, click here\\]\\(<https://discord-gift.example/claim');
    expect(escaped).toContain('\\- item');
    expect(escaped).toContain('\\# big');
    expect(escapeUserText('see https://a.example/x_y_z now')).toBe('see <https://a.example/x_y_z> now');
  });
});

describe('splitting a long paragraph whose sentences are separated by several spaces', () => {
  it('keeps every part within MAX_PASSAGE_CHARS, measured on the text as written', async () => {
    const { MAX_PASSAGE_CHARS, splitIntoPassages } = await import('../../src/passages/splitIntoPassages.js');
    const body = Array.from({ length: 40 }, (_, i) => `Sentence ${i} says something about tides and harbours here.`).join('     ');
    const document: CorpusDocument = {
      id: 'd',
      title: 'T',
      author: 'A',
      publisher: 'P',
      published: '2020-01-01',
      url: 'https://example.com/',
      file: 'd.md',
      body,
      bodyLine: 1,
      hash: 'h',
    };
    const parts = splitIntoPassages(document);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
      expect(body).toContain(part.text);
    }
  });
});
