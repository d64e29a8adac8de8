/** Section 1: answer quality of the engine and of the baseline on the evaluation question set. */
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import type { CorpusDocument } from '../../src/corpus/types.js';
import type { SearchIndex } from '../../src/index/buildSearchIndex.js';
import { evaluate, loadQuestionSet, type EvalReport } from '../support/questionSet.js';
import { baselineAnswer, buildBaseline } from './baseline.js';

export interface QualityReport {
  engine: EvalReport;
  baseline: EvalReport;
}

/** How many results count for top-3. */
const TOP = 3;

export function benchQuality(index: SearchIndex, documents: readonly CorpusDocument[]): QualityReport {
  const questions = loadQuestionSet();
  const baseline = buildBaseline(documents);
  return {
    engine: evaluate(questions, (question) => {
      const answer = answerQuestion(index, question, { top: TOP });
      return { answered: answer.answered, results: answer.results.map((result) => ({ paragraph: result.passage.paragraph, quote: result.quote })) };
    }),
    baseline: evaluate(questions, (question) => {
      const passages = baselineAnswer(baseline, question, TOP);
      return { answered: passages.length > 0, results: passages.map((passage) => ({ paragraph: passage.paragraph, quote: passage.text })) };
    }),
  };
}
