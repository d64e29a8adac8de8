/**
 * Reads a question the way members type it, before either stage sees it: chat spellings and
 * abbreviations of general English mapped to their words, filler dropped, and a word that is
 * neither the corpus's nor English corrected to the corpus word it is most likely a typo of.
 * Then: whether it asks about an article itself (who wrote it, when it came out, what it is
 * about), recognised from its words (data/articleQuestions.json), so such questions are answered
 * before any vector exists; and, for a follow-up that names little on its own, the previous
 * question's subject carried over.
 *
 * Every rule here is general English, read from the two data files beside this one; nothing is
 * particular to an article or a question.
 */
import { isVisibleIn, type DocumentInfo } from '../corpus/types.js';
import type { SearchIndex } from '../index/buildSearchIndex.js';
import { nearTerms, passageFrequency, termWeight } from '../index/queryIndex.js';
import { analyzeWithSurfaces, foldAccents, normalizeText, toTerm } from '../text/analyze.js';
import { isEnglish } from '../text/englishWords.js';
import { articleAskedAbout, documentOfRefs } from './answerAbout.js';
import { surfaceOf, type AnswerOptions, type ArticleIntent, type FollowUpContext } from './answerQuestion.js';
import articleQuestions from './data/articleQuestions.json' with { type: 'json' };
import chatSpellings from './data/chatSpellings.json' with { type: 'json' };

const SPELLINGS = new Map(Object.entries(chatSpellings.spellings));
const FILLER = new Set(chatSpellings.filler);

/**
 * Words as people type them: letters and digits with inner apostrophes, and the few chat forms
 * that hold a slash or a semicolon ("w/", "w/o", "tl;dr"). Everything between them is kept as is.
 */
