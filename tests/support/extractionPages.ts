/**
 * tests/fixtures/extraction-dev: 58 saved news pages with the article body people marked in each,
 * split in a fixed way (by a hash of the page's key) into a tuning half and a held-out half.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { halfOf, type Half } from './questionSets.js';

const DIR = new URL('../fixtures/extraction-dev/', import.meta.url);

export interface ExtractionPage {
  key: string;
  html: string;
  /** The page's address when it was saved. */
  url: string;
  /** The article body people marked. */
  expected: string;
  half: Half;
}

export function extractionPages(): ExtractionPage[] {
  const truth = JSON.parse(readFileSync(new URL('ground-truth.json', DIR), 'utf8')) as Record<string, { articleBody: string; url: string }>;
  return readdirSync(new URL('pages/', DIR))
    .filter((name) => name.endsWith('.html.gz'))
    .sort()
    .map((name) => {
      const key = name.slice(0, -'.html.gz'.length);
      const html = gunzipSync(readFileSync(new URL(`pages/${name}`, DIR))).toString('utf8');
      return { key, html, url: truth[key]!.url, expected: truth[key]!.articleBody, half: halfOf(key) };
    });
}
