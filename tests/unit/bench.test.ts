// Smoke tests for `npm run bench` (tests/bench/): its inputs are deterministic and its arithmetic
// right, without running the bench itself (minutes long).
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import { buildSearchIndex } from '../../src/index/buildSearchIndex.js';
import { splitIntoPassages } from '../../src/passages/splitIntoPassages.js';
import { percentile } from '../bench/measure.js';
import { COMMON_WORDS, corpusFileText, syntheticCorpus } from '../bench/syntheticCorpus.js';
import { syntheticQueries } from '../bench/syntheticQueries.js';
import type { FeedsBenchReport } from '../bench/feeds.js';
import { againstLimit, feedsSection, feedsTitle, formatMB, formatMs, formatTable, hostsSection, hostsTitle, markdownTable } from '../bench/table.js';
import { parseCorpusFile } from '../../src/corpus/parseCorpusFile.js';
import { hostsBenchReport } from '../support/hostsBenchReport.js';
import { evaluate, type EvalAnswer, type EvalQuestion } from '../support/questionSet.js';

describe('synthetic corpus', () => {
  const corpus = syntheticCorpus({ documents: 30, seed: 7 });

  it('is the same for the same seed and different for another', () => {
    expect(syntheticCorpus({ documents: 30, seed: 7 })).toEqual(corpus);
    const other = syntheticCorpus({ documents: 30, seed: 8 });
    expect(other.map((document) => document.body)).not.toEqual(corpus.map((document) => document.body));
  });

  it('has the requested size: documents, passages per document, words per passage', () => {
    expect(corpus).toHaveLength(30);
    expect(new Set(corpus.map((document) => document.id)).size).toBe(30);
    const passages = corpus.flatMap((document) => splitIntoPassages(document));
    expect(passages).toHaveLength(300);
    const words = passages.map((passage) => passage.text.split(' ').length);
    const mean = words.reduce((sum, count) => sum + count, 0) / words.length;
    expect(mean).toBeGreaterThan(70);
    expect(mean).toBeLessThan(95);
  });

  it('is about half common English words, as real text is', () => {
    const common = new Set(COMMON_WORDS);
    const words = corpus.flatMap((document) =>
      document.body
        .toLowerCase()
        .split(/[^a-z]+/)
        .filter(Boolean),
    );
    const share = words.filter((word) => common.has(word)).length / words.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
  });

  it('writes corpus files that the bot reads back as the same documents', () => {
    for (const document of corpus.slice(0, 3)) {
      const parsed = parseCorpusFile(document.file, Buffer.from(corpusFileText(document)));
      expect(parsed.problems).toEqual([]);
      const { hash: _hash, bodyLine: _bodyLine, body, ...meta } = document;
      expect(parsed.document).toMatchObject(meta);
      expect(parsed.document!.body.trim()).toBe(body);
    }
  });

  it('gives deterministic queries, mostly about what it contains', () => {
    const queries = syntheticQueries(corpus, 100, 3);
    expect(queries).toHaveLength(100);
    expect(syntheticQueries(corpus, 100, 3)).toEqual(queries);
    expect(syntheticQueries(corpus, 100, 4)).not.toEqual(queries);
    const index = buildSearchIndex(corpus);
    const answered = queries.filter((query) => answerQuestion(index, query).answered).length;
    expect(answered).toBeGreaterThanOrEqual(80);
    expect(answered).toBeLessThan(100); // some are about what it doesn't contain
  });
});

describe('measurements', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1); // 1…100, shuffled
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([4], 99)).toBe(4);
    expect(percentile([], 50)).toBeNaN();
  });

  it('rounds and aligns for reading', () => {
    expect([0.5391, 19.268, 406.7, 32_156].map(formatMs)).toEqual(['0.539 ms', '19.3 ms', '407 ms', '32.2 s']);
    expect([0.14, 337.94].map(formatMB)).toEqual(['143 kB', '337.9 MB']);
    expect(
      formatTable([
        ['a', 'bb'],
        ['ccc', '1'],
      ]),
    ).toBe('a    bb\nccc   1');
  });

  it('says whether a figure meets its target, and by how much it misses', () => {
    expect(againstLimit(300, 300, formatMs)).toBe('≤ 300 ms ✓');
    expect(againstLimit(312, 300, formatMs)).toBe('≤ 300 ms ✗ (4 % over)');
    expect(againstLimit(900, 300, formatMs)).toBe('≤ 300 ms ✗ (3×)');
    expect(againstLimit(NaN, 300, formatMs)).toBe('≤ 300 ms ✗ (no figure)');
  });
});

