/**
 * How `/corpus add` knows an article it already has (the address as duplicates compare it, the
 * fingerprint of its text), and how its look-alikes are told apart in `/corpus remove`'s
 * suggestions and the add reply's preview, within Discord's limits.
 */
import { describe, expect, it } from 'vitest';
import { articleChoice, formatArticlePreview } from '../../src/app/messages.js';
import { addressKey } from '../../src/corpus/addressKey.js';
import { findDuplicate } from '../../src/corpus/findDuplicate.js';
import type { CorpusDocument, DocumentInfo } from '../../src/corpus/types.js';
import { articleFingerprint, splitIntoPassages } from '../../src/passages/splitIntoPassages.js';

const article = (body: string): CorpusDocument => ({
  id: 'a',
  file: 'a.md',
  body,
  bodyLine: 1,
  hash: '',
  title: 'T',
  author: 'A',
  publisher: 'P',
  published: '2024-03-01',
  url: 'https://news.example/a',
});
const fingerprint = (body: string) => articleFingerprint(splitIntoPassages(article(body)));

describe('addressKey', () => {
  it('is the same for one page linked with www., a trailing slash, a fragment or tracking parameters', () => {
    const key = addressKey('https://news.example/2024/bridge');
    for (const same of [
      'https://www.news.example/2024/bridge/',
      'http://NEWS.example/2024/bridge#comments',
      'https://news.example/2024/bridge?utm_source=chat&utm_medium=share',
    ])
      expect(addressKey(same), same).toBe(key);
  });

  it('tells apart other pages, and other query parameters', () => {
    const key = addressKey('https://news.example/2024/bridge');
    for (const other of ['https://news.example/2024/bridge-2', 'https://other.example/2024/bridge', 'https://news.example/2024/bridge?page=2'])
      expect(addressKey(other), other).not.toBe(key);
    expect(addressKey('https://news.example/a?b=2&a=1')).toBe(addressKey('https://news.example/a?a=1&b=2'));
  });
});

describe('articleFingerprint', () => {
  it('is the same text whatever its case, punctuation or spacing', () => {
    expect(fingerprint('The bridge opens.\n\nIt cost £4m!')).toBe(fingerprint('the  bridge opens\n\nit cost £4m'));
  });

  it('differs when a word differs', () => {
    expect(fingerprint('The bridge opens in May.')).not.toBe(fingerprint('The bridge opens in June.'));
  });
});

describe('findDuplicate', () => {
  const doc = (id: string, url: string, body: string, scope?: string): CorpusDocument => ({ ...article(body), id, url, ...(scope && { scope }) });
  const SERVER = '1150000000000000000';
  const base = doc('base', 'https://news.example/a', 'The bridge opens.');
  const own = doc('own', 'https://www.news.example/a/', 'The bridge opens.', SERVER);
  const other = doc('other', 'https://news.example/b', 'The ferry leaves.', '1150000000000000001');
  const documents = [base, own, other];
  const fingerprintOf = (document: CorpusDocument) => fingerprint(document.body);

  it('finds the same address before the same text, a server’s own article before the base’s', () => {
    expect(findDuplicate(documents, 'https://news.example/a?utm_source=x', 'none', fingerprintOf, SERVER)).toEqual({ document: own, by: 'address' });
    expect(findDuplicate(documents, 'https://news.example/a', 'none', fingerprintOf)).toEqual({ document: base, by: 'address' });
    expect(findDuplicate(documents, 'https://elsewhere.example/', fingerprint('the bridge opens'), fingerprintOf)).toEqual({ document: base, by: 'text' });
  });

  it('sees only the base and the scope’s own articles', () => {
    expect(findDuplicate(documents, 'https://news.example/b', fingerprint('The ferry leaves.'), fingerprintOf, SERVER)).toBeUndefined();
    expect(findDuplicate(documents, 'https://news.example/b', 'none', fingerprintOf, '1150000000000000001')).toEqual({ document: other, by: 'address' });
  });
});

describe('articleChoice', () => {
  const document = (title: string, url: string): DocumentInfo => {
    const { body: _body, ...info } = article('');
    return { ...info, title, url };
  };

  it('names the day added and the site after the title', () => {
    expect(articleChoice(document('Bridge approved', 'https://www.news.example/a'), '2024-03-02')).toBe('Bridge approved · added 2024-03-02 · news.example');
  });

  it('stays within 100 characters, the title shortened first', () => {
    const long = articleChoice(document('A very long headline '.repeat(10), `https://${'sub.'.repeat(30)}example/a`), '2024-03-02');
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).toMatch(/^A very long headline .*… · added 2024-03-02 · sub\./);
  });
});

describe('formatArticlePreview', () => {
  it('escapes the article’s text: no mention, no formatting', () => {
    const embed = formatArticlePreview(
      { title: 'T', author: '@everyone **bold**', publisher: 'P', published: '2024-03-01', url: 'https://news.example/a' },
      3,
      'It began with <@123>.',
    );
    expect(embed.fields![0]!.value).not.toMatch(/(?<!\\)\*\*|@everyone/);
    expect(embed.description).not.toContain('<@123>');
  });
});
