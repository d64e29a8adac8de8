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
  /**
   * For a count ("how many new customers"), the terms of what is counted, in order: the words
   * right after the asking words, the last of them taken as the thing itself ("customers").
   */
  counted: readonly string[];
}

const KINDS = ['time', 'quantity'] as const satisfies readonly AnswerKind[];
const ASKED = Object.fromEntries(KINDS.map((kind) => [kind, answerKinds[kind].asked.map((phrase) => phrase.split(' '))])) as Record<AnswerKind, string[][]>;
const GIVING_WORDS = Object.fromEntries(KINDS.map((kind) => [kind, new Set(answerKinds[kind].words)])) as Record<AnswerKind, Set<string>>;

/** Words that may come before the asking words ("and when…", "so how many…", "tell me when…"); any other word first makes "when" a conjunction ("what happens when…"). */
const LEAD_IN = new Set(answerKinds.leadIn);

const COUNTING = answerKinds.quantity.counting.map((phrase) => phrase.split(' '));
/** How many words after the counting words name what is counted: "how many [new] [customers]". */
const COUNTED_WORDS = 2;
/** Words a count may stand before what it counts: "11 [million] [new] customers". */
const COUNT_REACH = 3;
const CARDINALS = new Set(answerKinds.quantity.cardinals);
/** Words after which four digits are a year, not a count ("in 2007 customers…"). */
const BEFORE_YEARS = new Set(answerKinds.quantity.beforeYears);

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
      return { kind, named: new Set(words.filter((word) => givingWord(kind, word))), counted: [...new Set(counted.filter((term) => term !== null))] };
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
 * Whether `text` gives the count `asked` for: a count it does not name itself right before what
 * is counted ("11 million customers", "400,000 new subscribers"), with only words that qualify it
 * between (no punctuation, no stop word: not "in 2007, and now customers"). A word the question
 * qualifies the thing with counts only followed by the rest of what is counted ("300 new
 * customers", not "40 new shops" for "how many new customers").
 */
export function givesCount(asked: AskedAnswer, text: string): boolean {
  const thing = asked.counted.at(-1);
  if (thing === undefined) return false;
  const chunks = normalizeText(text).toLowerCase().split(/\s+/);
  const bare = chunks.map(withoutTrailingMarks);
  const terms = bare.map(toTerm);
  return chunks.some((chunk, i) => {
    if (!isCount(chunk, chunks[i - 1]) || wordsOf(chunk).every((word) => asked.named.has(word))) return false;
    for (let next = i + 1; next <= i + COUNT_REACH && next < chunks.length; next += 1) {
      const term = terms[next];
      if (term === null || term === undefined) return false;
      if (term === thing || (asked.counted.includes(term) && asked.counted.includes(terms[next + 1] ?? ''))) return true;
      if (bare[next] !== chunks[next]) return false;
    }
    return false;
  });
}

/** A count in a quote: digits ("11", "2,000", "2.4m"), or a cardinal ("twelve", "million"), but not a year after "in". */
function isCount(chunk: string, before: string | undefined): boolean {
  if (CARDINALS.has(chunk)) return true;
  if (!/^\p{N}[\p{N}.,]*\p{L}{0,2}$/u.test(chunk)) return false;
  return !(/^\d{4}$/.test(chunk) && before !== undefined && BEFORE_YEARS.has(before));
}

/** A chunk without the punctuation after it ("customers," → "customers"). */
function withoutTrailingMarks(chunk: string): string {
  let end = chunk.length;
  while (end > 0 && !/[\p{L}\p{N}]/u.test(chunk[end - 1]!)) end -= 1;
  return chunk.slice(0, end);
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
