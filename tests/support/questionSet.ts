/**
 * The evaluation question set (tests/fixtures/questions.json, written from the article, not from
 * the engine's output) and how answers are scored against it. Shared by the accuracy test and
 * `npm run bench`.
 */
import { readFileSync } from 'node:fs';
import type { ArticleIntent } from '../../src/answers/answerQuestion.js';

export interface EvalQuestion {
  id: string;
  question: string;
  /** The chat set's kinds (tests/fixtures/chat-questions.json) besides the formal sets'. */
  kind: 'direct' | 'paraphrase' | 'typo' | 'keyword' | 'unanswerable' | 'chat' | 'fragment' | 'meta' | 'off-topic';
  /** Paragraph that answers it, or null when the article does not. */
  paragraph: number | null;
  alsoAccept?: number[];
  /** Verbatim text a correct quote contains. */
  expect: string | null;
  /**
   * Set when it asks about the article itself: right when the answer is about that article with
   * this intent; for 'topic', also a plain answer quoting `paragraph` or `alsoAccept` (its opening).
   */
  intent?: ArticleIntent;
  /** The document it is about (the chat set's; a question about the article must be answered about this one). */
  article?: string;
}

/** What an answerer returns, reduced to what scoring needs. */
export interface EvalAnswer {
  answered: boolean;
  results: Array<{ paragraph: number; quote: string }>;
  /** When answered as a question about an article itself: what it asked, and which article. */
  about?: { intent: ArticleIntent; document: string };
}

export interface EvalReport {
  questions: number;
  answerable: number;
  unanswerable: number;
  /** Answerable questions whose first result is the right paragraph and quotes the expected text. */
  top1: number;
  /** … whose right paragraph is among the first three results. */
  top3: number;
  /** Unanswerable questions correctly declined. */
  abstained: number;
  /** Answerable questions wrongly declined. */
  falseAbstentions: number;
  /** Questions answered, but not right: what a member is shown wrongly (a decline is not). */
  publicWrong: number;
  medianQuoteChars: number;
  /** Per kind: correct (top-1 or correct abstention) out of total. */
  byKind: Record<string, { correct: number; total: number }>;
  failures: Array<{ id: string; question: string; expected: number | null; got: number | null }>;
}

export function loadQuestionSet(): EvalQuestion[] {
  return JSON.parse(readFileSync(new URL('../fixtures/questions.json', import.meta.url), 'utf8')) as EvalQuestion[];
}

/** Whether an answer is right about a question that asks about the article itself (see `EvalQuestion.intent`). */
function rightAboutArticle(q: EvalQuestion, result: EvalAnswer, accepted: Set<number | null>): boolean {
  if (result.about) return result.about.intent === q.intent && (q.article === undefined || result.about.document === q.article);
  return q.intent === 'topic' && result.answered && accepted.has(result.results[0]!.paragraph);
}

/** `answer` is also given the question's entry, for sets whose questions must be told apart by more than their text. */
export function evaluate<Q extends EvalQuestion>(questions: Q[], answer: (question: string, entry: Q) => EvalAnswer): EvalReport {
  const report: EvalReport = {
    questions: questions.length,
    answerable: 0,
    unanswerable: 0,
    top1: 0,
    top3: 0,
    abstained: 0,
    falseAbstentions: 0,
    publicWrong: 0,
    medianQuoteChars: 0,
    byKind: {},
    failures: [],
  };
  const quoteLengths: number[] = [];
  for (const q of questions) {
    const result = answer(q.question, q);
    const first = result.answered ? result.results[0] : undefined;
    const accepted = new Set([q.paragraph, ...(q.alsoAccept ?? [])]);
    let correct: boolean;
    if (q.paragraph === null) {
      report.unanswerable += 1;
      correct = !result.answered;
      if (correct) report.abstained += 1;
    } else {
      report.answerable += 1;
      if (!result.answered) report.falseAbstentions += 1;
      if (q.intent) correct = rightAboutArticle(q, result, accepted);
      else correct = first !== undefined && accepted.has(first.paragraph) && (q.expect === null || first.quote.includes(q.expect));
      if (correct) report.top1 += 1;
      if (q.intent ? correct : result.answered && result.results.slice(0, 3).some((r) => accepted.has(r.paragraph))) report.top3 += 1;
    }
    if (result.answered && !correct) report.publicWrong += 1;
    if (first) quoteLengths.push(first.quote.length);
    const kind = (report.byKind[q.kind] ??= { correct: 0, total: 0 });
    kind.total += 1;
    if (correct) kind.correct += 1;
    else report.failures.push({ id: q.id, question: q.question, expected: q.paragraph, got: first?.paragraph ?? null });
  }
  quoteLengths.sort((a, b) => a - b);
  report.medianQuoteChars = quoteLengths.length === 0 ? 0 : quoteLengths[Math.floor(quoteLengths.length / 2)]!;
  return report;
}