describe('the followed feeds section', () => {
  const spread = (medianMs: number, maxMs = medianMs * 1.5) => ({ medianMs, maxMs });
  const report: FeedsBenchReport = {
    initialItems: 5,
    publications: 5,
    unchangedPolls: 10,
    pollSeconds: 1800,
    feedItems: 10,
    feedBytes: 5_300,
    articlePassages: 8,
    firstAnswer: spread(2870),
    stages: {
      due: spread(18),
      feedFetch: spread(3.4),
      feedRead: spread(819),
      article: spread(470),
      write: spread(394),
      reload: spread(1160),
      answer: { medianMs: NaN, maxMs: NaN },
    },
    meaningAtFirstAnswer: 0,
    vectorsAfterAnswer: spread(235),
    conditional: { wallMs: 7.2, cpuMs: 6.8, requests: 1, bytes: 559 },
    unconditional: { wallMs: 526, cpuMs: 562, requests: 1, bytes: 6_140 },
    load: { start: 5.7, end: 4.7, cpus: 2 },
  };

  it('names the feed it measured', () => {
    expect(feedsTitle(report)).toMatch(/^8\. Followed feeds: .*a feed of 10 items \(5 kB of RSS\)/);
    expect(feedsTitle(undefined)).toMatch(/^8\. Followed feeds: /);
  });

  it('gives the way to the first answer stage by stage, then an unchanged poll against its baseline, and the load', () => {
    const [intro, stages, meaning, , pollIntro, polls, load] = feedsSection(report, formatTable);
    const labels = (table: string) =>
      table
        .split('\n')
        .slice(1)
        .map((row) => row.trim().split(/ {2,}/)[0]);
    expect(labels(stages!)).toEqual([
      'publication → first answer from it',
      "the feed found due (its lease, under the feed store's lock)",
      'the feed fetched',
      'the feed read (a worker thread) and the item found new',
      'the article fetched, extracted (a worker thread), checked for duplicates',
      'written (a worker thread: checks and quota)',
      'reloaded (a new engine worker, then the swap)',
      'answered after the swap',
      "first answer → answers by meaning too (the new passages' vectors)",
    ]);
    expect(stages).toMatch(/publication → first answer from it +2\.87 s +4\.3 s\n/);
    // A stage that did not happen has no figure rather than a wrong one.
    expect(stages).toMatch(/answered after the swap +— +—\n/);
    expect(intro).toContain('FEED_POLL_SECONDS (1,800 s by default)');
    expect(meaning).toContain('for 0 of 5 items');
    expect(pollIntro).toContain('polled 10 times each way');
    expect(labels(polls!)).toEqual([
      'with its validators (If-None-Match → 304)',
      'baseline: served without validators (200, read, nothing new)',
      'validators ÷ baseline',
    ]);
    expect(polls).toMatch(/with its validators \(If-None-Match → 304\) +7\.2 ms +6\.8 ms +1 +559 B\n/);
    expect(polls).toMatch(/baseline: .* +526 ms +562 ms +1 +6 kB\n/);
    expect(polls).toMatch(/validators ÷ baseline +0\.014× +0\.012× +0\.091×$/);
    expect(load).toBe('Load average (1 min) 5.7 when the section started and 4.7 when it ended, on 2 CPUs shared with other work.');
  });

  it('makes Markdown tables for the page', () => {
    const tables = feedsSection(report, markdownTable).filter((part) => part.startsWith('|'));
    expect(tables).toHaveLength(2);
    expect(tables[0]).toContain('| publication → first answer from it | 2.87 s | 4.3 s |');
    expect(tables[1]!.split('\n')[0]).toBe('|   | wall | CPU | requests | bytes on the wire |');
  });
});

