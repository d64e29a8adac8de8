/**
 * Issue 17's targets for questions typed the way members type (tests/fixtures/chat-questions.json:
 * chat spellings, typos, fragments, questions about the article itself, off-topic ones), on the
 * set's held-out half, answered through the public path: Library.answer with words and meaning.
 * Tune on the tuning half (tests/bench/chatEval.ts), never on this half's questions one by one:
 * failures here show totals only, for that reason. The model is loaded once for the file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from './support/questionSet.js';
import { measureChatSet, type ChatQuality } from './bench/chatQuality.js';

let chat: ChatQuality;
let engine: EvalReport;
/** Totals, not questions (see above). */
const shown = () => {
  const { failures: _failures, ...totals } = engine;
  return `\n${JSON.stringify(totals, null, 2)}`;
};

beforeAll(async () => {
  chat = await measureChatSet();
  engine = chat.halves['held-out'].engine;
}, 180_000);

describe('answers to questions typed the way members type (held-out half of chat-questions.json)', () => {
  it('is measured with meaning for every question (the encoder turned none away)', () => {
    expect(chat.turnedAway).toBe(0);
  });

  it('answers at least 90 % of the answerable questions right', () => {
    expect(engine.answerable).toBe(46);
    expect(engine.top1 / engine.answerable, shown()).toBeGreaterThanOrEqual(0.9);
  });

  it('declines every off-topic question', () => {
    expect(engine.unanswerable).toBe(6);
    expect(engine.abstained, shown()).toBe(engine.unanswerable);
  });

  it('shows at most one wrong answer', () => {
    expect(engine.publicWrong, shown()).toBeLessThanOrEqual(1);
  });
});
