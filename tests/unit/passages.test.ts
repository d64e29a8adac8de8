import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/loadCorpus.js';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { headingText, MAX_PASSAGE_CHARS, sentencesOf, splitIntoPassages, type Passage } from '../../src/passages/splitIntoPassages.js';
import { splitSentences } from '../../src/text/sentences.js';
import { corpusDocument } from '../support/corpusDocument.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORPUS_DIR = path.join(ROOT, 'corpus');

/** A document built in memory; its body starts on line 8 of its (imaginary) file. */
function makeDocument(body: string, id = 'doc'): CorpusDocument {
  return corpusDocument(id, body, { title: 'Test document', url: 'https://example.com/doc' });
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Sentences of varied lengths, each ending with a full stop. */
function sentencesOfVariedLength(count: number): string[] {
  const words = ['market', 'partner', 'government', 'cloud', 'system', 'browser', 'search', 'venture', 'chip', 'bank', 'software', 'state'];
  return Array.from({ length: count }, (_, i) => {
    const length = 6 + ((i * 7) % 23);
    const body = Array.from({ length }, (_, k) => words[(i + k * 5) % words.length]).join(' ');
    return `Sentence ${i + 1} says the ${body}.`;
  });
}

describe('splitIntoPassages on the bundled article', () => {
  let document: CorpusDocument;
  let passages: Passage[];
  let source: string;
  let sourceLines: string[];

  beforeAll(async () => {
    const { documents } = await loadCorpus(CORPUS_DIR);
    document = documents[0]!;
    passages = splitIntoPassages(document);
    source = readFileSync(path.join(CORPUS_DIR, document.file), 'utf8');
    sourceLines = source.split('\n');
  });

  it('gives exactly 10 passages, one per paragraph, numbered 1–10', () => {
    expect(passages).toHaveLength(10);
    expect(passages.map((passage) => passage.paragraph)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(passages.map((passage) => passage.id)).toEqual(passages.map((_, i) => `${document.id}:${i + 1}`));
    for (const passage of passages) expect(passage).toMatchObject({ documentId: document.id, part: 1, parts: 1 });
  });

  it('puts paragraphs 1–9 before any heading and paragraph 10 under "About the author"', () => {
    expect(passages.slice(0, 9).map((passage) => passage.section)).toEqual(Array(9).fill(''));
    expect(passages[9]!.section).toBe('About the author');
    expect(passages[9]!.text).toMatch(/^Cate is a tech writer\./);
    expect(passages.some((passage) => passage.text.includes('About the author'))).toBe(false);
  });

  it('quotes every passage verbatim from the file', () => {
    for (const passage of passages) {
      expect(passage.text.length).toBeGreaterThan(0);
      expect(source, passage.id).toContain(passage.text);
      expect(passage.text).toBe(passage.text.trim());
    }
    // The typographic characters of the file survive (no ASCII folding in what is quoted).
    expect(passages[1]!.text).toContain('Microsoft’s partnership');
    expect(passages[0]!.text).toContain('Microsoft\u00a0has joined forces');
  });

  it('leaves out page furniture', () => {
    const all = passages.map((passage) => passage.text).join('\n');
    for (const furniture of ['Leave a comment', 'Akismet', 'Image Credit', '---', 'title:', 'url:']) expect(all).not.toContain(furniture);
  });

  it('records the file line where each paragraph starts', () => {
    expect(passages.map((passage) => passage.line)).toEqual([9, 11, 13, 15, 17, 19, 21, 23, 25, 29]);
    for (const passage of passages) expect(sourceLines[passage.line - 1], passage.id).toBe(passage.text);
  });

  it('keeps each passage’s sentences, which join back into its text', () => {
    for (const passage of passages) expect(sentencesOf(passage).join(' ')).toBe(passage.text);
    expect(sentencesOf(passages[9]!)).toHaveLength(3);
    expect(sentencesOf(passages[6]!)).toHaveLength(2); // "U.S. tech companies" does not end a sentence
  });

  it('gives the same passages every time', () => {
    expect(splitIntoPassages(document)).toEqual(passages);
  });
});

describe('splitIntoPassages on long paragraphs', () => {
  it('splits a 3000-character paragraph at sentence boundaries into numbered parts', () => {
    const sentences = sentencesOfVariedLength(40);
    let paragraph = '';
    for (const sentence of sentences) {
      if (paragraph.length > 3000) break;
      paragraph = paragraph === '' ? sentence : `${paragraph} ${sentence}`;
    }
    expect(paragraph.length).toBeGreaterThan(3000);
    const passages = splitIntoPassages(makeDocument(`\nA short first paragraph.\n\n${paragraph}\n\nA short last paragraph.\n`));

    const parts = passages.filter((passage) => passage.paragraph === 2);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(parts.map((passage) => passage.id)).toEqual(parts.map((_, i) => `doc:2.${i + 1}`));
    expect(parts.map((passage) => passage.part)).toEqual(parts.map((_, i) => i + 1));
    for (const part of parts) {
      expect(part.parts).toBe(parts.length);
      expect(part.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
      expect(part.line).toBe(11);
      expect(part.text).toMatch(/^Sentence \d+ says/); // starts a sentence…
      expect(part.text).toMatch(/\.$/); // …and ends one
      expect(sentencesOf(part).join(' ')).toBe(part.text);
      expect(paragraph).toContain(part.text);
    }
    // Nothing lost, nothing repeated.
    expect(squash(parts.map((part) => part.text).join(' '))).toBe(squash(paragraph));
    expect(parts.flatMap((part) => sentencesOf(part))).toEqual(splitSentences(paragraph));
    // Packing is greedy: each part is full enough that the next sentence would not have fitted.
    for (let i = 0; i + 1 < parts.length; i++) {
      expect(parts[i]!.text.length + 1 + sentencesOf(parts[i + 1]!)[0]!.length).toBeGreaterThan(MAX_PASSAGE_CHARS);
    }
    // The paragraphs around it are numbered as usual.
    expect(passages[0]).toMatchObject({ id: 'doc:1', paragraph: 1, line: 9 });
    expect(passages.at(-1)).toMatchObject({ id: 'doc:3', paragraph: 3, part: 1, parts: 1, line: 13 });
  });

  it('keeps a paragraph of exactly the limit whole, and splits one a character longer', () => {
    const exact = `Abcd${' word'.repeat(199)}.`;
    expect(exact).toHaveLength(MAX_PASSAGE_CHARS);
    expect(splitIntoPassages(makeDocument(exact))).toHaveLength(1);
    expect(splitIntoPassages(makeDocument(`${exact} More.`)).length).toBeGreaterThan(1);
  });

  it('splits a 2500-character text without punctuation between words, never inside one', () => {
    const words = Array.from({ length: 600 }, (_, i) => `w${i}${'x'.repeat(i % 7)}`);
    let text = '';
    for (const word of words) {
      if (text.length >= 2500) break;
      text = text === '' ? word : `${text} ${word}`;
    }
    const passages = splitIntoPassages(makeDocument(text));
    expect(passages.length).toBe(3);
    expect(passages.map((passage) => passage.id)).toEqual(['doc:1.1', 'doc:1.2', 'doc:1.3']);
    for (const passage of passages) {
      expect(passage.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
      expect(passage.text).toBe(passage.text.trim());
    }
    // Every word arrives whole, in order: cutting mid-word would change this list.
    expect(passages.flatMap((passage) => passage.text.split(' '))).toEqual(text.split(' '));
  });

  it('honours a smaller maxChars', () => {
    const paragraph = sentencesOfVariedLength(10).join(' ');
    const passages = splitIntoPassages(makeDocument(paragraph), 200);
    expect(passages.length).toBeGreaterThan(2);
    for (const passage of passages) expect(passage.text.length).toBeLessThanOrEqual(200);
    expect(squash(passages.map((passage) => passage.text).join(' '))).toBe(squash(paragraph));
  });
});

describe('splitIntoPassages on Markdown structure', () => {
  it('does not count headings or thematic breaks as paragraphs, and tracks the section', () => {
    const body = [
      '', // line 8
      'Intro paragraph.', // 9
      '', // 10
      '# First heading', // 11
      '', // 12
      'Under the first heading.', // 13
      '***', // 14
      'After a break, still under it.', // 15
      '', // 16
      '## Second heading ##', // 17
      'Under the second heading.', // 18
      '', // 19
      '- - -', // 20
      '', // 21
      '___', // 22
      '#hashtag is not a heading', // 23
    ].join('\n');
    const passages = splitIntoPassages(makeDocument(body));
    expect(passages.map(({ paragraph, section, line, text }) => ({ paragraph, section, line, text }))).toEqual([
      { paragraph: 1, section: '', line: 9, text: 'Intro paragraph.' },
      { paragraph: 2, section: 'First heading', line: 13, text: 'Under the first heading.' },
      { paragraph: 3, section: 'First heading', line: 15, text: 'After a break, still under it.' },
      { paragraph: 4, section: 'Second heading', line: 18, text: 'Under the second heading.' },
      { paragraph: 5, section: 'Second heading', line: 23, text: '#hashtag is not a heading' },
    ]);
  });

  it('joins hard-wrapped lines with single spaces', () => {
    const passages = splitIntoPassages(makeDocument('\nThe first line of a paragraph\n   wrapped by the editor   \nat forty columns.\n\nNext.'));
    expect(passages[0]).toMatchObject({ text: 'The first line of a paragraph wrapped by the editor at forty columns.', line: 9 });
    expect(passages[1]).toMatchObject({ text: 'Next.', paragraph: 2, line: 13 });
  });

  it('keeps the line breaks between list items and quote lines', () => {
    const passages = splitIntoPassages(
      makeDocument('- first item\n- second item\n  wrapped\n* third item\n1. numbered\n2) numbered too\n\n> quoted line\n> another'),
    );
    expect(passages[0]!.text).toBe('- first item\n- second item wrapped\n* third item\n1. numbered\n2) numbered too');
    expect(passages[1]!.text).toBe('> quoted line\n> another');
    expect(passages).toHaveLength(2);
  });

  it('keeps a fenced code block whole, blank lines and all', () => {
    const passages = splitIntoPassages(makeDocument('Before.\n\n```\ncode line 1\n\n# not a heading\ncode line 3\n```\n\nAfter.'));
    expect(passages.map((passage) => passage.text)).toEqual(['Before.', '```\ncode line 1\n\n# not a heading\ncode line 3\n```', 'After.']);
    expect(passages.every((passage) => passage.section === '')).toBe(true);
  });

  it('gives no passages for a body of only headings and breaks', () => {
    expect(splitIntoPassages(makeDocument('\n# Heading\n\n---\n\n## Another\n'))).toEqual([]);
  });

  it('reads ATX headings: up to 3 spaces, 1–6 "#", whitespace, an optional closing run', () => {
    expect(headingText('# Title')).toBe('Title');
    expect(headingText('   ###   Spaced   ###   ')).toBe('Spaced');
    expect(headingText('## C# #')).toBe('C#');
    expect(headingText('## C#')).toBe('C#');
    expect(headingText('# #')).toBe('#');
    expect(headingText('# x ## y')).toBe('x ## y');
    expect(headingText('# ')).toBe('');
    for (const line of ['#hashtag', '    # four spaces', '####### seven', '#', '# a\u2028b', '\t# tab']) expect(headingText(line)).toBeUndefined();
  });

  it('reads headings exactly as the regex it replaced did', () => {
    // The former pattern, kept as the reference: the same results, without its backtracking.
    const formerHeading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
    const line = fc.array(fc.constantFrom(' ', '#', 'a', '\t', '\u00a0', '\u2028', '\r', '\\'), { maxLength: 16 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(line, (text) => {
        expect(headingText(text)).toBe(formerHeading.exec(text)?.[1]?.trim());
      }),
      { numRuns: 5000 },
    );
  });
});