describe('the several hosts section', () => {
  const report = hostsBenchReport;

  it('names the database it measured', () => {
    expect(hostsTitle(report)).toMatch(/^9\. Several hosts \(DATABASE_URL\): .*PostgreSQL 18\.4 on 127\.0\.0\.1/);
    expect(hostsTitle(undefined)).toMatch(/^9\. Several hosts \(DATABASE_URL\): /);
  });

  it('gives a change’s cost against the files baseline, then host to host, and the load', () => {
    const [intro, costs, , hostsIntro, hosts, load] = hostsSection(report, formatTable);
    const labels = (table: string) =>
      table
        .split('\n')
        .slice(1)
        .map((row) => row.trim().split(/ {2,}/)[0]);
    expect(intro).toContain('10 times each way');
    expect(labels(costs!)).toEqual(['baseline: files (CORPUS_DIR)', 'database', 'database ÷ files']);
    expect(costs).toMatch(/baseline: files \(CORPUS_DIR\) +230 ms +225 ms\n/);
    expect(costs).toMatch(/database +366 ms +371 ms\n/);
    expect(costs).toMatch(/database ÷ files +1\.6× +1\.6×$/);
    expect(hostsIntro).toContain('5 articles added through host A');
    expect(labels(hosts!)).toEqual(['add on host A → answer on host B', 'from the add committed (its write resolved)']);
    expect(hosts).toMatch(/add on host A → answer on host B +1\.38 s +1\.63 s\n/);
    expect(hosts).toMatch(/from the add committed \(its write resolved\) +910 ms +1\.22 s$/);
    expect(load).toBe('Load average (1 min) 1.0 when the section started and 1.7 when it ended, on 2 CPUs shared with other work.');
  });

  it('makes Markdown tables for the page', () => {
    const tables = hostsSection(report, markdownTable).filter((part) => part.startsWith('|'));
    expect(tables).toHaveLength(2);
    expect(tables[0]!.split('\n')[0]).toBe('|   | write | retire |');
    expect(tables[1]).toContain('| add on host A → answer on host B | 1.38 s | 1.63 s |');
  });
});

describe('scoring answers (evaluate)', () => {
  const question = (fields: Partial<EvalQuestion>): EvalQuestion => ({
    id: 'q',
    question: 'q',
    kind: 'meta',
    paragraph: 1,
    alsoAccept: [2],
    expect: null,
    article: 'a',
    ...fields,
  });
  const answer = (paragraph: number, about?: EvalAnswer['about']): EvalAnswer => ({
    answered: true,
    results: [{ paragraph, quote: '' }],
    ...(about && { about }),
  });
  const declined: EvalAnswer = { answered: false, results: [] };
  const score = (q: EvalQuestion, given: EvalAnswer) => {
    const report = evaluate([q], () => given);
    return { right: report.top1 + report.abstained, publicWrong: report.publicWrong };
  };

  it('counts a question about the article right when answered about that article with its intent, whatever it quotes', () => {
    expect(score(question({ intent: 'author' }), answer(9, { intent: 'author', document: 'a' }))).toEqual({ right: 1, publicWrong: 0 });
    expect(score(question({ intent: 'author' }), answer(1, { intent: 'published', document: 'a' }))).toEqual({ right: 0, publicWrong: 1 });
    expect(score(question({ intent: 'author' }), answer(1, { intent: 'author', document: 'b' }))).toEqual({ right: 0, publicWrong: 1 });
    expect(score(question({ intent: 'author' }), answer(1))).toEqual({ right: 0, publicWrong: 1 });
  });

  it('also counts a plain answer quoting the opening right for what an article is about', () => {
    expect(score(question({ intent: 'topic' }), answer(2))).toEqual({ right: 1, publicWrong: 0 });
    expect(score(question({ intent: 'topic' }), answer(5))).toEqual({ right: 0, publicWrong: 1 });
    expect(score(question({ intent: 'topic' }), declined)).toEqual({ right: 0, publicWrong: 0 });
  });

  it('counts an answer to an off-topic question as shown wrongly, and a decline as right', () => {
    const offTopic = question({ kind: 'off-topic', paragraph: null, alsoAccept: [] });
    expect(score(offTopic, answer(1))).toEqual({ right: 0, publicWrong: 1 });
    expect(score(offTopic, declined)).toEqual({ right: 1, publicWrong: 0 });
  });
});
