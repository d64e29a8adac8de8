/** Articles from PDF, Word (.docx) and plain-text bytes, with whatever metadata the file carries. */
import { describe, expect, it } from 'vitest';
import { readArticle } from '../../src/ingest/readArticle.js';
import { docx, pdf } from '../support/articleFiles.js';

const SENTENCES = ['The council approved the new bridge on Tuesday after a long debate.', 'Work starts in March and should take two years, the mayor said.'];
const WORDS = `${SENTENCES.join(' ')} `.repeat(4).trim();

describe('readArticle', () => {
  it('reads a PDF: its text, and the title, author and date it carries', async () => {
    const { meta, text } = await readArticle({ kind: 'pdf', bytes: pdf(SENTENCES), url: 'https://example.com/report.pdf' });
    expect(meta).toEqual({ title: 'Bridge approved', author: 'Jane Doe', published: '2024-03-01', url: 'https://example.com/report.pdf' });
    expect(text.replace(/\s+/g, ' ')).toBe(SENTENCES.join(' '));
  });

  it('reads a Word .docx: one paragraph per paragraph', async () => {
    const { text } = await readArticle({ kind: 'docx', bytes: docx([...SENTENCES, WORDS]) });
    expect(text.trim().split(/\n\n+/)).toEqual([...SENTENCES, WORDS]);
  });

  it('reads a page in the charset it declares, and plain text as UTF-8', async () => {
    const latin1 = Buffer.from(`<html><head><meta charset="iso-8859-1"><title>Café</title></head><body><p>${WORDS} Café.</p></body></html>`, 'latin1');
    const page = await readArticle({ kind: 'html', bytes: new Uint8Array(latin1) });
    expect(page.meta.title).toBe('Café');
    expect(page.text.endsWith('Café.')).toBe(true);
    expect((await readArticle({ kind: 'text', bytes: new TextEncoder().encode('Zoë’s text') })).text).toBe('Zoë’s text');
  });
});
