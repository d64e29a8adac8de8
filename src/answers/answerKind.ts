/**
 * The kind of answer a question asks for, when a quote can plainly fail to give it: a time
 * ("when…", "what year…") or a quantity ("how many…", "how much…"). A quote that names no time
 * for "when" or no number for "how many" does not answer, however close its words are. The
 * words are general English, read from data/answerKinds.json.
 */
import { normalizeText, tokenize, toTerm } from '../text/analyze.js';
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
  /** For a count ("how many customers"), the terms of what is counted: the two words after the asking words. */
  counted: ReadonlySet<string>;
}

const KINDS = ['time', 'quantity'] as const satisfies readonly AnswerKind[];
const ASKED = Object.fromEntries(KINDS.map((kind) => [kind, answerKinds[kind].asked.map((phrase) => phrase.split(' '))])) as Record<AnswerKind, string[][]>;
const GIVING_WORDS = Object.fromEntries(KINDS.map((kind) => [kind, new Set(answerKinds[kind].words)])) as Record<AnswerKind, Set<string>>;

/** Words that may come before the asking words ("and when…", "so how many…", "tell me when…"); any other word first makes "when" a conjunction ("what happens when…"). */
const LEAD_IN = new Set(answerKinds.leadIn);

const COUNTING = answerKinds.quantity.counting.map((phrase) => phrase.split(' '));
/** Words that follow what is counted in the question, at most: "how many [new] customers". */
const COUNTED_WORDS = 2;
/** Words a number may stand before what it counts: "11 million [new] customers". */
const COUNT_REACH = 3;

function wordsOf(text: string): string[] {
  return tokenize(normalizeText(text).toLowerCase());
}

/** The kind of answer `question` (as normalised, chat spellings spelled out) asks for, if one a quote can fail to give. */
export function answerAskedBy(question: string): AskedAnswer | undefined {
  const words = wordsOf(question);
  for (let start = 0; start < words.length; start += 1) {
    const kind = KINDS.find((candidate) => ASKED[candidate].some((phrase) => phrase.every((word, i) => words[start + i] === word)));
    if (kind) {
      const counting = COUNTING.find((phrase) => phrase.every((word, i) => words[start + i] === word));
      const counted = counting ? words.slice(start + counting.length, start + counting.length + COUNTED_WORDS).map(toTerm) : [];
      return { kind, named: new Set(words.filter((word) => givingWord(kind, word))), counted: new Set(counted.filter((term) => term !== null)) };
    }
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
 * Whether `text` gives the count `asked` for: a number it does not name itself, right before what
 * is counted ("11 million customers", "400,000 new subscribers"), with nothing but words that
 * qualify it between (no punctuation, no stop word: not "in 2007, and now customers").
 */
export function givesCount(asked: AskedAnswer, text: string): boolean {
  if (asked.counted.size === 0) return false;
  const chunks = normalizeText(text).toLowerCase().split(/\s+/);
  return chunks.some((chunk, i) => {
    if (!/^[\p{L}\p{N}.,]*[\p{L}\p{N}]$/u.test(chunk) || !givingWord(asked.kind, chunk) || asked.named.has(chunk)) return false;
    for (const next of chunks.slice(i + 1, i + 1 + COUNT_REACH)) {
      const word = next.replace(/[^\p{L}\p{N}]+$/u, '');
      const term = toTerm(word);
      if (term !== null && asked.counted.has(term)) return true;
      if (term === null || word !== next) return false;
    }
    return false;
  });
}

/**
 * The sentence to show for a question that `asked` for a kind of answer: the best-scoring one that
 * gives the count asked for ("11 million customers"), else `preferred` when it gives the kind, else
 * the best-scoring sentence that does ("In 1066, Duke William… conquered England" over a closer
 * sentence with no date), else `preferred`.
 */
export function sentenceGiving(asked: AskedAnswer | undefined, sentences: readonly string[], scores: readonly number[], preferred: number): number {
  if (asked === undefined) return preferred;
  const counting = bestScoring(sentences, scores, (sentence) => givesCount(asked, sentence));
  if (counting !== undefined) return counting;
  if (givesAnswer(asked, sentences[preferred] ?? '')) return preferred;
  return bestScoring(sentences, scores, (sentence) => givesAnswer(asked, sentence)) ?? preferred;
}

/** The index of the best-scoring sentence that `fits`, if any. */
function bestScoring(sentences: readonly string[], scores: readonly number[], fits: (sentence: string) => boolean): number | undefined {
  let best: number | undefined;
  sentences.forEach((sentence, i) => {
    if ((best === undefined || scores[i]! > scores[best]!) && fits(sentence)) best = i;
  });
  return best;
}