const TYPED_WORD = /(?:tl;dr|w\/o?|b\/c)(?![\p{L}\p{N}])|[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/giu;

/** Next to these a word is part of an abbreviation or a name ("U.S.", "George W. Bush", "R&D"): never respelled. */
const JOINED = /[.&]/;

/**
 * Discord's markup for a mention of a member, role, channel or command, a custom emoji or a
 * timestamp ("<@123>", "<:pepe:456>", "<t:1700000000:R>"), and "@everyone" or "@here": names and
 * numbers that are not words of the question.
 */
const DISCORD_MARKUP = /<(?:@[!&]?\d+|#\d+|a?:\w+:\d+|t:-?\d+(?::[tTdDfFR])?|\/[\w -]+:\d+)>|@(?:everyone|here)(?![\p{L}\p{N}])/gu;

/** Runs of question or exclamation marks ("??", "?!") said once. */
const REPEATED_MARKS = /([?!])[?!]+/g;

export interface UnderstoodQuestion {
  /** The question as both stages read it. */
  text: string;
  /** Set when it asks about an article itself: what it asks, and which article. */
  about?: { intent: ArticleIntent; document: DocumentInfo };
}

/** What a question (a follow-up, with `previous`) asks, read as members type. */
export function understandQuestion(index: SearchIndex, question: string, options: AnswerOptions = {}): UnderstoodQuestion {
  const text = normalizeQuestion(index, question, options.scope);
  const asked = articleQuestion(index, text, options.scope);
  const followed = options.previous && documentOfRefs(index, options.previous.passageRefs, options.scope);
  const document = asked && articleAskedAbout(index, options.scope, { named: asked.document, followed });
  if (asked && document) return { text, about: { intent: asked.intent, document } };
  return { text: withContext(index, text, options.previous, options.scope) };
}

/**
 * The corpus word a typed word most likely stands for, when the word is neither English nor the
 * corpus's: its nearest corpus term one edit away (a neighbour swap included), shown as the word
 * it came from. Undefined when the word is fine or nothing is near enough.
 */
function correction(index: SearchIndex, word: string, scope: string | undefined): string | undefined {
  const term = toTerm(word);
  if (term === null || inCorpus(index, word) || isEnglish(word)) return undefined;
  const [nearest] = nearTerms(index, term, { fuzzy: true, prefix: false, scope });
  return nearest?.typo ? surfaceOf(index, nearest.term, scope) : undefined;
}

/** Whether the corpus has `word` as it is: then it is the corpus's word, whatever chat makes of it. */
function inCorpus(index: SearchIndex, word: string): boolean {
  const term = toTerm(word);
  return term !== null && passageFrequency(index, term) > 0;
}

/**
 * The question with chat spellings spelled out, filler dropped and likely typos of corpus words
 * corrected; a word the corpus has, or one inside an abbreviation or name, is left as typed.
 */
export function normalizeQuestion(index: SearchIndex, question: string, scope?: string): string {
  return normalizeText(question)
    .replace(DISCORD_MARKUP, ' ')
    .replace(TYPED_WORD, (typed, offset: number, text: string) => {
      const word = typed.toLowerCase();
      if (JOINED.test(text[offset - 1] ?? '') || JOINED.test(text[offset + typed.length] ?? '')) return typed;
      if (SPELLINGS.has(word) || FILLER.has(word)) return inCorpus(index, word) ? typed : (SPELLINGS.get(word) ?? '');
      return correction(index, word, scope) ?? typed;
    })
    .replace(REPEATED_MARKS, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

const CUES = articleQuestions;
const ABOUT_FILLER = new Set(CUES.filler);
const POINTING = new Set(CUES.pointing);
const NEEDS_POINTING = new Set(CUES.needsPointing);
const INTENTS = ['author', 'published', 'topic'] as const satisfies readonly ArticleIntent[];
const NOUNS = Object.fromEntries(INTENTS.map((intent) => [intent, new Set<string>(CUES[intent].nouns)])) as Record<ArticleIntent, Set<string>>;
const VERBS = Object.fromEntries(INTENTS.map((intent) => [intent, new Set<string>(CUES[intent].verbs)])) as Record<ArticleIntent, Set<string>>;
/** The question words that make a cue verb ask for an intent ("who wrote", "when was it written"). */
const ASKED_WITH: Record<ArticleIntent, readonly string[]> = { author: ['who', 'whom', 'whose', 'where'], published: ['when'], topic: [] };

/** The words of a text as typed, lower-case and with accents folded, so "fecamp" meets a title's "Fécamp". */
function wordsOf(text: string): string[] {
  return foldAccents(text.toLowerCase()).match(TYPED_WORD) ?? [];
}

/** The longest acronym of a title's words looked for. */
const MAX_ACRONYM = 6;

/**
 * The initials of each run of two or more capitalised words in a title ("United Kingdom" → "uk"),
 * and of the runs within it: how people name an article by a name it spells out.
 */
function titleAcronyms(title: string): string[] {
  const acronyms: string[] = [];
  for (const run of title.match(/\p{Lu}[\p{L}\p{N}]*(?:\s+\p{Lu}[\p{L}\p{N}]*)+/gu) ?? []) {
    const initials = run.split(/\s+/).map((word) => word[0]!.toLowerCase());
    for (let start = 0; start < initials.length - 1; start += 1)
      for (let end = start + 2; end <= Math.min(initials.length, start + MAX_ACRONYM); end += 1) acronyms.push(initials.slice(start, end).join(''));
  }
  return acronyms;
}

/** Each title word (and acronym) of an index's documents, with the documents whose title has it: made once per index. */
const titleWords = new WeakMap<SearchIndex, Map<string, DocumentInfo[]>>();
function documentsTitled(index: SearchIndex, word: string): readonly DocumentInfo[] {
  let words = titleWords.get(index);
  if (!words) {
    words = new Map();
    for (const document of index.documents)
      for (const titleWord of new Set([...wordsOf(document.title), ...titleAcronyms(document.title)]))
        words.set(titleWord, [...(words.get(titleWord) ?? []), document]);
    titleWords.set(index, words);
  }
  return words.get(word) ?? [];
}

/** The intent a word cues in a question of `asked` words, if any. */
function cueOf(word: string, asked: ReadonlySet<string>): ArticleIntent | undefined {
  return INTENTS.find((intent) => NOUNS[intent].has(word) || (VERBS[intent].has(word) && ASKED_WITH[intent].some((question) => asked.has(question))));
}

/**
 * Whether a (normalised) question asks about an article itself, from its words: it holds only
 * filler, cues of an intent and words of a visible article's title (which then names the
 * article). Undefined for a question about anything else.
 */
export function articleQuestion(index: SearchIndex, question: string, scope?: string): { intent: ArticleIntent; document?: DocumentInfo } | undefined {
  const words = wordsOf(question);
  const asked = new Set(words);
  const pointing = words.some((word) => POINTING.has(word));
  // Cues common in other questions ("what about the other one") count only beside a word pointing at the article.
  const cue = (word: string) => (NEEDS_POINTING.has(word) && !pointing ? undefined : cueOf(word, asked));
  const intent = words.map(cue).find((cued) => cued !== undefined);
  if (!intent) return undefined;
  const named = new Set<DocumentInfo>();
  for (const word of words) {
    // Beside the cue that set the intent, its other words count whatever the question word ("what date was this posted").
    if (ABOUT_FILLER.has(word) || cue(word) || NOUNS[intent].has(word) || VERBS[intent].has(word)) continue;
    const naming = documentsTitled(index, word).filter((document) => isVisibleIn(document.scope, scope));
    if (naming.length === 0) return undefined;
    for (const document of naming) named.add(document);
  }
  // Named by its title only when the words name one article.
  return named.size === 1 ? { intent, document: [...named][0]! } : { intent };
}

/** How many of its own words the corpus knows, at least, for a follow-up to stand alone. */
const FOLLOW_UP_KNOWN_WORDS = 2;
/** The previous question's words carried over to a follow-up that names little, at most (its rarest). */
const CARRIED_WORDS = 3;

/**
 * A follow-up as both stages read it: on its own when it names enough the corpus knows (two
 * words, or a name: a word that is not English, "what about 21Vianet"), else with the previous
 * question's rarest words added ("and what about the military one?" after a question about a
 * partnership).
 */
export function withContext(index: SearchIndex, question: string, previous: FollowUpContext | undefined, scope?: string): string {
  if (!previous) return question;
  const known = analyzeWithSurfaces(question).filter(({ term }) => passageFrequency(index, term) > 0);
  const own = new Set(known.map(({ term }) => term));
  if (own.size >= FOLLOW_UP_KNOWN_WORDS || known.some(({ surface }) => !isEnglish(surface))) return question;
  const carried = [
    ...new Map(
      analyzeWithSurfaces(normalizeQuestion(index, previous.question, scope))
        .filter(({ term }) => !own.has(term) && passageFrequency(index, term) > 0)
        .map((entry) => [entry.term, entry.surface]),
    ).entries(),
  ]
    .sort(([a], [b]) => termWeight(index, b) - termWeight(index, a))
    .slice(0, CARRIED_WORDS)
    .map(([, surface]) => surface);
  return carried.length === 0 ? question : `${question} (${carried.join(' ')})`;
}
