/** Checks text before it is treated as a question, so bad input gets a clear, short message. */

/** Longest question accepted, in characters: a question, not a document. */
export const MAX_QUESTION_CHARS = 500;

export type QuestionCheck = { ok: true; question: string } | { ok: false; message: string };

export function validateQuestion(input: string): QuestionCheck {
  const question = input.trim();
  if (question === '') return { ok: false, message: 'The question is empty.' };
  if (question.length > MAX_QUESTION_CHARS) {
    return { ok: false, message: `The question is too long (${question.length} characters; at most ${MAX_QUESTION_CHARS}).` };
  }
  if (/[\0-\x08\x0E-\x1F\x7F]/.test(question)) return { ok: false, message: 'The question contains binary or control characters.' };
  if (!/[\p{L}\p{N}]/u.test(question)) return { ok: false, message: 'The question has no words to look up.' };
  return { ok: true, question };
}
