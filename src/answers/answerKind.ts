/**
 * The kind of answer a question asks for, when a quote can plainly fail to give it: a time
 * ("when…", "what year…") or a quantity ("how many…", "how much…"). A quote that names no time
 * for "when" or no number for "how many" does not answer, however close its words are. The
 * words are general English, read from data/answerKinds.json.
 */
import { normalizeText, tokenize } from '../text/analyze.js';
import answerKinds from './data/answerKinds.json' with { type: 'json' };

export type AnswerKind = 'time' | 'quantity';

const KINDS = ['time', 'quantity'] as const satisfies readonly AnswerKind[];
const ASKED = Object.fromEntries(KINDS.map((kind) => [kind, answerKinds[kind].asked.map((phrase) => phrase.split(' '))])) as Record<AnswerKind, string[][]>;
const GIVING_WORDS = Object.fromEntries(KINDS.map((kind) => [kind, new Set(answerKinds[kind].words)])) as Record<AnswerKind, Set<string>>;

/** Words that may come before the asking words ("and when…", "so how many…", "tell me when…"); any other word first makes "when" a conjunction ("what happens when…"). */
const LEAD_IN = new Set(answerKinds.leadIn);

function wordsOf(text: string): string[] {
  return tokenize(normalizeText(text).toLowerCase());
}

/** The kind of answer `question` (as normalised, chat spellings spelled out) asks for, if one a quote can fail to give. */
export function answerKindOf(question: string): AnswerKind | undefined {
  const words = wordsOf(question);
  for (let start = 0; start < words.length; start += 1) {
    const kind = KINDS.find((candidate) => ASKED[candidate].some((phrase) => phrase.every((word, i) => words[start + i] === word)));
    if (kind || !LEAD_IN.has(words[start]!)) return kind;
  }
  return undefined;
}

/** Whether `text` gives an answer of `kind`, loosely: a digit, or a word of that kind (a month, "century", "after"; "twelve", "half"). */
export function givesKind(kind: AnswerKind, text: string): boolean {
  return /\p{N}/u.test(text) || wordsOf(text).some((word) => GIVING_WORDS[kind].has(word));
}

/**
 * The sentence to show for a question of `kind`: `preferred` when it gives that kind, else the
 * best-scoring sentence that does ("In 1066, Duke William… conquered England" over a closer
 * sentence with no date), else `preferred`.
 */
export function sentenceGiving(kind: AnswerKind | undefined, sentences: readonly string[], scores: readonly number[], preferred: number): number {
  if (kind === undefined || givesKind(kind, sentences[preferred] ?? '')) return preferred;
  let giving = preferred;
  sentences.forEach((sentence, i) => {
    if ((giving === preferred || scores[i]! > scores[giving]!) && givesKind(kind, sentence)) giving = i;
  });
  return giving;
}
