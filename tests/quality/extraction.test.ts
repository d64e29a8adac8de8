/**
 * A floor under article extraction, on the held-out half of tests/fixtures/extraction-dev (pages
 * never tuned on), a little below what `npm run bench` measures there, so that a change that
 * makes extraction worse fails here; and no page may come out with nothing of its article.
 */
import { describe, expect, it } from 'vitest';
import { extractHtml } from '../../src/ingest/extractHtml.js';
import { scorePage, scorePages } from '../support/extractionMetric.js';
import { extractionPages } from '../support/extractionPages.js';

const FLOOR = { f1: 0.955, precision: 0.94, recall: 0.965 };

describe('article extraction on the held-out pages', () => {
  const pages = extractionPages().filter((page) => page.half === 'held-out');

  it(`keeps the marked body: F1 ≥ ${FLOOR.f1}, no page failing`, () => {
    const scores = pages.map((page) => ({ key: page.key, ...scorePage(extractHtml(page.html, page.url).text, page.expected) }));
    expect(scores.filter((score) => score.recall < 0.5).map((score) => score.key)).toEqual([]);
    const set = scorePages(scores);
    expect(set.pages).toBe(30);
    expect(set.f1).toBeGreaterThanOrEqual(FLOOR.f1);
    expect(set.precision).toBeGreaterThanOrEqual(FLOOR.precision);
    expect(set.recall).toBeGreaterThanOrEqual(FLOOR.recall);
  });

  it('finds a title, a publication date and an http(s) address on most pages', () => {
    const metas = pages.map((page) => extractHtml(page.html, page.url).meta);
    expect(metas.every((meta) => meta.title !== undefined && /^https?:\/\//.test(meta.url ?? ''))).toBe(true);
    expect(metas.filter((meta) => /^\d{4}-\d{2}-\d{2}$/.test(meta.published ?? '')).length).toBeGreaterThanOrEqual(22);
  });
});
