/**
 * The kind of answer a question asks for, when a quote can plainly fail to give it: a time
 * ("when…", "what year…") or a quantity ("how many…", "how much…"). A quote that names no time
 * for "when" or no number for "how many" does not answer, however close its words are. The
 * words are general English, read from data/answerKinds.json.
 */
import { normalizeText, tokenize } from '../text/analyze.js';
import answerKinds from './data/answerKinds.json' with { type: 'json' };

export type AnswerKind = 'time' | 'quantity';

/** The kind of answer a question asks for, and what it names of that kind itself. */
export interface AskedAnswer {
  kind: AnswerKind;
  /**
   * The question's own numbers and words of its kind ("windows 10", "in march"): a quote that
   * repeats them gives no answer by them ("how much is windows 10" is not answered by "Windows 10").
   */
  named: ReadonlySet<string>;
}

const KINDS = ['time', 'quantity'] as const satisfies readonly AnswerKind[];
const ASKED = Object.fromEntries(KINDS.map((kind) => [kind, answerKinds[kind].asked.map((phrase) => phrase.split(' '))])) as Record<AnswerKind, string[][]>;
const GIVING_WORDS = Object.fromEntries(KINDS.map((kind) => [kind, new Set(answerKinds[kind].words)])) as Record<AnswerKind, Set<string>>;

/** Words that may come before the asking words ("and when…", "so how many…", "tell me when…"); any other word first makes "when" a conjunction ("what happens when…"). */
const LEAD_IN = new Set(answerKinds.leadIn);

function wordsOf(text: string): string[] {
  return tokenize(normalizeText(text).toLowerCase());
}

/** The kind of answer `question` (as normalised, chat spellings spelled out) asks for, if one a quote can fail to give. */
export function answerAskedBy(question: string): AskedAnswer | undefined {
  const words = wordsOf(question);
  for (let start = 0; start < words.length; start += 1) {
    const kind = KINDS.find((candidate) => ASKED[candidate].some((phrase) => phrase.every((word, i) => words[start + i] === word)));
    if (kind) return { kind, named: new Set(words.filter((word) => givingWord(kind, word))) };
    if (!LEAD_IN.has(words[start]!)) return undefined;
  }
  return undefined;
}

/** A word that gives an answer of `kind`, loosely: one with a digit, or a word of that kind (a month, "century", "after"; "twelve", "half"). */
function givingWord(kind: AnswerKind, word: string): boolean {
  return /\p{N}/u.test(word) || GIVING_WORDS[kind].has(word);
}

/** Whether `text` gives the answer `asked` for: a word giving its kind that the question does not name itself. */
export function givesAnswer(asked: AskedAnswer, text: string): boolean {
  return wordsOf(text).some((word) => givingWord(asked.kind, word) && !asked.named.has(word));
}

/**
 * The sentence to show for a question that `asked` for a kind of answer: `preferred` when it gives
 * one, else the best-scoring sentence that does ("In 1066, Duke William… conquered England" over
 * a closer sentence with no date), else `preferred`.
 */
export function sentenceGiving(asked: AskedAnswer | undefined, sentences: readonly string[], scores: readonly number[], preferred: number): number {
  if (asked === undefined || givesAnswer(asked, sentences[preferred] ?? '')) return preferred;
  let giving = preferred;
  sentences.forEach((sentence, i) => {
    if ((giving === preferred || scores[i]! > scores[giving]!) && givesAnswer(asked, sentence)) giving = i;
  });
  return giving;
}
