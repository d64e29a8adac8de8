import { beforeAll, describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import { evaluate, type EvalReport } from '../support/questionSet.js';
import { articleSet } from '../support/questionSets.js';

/**
 * Floors for the engine by words alone on the held-out half of the evaluation question set
 * (tests/fixtures/questions.json; the tuning half is for tuning, see tests/support/questionSets.ts).
 * They sit a little below what the engine measures, so a change that makes answers worse fails here.
 */
describe('accuracy on the held-out half of the evaluation question set', () => {
  let report: EvalReport;
  /** The report, for failure messages only. */
  const shown = () => `\n${JSON.stringify(report, null, 2)}`;

  beforeAll(async () => {
    const set = await articleSet();
    report = evaluate(
      set.questions.filter((q) => q.half === 'held-out'),
      (question) => {
        const answer = answerQuestion(set.index, question);
        return { answered: answer.answered, results: answer.results.map((result) => ({ paragraph: result.passage.paragraph, quote: result.quote })) };
      },
    );
  });

  it('evaluates the held-out half', () => {
    expect(report.questions, shown()).toBe(40);
    expect(report.answerable, shown()).toBe(30);
    expect(report.unanswerable, shown()).toBe(10);
    expect(Object.keys(report.byKind).sort()).toEqual(['direct', 'keyword', 'paraphrase', 'typo', 'unanswerable']);
  });

  it('puts the right paragraph first for at least 22 of 30 answerable questions', () => {
    expect(report.top1, shown()).toBeGreaterThanOrEqual(22);
    expect(report.top3, shown()).toBeGreaterThanOrEqual(report.top1);
  });

  it('declines at least 5 of 10 questions the article does not answer', () => {
    expect(report.abstained, shown()).toBeGreaterThanOrEqual(5);
  });

  it('answers every direct and keyword question correctly', () => {
    expect(report.byKind.direct, shown()).toEqual({ correct: report.byKind.direct!.total, total: 11 });
    expect(report.byKind.keyword, shown()).toEqual({ correct: report.byKind.keyword!.total, total: 4 });
  });

  it('answers at least 5 of 6 questions with typos', () => {
    expect(report.byKind.typo!.total, shown()).toBe(6);
    expect(report.byKind.typo!.correct, shown()).toBeGreaterThanOrEqual(5);
  });

  it('keeps quotes short: median at most 500 characters', () => {
    expect(report.medianQuoteChars, shown()).toBeGreaterThan(0);
    expect(report.medianQuoteChars, shown()).toBeLessThanOrEqual(500);
  });
});
