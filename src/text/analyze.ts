/**
 * Text analysis shared by indexing and querying: the same function turns a passage and a
 * question into comparable terms, so both sides always agree.
 *
 * Pipeline: Unicode normalisation → tokenisation → case folding → stop words → spelling
 * normalisation → stemming.
 */
import { eng as stopwordList } from 'stopword';
import stem from 'wink-porter2-stemmer';
import { boundedSegments } from './sentences.js';

/**
 * Words that carry no meaning for retrieval. The `stopword` package's English list, plus
 * interrogatives, auxiliaries and the words people use to *ask* ("tell me", "the article"),
 * which it lacks: a question made only of these has nothing to look up.
 */
const STOP_WORDS = new Set<string>([
  ...stopwordList,
  ...[
    'when',
    'why',
    'whom',
    'whose',
    'does',
    'done',
    'doing',
    'will',
    'shall',
    'just',
    'so',
    'its',
    'not',
    'no',
    'nor',
    'yes',
    'us',
    'it’s',
    'let',
    'please',
    'tell',
    'explain',
    'describe',
    'know',
    'say',
    'says',
    'mention',
    'mentioned',
    'mentions',
    'according',
    'article',
    'text',
    'story',
    'piece',
    'anything',
    'something',
    'thing',
    'things',
    'happen',
    'happened',
    'kind',
    'sort',
    'any',
    'one',
    'ones',
    'there',
    'whats',
    'who’s',
    'hey',
    'hi',
  ],
]);

/** Splits on whitespace (including NBSP and other `\p{Z}`) and punctuation, like minisearch's default. */
const TOKEN_SEPARATOR = /[\n\r\p{Z}\p{P}\p{S}]+/u;

/** Scripts written without spaces between words: segment these with `Intl.Segmenter`. */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

let wordSegmenter: Intl.Segmenter | undefined;

/**
 * Canonical form of a text before tokenising: NFKC (full-width forms, ligatures, NBSP → space),
 * typographic quotes and apostrophes folded to ASCII, invisible format characters (soft hyphens)
 * removed, lone surrogates and control characters turned into spaces.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201B\u2032\u02BC]/g, "'")
    .replace(/[\u201C\u201D\u201F\u2033]/g, '"')
    .replace(/[\p{Cc}\p{Cs}\u200B]/gu, ' ') // control characters, lone surrogates, zero-width space
    .replace(/\p{Cf}/gu, ''); // soft hyphens, joiners: invisible marks inside words
}

/** Splits normalised text into raw word tokens (not yet case-folded or filtered). */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const token of text.split(TOKEN_SEPARATOR)) {
    if (token === '') continue;
    if (UNSPACED_SCRIPT.test(token)) {
      wordSegmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
      for (const segment of boundedSegments(wordSegmenter, token)) {
        if (segment.isWordLike) tokens.push(segment.segment);
      }
    } else {
      tokens.push(token);
    }
  }
  return tokens;
}

/**
 * Longest word stemmed, in characters: longer runs of letters (no English word is near this) are
 * kept as they are, because the stemmer takes time quadratic in the word (16,000 letters: 3.7 s).
 */
const MAX_STEMMED_CHARS = 64;

/** British -ise/-isation spellings folded to -ize so "organised" and "organized" meet. */
const BRITISH_ISE = /(?<=\p{L}{3})is(e|es|ed|ing|ation|ations)$/u;

/**
 * Terms of tokens already seen. A corpus repeats a few thousand words endlessly, and stemming is
 * a third of the indexing time otherwise. Cleared when full, which bounds its memory.
 */
const termCache = new Map<string, string | null>();
const TERM_CACHE_SIZE = 200_000;

/**
 * One token to its index term, or `null` when it should not be indexed or searched: stop words,
 * single letters, and possessive or contraction leftovers.
 */
export function toTerm(token: string): string | null {
  let term = termCache.get(token);
  if (term === undefined) {
    if (termCache.size >= TERM_CACHE_SIZE) termCache.clear();
    term = computeTerm(token);
    termCache.set(token, term);
  }
  return term;
}

/** Latin letters that carry no separable accent, spelled as an English keyboard types them. */
const PLAIN_LETTERS: Record<string, string> = { ł: 'l', ø: 'o', ı: 'i', đ: 'd', ð: 'd', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th' };

/**
 * A lower-case word with the accents of its Latin letters folded ("Fécamp" → "fecamp", "Łódź" →
 * "lodz", "İstanbul" → "istanbul"): members type words without them. Marks on letters of other
 * scripts are part of the letter (a Devanagari vowel sign) and stay.
 */
export function foldAccents(word: string): string {
  return word
    .normalize('NFD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .replace(/[łøıđðßæœþ]/g, (letter) => PLAIN_LETTERS[letter]!)
    .normalize('NFC');
}

function computeTerm(token: string): string | null {
  const word = foldAccents(token.toLowerCase()).replace(/'s$/, '').replace(/'/g, '');
  if (word.length < 2 && !/\p{N}|\p{Script=Han}/u.test(word)) return null;
  if (STOP_WORDS.has(word)) return null;
  if (!/^\p{Script=Latin}+$/u.test(word)) return word; // numbers, mixed tokens, other scripts: as is
  if (word.length > MAX_STEMMED_CHARS) return word;
  return stem(word.replace(BRITISH_ISE, 'iz$1'));
}

/** The index terms of a text, in order, duplicates kept (they are term frequencies). */
export function analyze(text: string): string[] {
  const terms: string[] = [];
  for (const token of tokenize(normalizeText(text))) {
    const term = toTerm(token);
    if (term !== null) terms.push(term);
  }
  return terms;
}

/**
 * Each term with the surface word it most often came from, for showing terms to people
 * ("did you mean …"): stems like "partnership" → "partnerships" are not always words.
 */
export function analyzeWithSurfaces(text: string): Array<{ term: string; surface: string }> {
  const result: Array<{ term: string; surface: string }> = [];
  for (const token of tokenize(normalizeText(text))) {
    const term = toTerm(token);
    if (term !== null) result.push({ term, surface: token });
  }
  return result;
}
