import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import { loadCorpus } from '../../src/corpus/loadCorpus.js';
import { buildSearchIndex } from '../../src/index/buildSearchIndex.js';
import { evaluate, loadQuestionSet, type EvalReport } from '../support/questionSet.js';

const CORPUS_DIR = fileURLToPath(new URL('../../corpus', import.meta.url));

/**
 * Floors for the engine on the evaluation question set (tests/fixtures/questions.json). They sit
 * a little below what the engine measures, so a change that makes answers worse fails here.
 */
describe('accuracy on the evaluation question set', () => {
  let report: EvalReport;
  /** The report, for failure messages only. */
  const shown = () => `\n${JSON.stringify(report, null, 2)}`;

  beforeAll(async () => {
    const { documents, problems } = await loadCorpus(CORPUS_DIR);
    expect(problems).toEqual([]);
    const index = buildSearchIndex(documents);
    report = evaluate(loadQuestionSet(), (question) => {
      const answer = answerQuestion(index, question);
      return { answered: answer.answered, results: answer.results.map((result) => ({ paragraph: result.passage.paragraph, quote: result.quote })) };
    });
  });

  it('evaluates the whole set', () => {
    expect(report.questions, shown()).toBe(79);
    expect(report.answerable, shown()).toBe(60);
    expect(report.unanswerable, shown()).toBe(19);
    expect(Object.keys(report.byKind).sort()).toEqual(['direct', 'keyword', 'paraphrase', 'typo', 'unanswerable']);
  });

  it('puts the right paragraph first for at least 45 of 60 answerable questions', () => {
    expect(report.top1, shown()).toBeGreaterThanOrEqual(45);
    expect(report.top3, shown()).toBeGreaterThanOrEqual(report.top1);
  });

  it('declines at least 12 of 19 questions the article does not answer', () => {
    expect(report.abstained, shown()).toBeGreaterThanOrEqual(12);
  });

  it('answers every direct and keyword question correctly', () => {
    expect(report.byKind.direct, shown()).toEqual({ correct: report.byKind.direct!.total, total: 21 });
    expect(report.byKind.keyword, shown()).toEqual({ correct: report.byKind.keyword!.total, total: 10 });
  });

  it('answers at least 9 of 11 questions with typos', () => {
    expect(report.byKind.typo!.total, shown()).toBe(11);
    expect(report.byKind.typo!.correct, shown()).toBeGreaterThanOrEqual(9);
  });

  it('keeps quotes short: median at most 500 characters', () => {
    expect(report.medianQuoteChars, shown()).toBeGreaterThan(0);
    expect(report.medianQuoteChars, shown()).toBeLessThanOrEqual(500);
  });
});
