// docs/benchmarks.md is written by `npm run bench` (tests/bench/benchmarksDoc.ts): checked here on
// a small made-up report, without running the bench (minutes long).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostsBenchReport } from '../support/hostsBenchReport.js';
import type { EvalReport } from '../support/questionSet.js';
import { benchmarksMarkdown, gitState, writeBenchmarksDoc } from '../bench/benchmarksDoc.js';
import type { ExtractionSystemReport } from '../bench/extraction.js';
import { formatReport, markdownTable, type BenchReport } from '../bench/table.js';

const evalReport = (top1: number): EvalReport => ({
  questions: 12,
  answerable: 10,
  unanswerable: 2,
  top1,
  top3: 10,
  abstained: 2,
  falseAbstentions: 10 - top1,
  publicWrong: 0,
  medianQuoteChars: 240,
  byKind: { direct: { correct: top1, total: 10 } },
  failures: [],
});
const systems = (top1: number) => ({ engine: evalReport(top1), lexical: evalReport(top1 - 1), baseline: evalReport(top1 - 2) });
const stats = { queries: 100, p50Ms: 0.5, p99Ms: 2, perSecond: 1500, buildMs: 5000, heapMB: 200 };
const pages = { precision: 0.95, recall: 0.97, f1: 0.96, pages: 29, failed: 0 };
const burst = { interactions: 100, concurrency: 100, p50Ms: 40, p99Ms: 90, perSecond: 900, errors: 0 };

const qualityOnly: BenchReport = {
  meta: { node: 'v20.11.0', cpus: 2, cpuModel: 'Test CPU', date: '2026-12-07T17:00:00Z', wallMs: 61_000, corpora: 'seed 1', queries: 'seed 2' },
  quality: {
    sets: [{ name: 'questions.json', halves: { all: systems(9), tuning: systems(9), 'held-out': systems(8) } }],
    chat: {
      questions: 12,
      halves: {
        tuning: { engine: evalReport(9), lexical: evalReport(8), baseline: evalReport(7) },
        'held-out': { engine: evalReport(9), lexical: evalReport(8), baseline: evalReport(7) },
      },
      turnedAway: 0,
    },
    semanticCost: { openMs: 900, passages: 61, hybridP50Ms: 10, hybridP99Ms: 20, lexicalP50Ms: 0.2, lexicalP99Ms: 0.5, heapMB: 30 },
  },
  extraction: [{ name: 'citebot', halves: Object.fromEntries(['tuning', 'held-out', 'all'].map((half) => [half, pages])) as ExtractionSystemReport['halves'] }],
};
const full: BenchReport = {
  ...qualityOnly,
  scale: [
    {
      name: '10k docs',
      documents: 10_000,
      passages: 100_000,
      engine: stats,
      baseline: { ...stats, p99Ms: 800, buildMs: 14_000, heapMB: 300 },
      persisted: { diskMB: 115, saveMs: 2700, loadMs: 2200, loadedHeapMB: 278, rebuildMs: 5900 },
    },
  ],
  endToEnd: [{ ...burst, semantic: true, turnedAway: 0, rssBeforeMB: 300, rssAfterMB: 310, heapBeforeMB: 50, heapAfterMB: 51 }],
  botProcess: {
    documents: 10_000,
    noChangeBuildMs: 350,
    starts: [{ command: 'node dist/transports/gateway/main.js', cache: 'warm', gatewayMs: 400, firstAnswerMs: 2500, notYetAnswered: 3 }],
    reloads: [{ kind: 'one new article', reloadMs: 15_000, applied: true, questions: 300, p50Ms: 4.6, p99Ms: 14, worstMs: 28, errors: 0 }],
    burst,
  },
  http: { concurrency: 200, bursts: 5, p50Ms: 107, p99Ms: 138, maxMs: 149, late: 0 },
  feeds: {
    initialItems: 5,
    publications: 5,
    unchangedPolls: 10,
    pollSeconds: 1800,
    feedItems: 10,
    feedBytes: 5_300,
    articlePassages: 8,
    firstAnswer: { medianMs: 2870, maxMs: 3070 },
    stages: Object.fromEntries(
      (['due', 'feedFetch', 'feedRead', 'article', 'write', 'reload', 'answer'] as const).map((stage) => [stage, { medianMs: 100, maxMs: 150 }]),
    ) as Required<BenchReport>['feeds']['stages'],
    meaningAtFirstAnswer: 0,
    vectorsAfterAnswer: { medianMs: 235, maxMs: 294 },
    conditional: { wallMs: 7.2, cpuMs: 6.8, requests: 1, bytes: 559 },
    unconditional: { wallMs: 526, cpuMs: 562, requests: 1, bytes: 6_140 },
    load: { start: 5.7, end: 4.7, cpus: 2 },
  },
  hosts: hostsBenchReport,
};

