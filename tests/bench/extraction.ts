/**
 * Article extraction on tests/fixtures/extraction-dev (58 saved news pages, the body people marked
 * in each): the benchmark's shingle F1 of this project's extractor, and of Readability.js on jsdom
 * alone as the baseline, on the tuning and the held-out halves, in the same run.
 */
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import { extractHtml } from '../../src/ingest/extractHtml.js';
import { scorePage, scorePages, type SetScore } from '../support/extractionMetric.js';
import { extractionPages, type ExtractionPage } from '../support/extractionPages.js';
import type { Half } from '../support/questionSets.js';

type PagesScore = SetScore & { failed: number };

export interface ExtractionSystemReport {
  name: string;
  /** Both halves, and all 58 pages together (as the baseline figure was measured). */
  halves: Record<Half | 'all', PagesScore>;
}

export type ExtractionReport = ExtractionSystemReport[];

/** Readability.js on jsdom, as a page is commonly read: its text, or '' when jsdom throws (some pages' CSS). */
export function readabilityOnJsdom(page: ExtractionPage): string {
  try {
    const dom = new JSDOM(page.html, { url: page.url, virtualConsole: new VirtualConsole() });
    return new Readability(dom.window.document as ConstructorParameters<typeof Readability>[0]).parse()?.textContent ?? '';
  } catch {
    return '';
  }
}

/** A page scores as failed when nothing, or nothing of the marked body, was kept. */
function measure(name: string, pages: ExtractionPage[], extract: (page: ExtractionPage) => string): ExtractionSystemReport {
  const scored = pages.map((page) => ({ half: page.half, ...scorePage(extract(page), page.expected) }));
  const over = (which: Half | 'all'): PagesScore => {
    const scores = scored.filter((score) => which === 'all' || score.half === which);
    return { ...scorePages(scores), failed: scores.filter((score) => score.recall === 0).length };
  };
  return { name, halves: { tuning: over('tuning'), 'held-out': over('held-out'), all: over('all') } };
}

export function benchExtraction(): ExtractionReport {
  const pages = extractionPages();
  return [
    measure('citebot (src/ingest/extractHtml.ts)', pages, (page) => {
      try {
        return extractHtml(page.html, page.url).text;
      } catch {
        return '';
      }
    }),
    measure('Readability.js + jsdom', pages, readabilityOnJsdom),
  ];
}

/** The section's rows: one per system, F1 (precision / recall) per half and over all, and pages that failed (nothing of the body kept). */
export function extractionRows(report: ExtractionReport): string[][] {
  const cell = (score: PagesScore) =>
    `${score.f1.toFixed(3)} (${score.precision.toFixed(3)} / ${score.recall.toFixed(3)}), ${score.failed} of ${score.pages} failed`;
  return [
    ['', 'tuning half: F1 (P / R)', 'held-out half: F1 (P / R)', 'all 58 pages: F1 (P / R)'],
    ...report.map((system) => [system.name, cell(system.halves.tuning), cell(system.halves['held-out']), cell(system.halves.all)]),
  ];
}