describe('docs/benchmarks.md', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'citebot-benchdoc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says when, where and at which commit it was measured, and that the bench writes it', () => {
    const page = benchmarksMarkdown(full, { commit: 'abc1234', dirty: false });
    expect(page).toMatch(/^# Benchmarks\n/);
    expect(page).toContain('Written by `npm run bench`');
    expect(page).toContain('Measured 2026-12-07T17:00:00Z at commit `abc1234`: Node v20.11.0, 2 CPUs (Test CPU), 61 s in all.');
    expect(benchmarksMarkdown(full, { commit: 'abc1234', dirty: true })).toContain('commit `abc1234` with uncommitted changes');
    expect(benchmarksMarkdown(full, { commit: 'unknown', dirty: false })).toContain('an unknown commit');
  });

  it('has every section as a heading with Markdown tables, and no note of sections left out', () => {
    const page = benchmarksMarkdown(full, { commit: 'abc1234', dirty: false });
    for (const section of [
      '1. Answer quality',
      '2. Query latency',
      '3. Index build time',
      '4. End to end',
      '5. The bot process',
      '6. HTTP endpoint',
      '7. Article extraction',
      '8. Followed feeds',
      '9. Several hosts',
    ])
      expect(page).toContain(`\n## ${section}`);
    expect(page).toContain('| top-1 correct (answerable) | 9/10 |');
    expect(page).toMatch(/\| 10k docs \| 100,000 \| engine \|/);
    expect(page).toContain('p50 107 ms, p99 138 ms, max 149 ms; late or missing: 0');
    expect(page).toContain('| publication → first answer from it | 2.87 s | 3.07 s |');
    expect(page).not.toContain('Not measured');
    expect(page).not.toMatch(/\n\n\n/);
  });

  it('names the sections a --quality-only run left out', () => {
    const page = benchmarksMarkdown(qualityOnly, { commit: 'abc1234', dirty: false }, 'npm run bench -- --quality-only');
    expect(page).toContain('Written by `npm run bench -- --quality-only`');
    expect(page).toContain('## 1. Answer quality');
    expect(page).not.toContain('## 2.');
    expect(page).toContain(
      'Not measured in this run (--quality-only): 2. Query latency; 3. Index build time; 4. End to end; 5. The bot process; 6. HTTP endpoint; 8. Followed feeds; 9. Several hosts.',
    );
  });

  it('keeps the terminal output aligned text', () => {
    const text = formatReport(full);
    expect(text).toMatch(/^citebot bench: node v20\.11\.0/);
    expect(text).not.toContain('| ---');
    expect(text).toContain('\n6. HTTP endpoint: 5 bursts of 200');
  });

  it('writes the page to the file given, creating its folder', () => {
    const file = writeBenchmarksDoc(full, { file: path.join(dir, 'docs', 'benchmarks.md'), git: { commit: 'abc1234', dirty: false } });
    expect(readFileSync(file, 'utf8')).toBe(benchmarksMarkdown(full, { commit: 'abc1234', dirty: false }));
  });

  it('escapes | in table cells', () => {
    expect(
      markdownTable([
        ['a', 'b'],
        ['x|y', ''],
      ]),
    ).toBe('| a | b |\n| --- | ---: |\n| x\\|y |   |');
  });

  it("reads this checkout's commit", () => {
    expect(gitState().commit).toMatch(/^([0-9a-f]{7,}|unknown)$/);
  });
});
