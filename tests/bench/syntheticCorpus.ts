/**
 * Deterministic synthetic corpora for measuring the engine at scale: documents of pseudo-English,
 * made of the commonest English words (which the engine drops as stop words, the baseline
 * doesn't) and pseudo-words, all drawn from one Zipf distribution as in real text.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { integer, mulberry32, pick, zipfSampler, type Random } from './random.js';

/**
 * The 150 commonest English words, commonest first (Brown corpus). At the head of a Zipf
 * distribution they make about half of all words, as they do in news text.
 */
export const COMMON_WORDS: readonly string[] = (
  'the of and to a in that is was he for it with as his on be at by i this had not are but from or ' +
  'have an they which one you were her all she there would their we him been has when who will more ' +
  'no if out so said what up its about into than them can only other new some could time these two ' +
  'may then do first any my now such like our over man me even most made after also did many before ' +
  'must through back years where much your way well down should because each just those people mr ' +
  'how too little state good very make world still own see men work long get here between both life ' +
  'being under never day same another know while last might us great old year off come since against ' +
  'go came right used take three'
).split(' ');

const ONSETS = [
  'b',
  'c',
  'd',
  'f',
  'g',
  'h',
  'j',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'w',
  'z',
  'br',
  'ch',
  'cl',
  'dr',
  'gr',
  'pl',
  'sh',
  'st',
  'th',
  'tr',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou'];
const CODAS = ['', '', '', '', 'n', 'r', 's', 'l', 'm', 't', 'nd', 'st'];
/** Syllables per pseudo-word, as often as listed: mostly two, like English content words. */
const SYLLABLES = [1, 2, 2, 2, 3, 3];

export interface SyntheticCorpusOptions {
  documents: number;
  seed: number;
  /** Paragraphs (hence passages) per document; default 10. */
  paragraphs?: number;
  /** Mean words per paragraph (±25 %); default 80. */
  wordsPerParagraph?: number;
  /** Distinct pseudo-words besides the common English ones; default 30,000. */
  pseudoWords?: number;
}

/** `count` distinct pronounceable pseudo-words, none a common word. */
function pseudoWords(random: Random, count: number): string[] {
  const words = new Set<string>();
  const common = new Set(COMMON_WORDS);
  while (words.size < count) {
    let word = '';
    for (let syllable = pick(random, SYLLABLES); syllable > 0; syllable--) word += pick(random, ONSETS) + pick(random, VOWELS) + pick(random, CODAS);
    if (!common.has(word)) words.add(word);
  }
  return [...words];
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The documents, built in memory as the corpus loader would return them (one body, no front matter). */
export function syntheticCorpus(options: SyntheticCorpusOptions, onProgress?: (fraction: number) => void): CorpusDocument[] {
  const { documents: count, seed, paragraphs = 10, wordsPerParagraph = 80, pseudoWords: pseudoCount = 30_000 } = options;
  const random = mulberry32(seed);
  const vocabulary = [...COMMON_WORDS, ...pseudoWords(random, pseudoCount)];
  const sampleRank = zipfSampler(vocabulary.length);
  const word = () => vocabulary[sampleRank(random)]!;

  const sentence = (words: number) => {
    const parts = [capitalize(word())];
    for (let i = 1; i < words; i++) parts.push(random() < 0.06 && i < words - 1 ? `${word()},` : word());
    return `${parts.join(' ')}.`;
  };
  const paragraph = () => {
    const target = integer(random, Math.round(wordsPerParagraph * 0.75), Math.round(wordsPerParagraph * 1.25));
    const sentences: string[] = [];
    for (let words = 0; words < target; ) {
      const length = Math.min(integer(random, 6, 18), Math.max(3, target - words));
      sentences.push(sentence(length));
      words += length;
    }
    return sentences.join(' ');
  };

  const documents: CorpusDocument[] = [];
  for (let n = 1; n <= count; n++) {
    const id = `syn-${String(n).padStart(6, '0')}`;
    const title = Array.from({ length: integer(random, 4, 8) }, () => capitalize(word())).join(' ');
    const body = Array.from({ length: paragraphs }, paragraph).join('\n\n');
    documents.push({
      id,
      title,
      author: `Author ${integer(random, 1, 200)}`,
      publisher: 'Synthetic Press',
      published: new Date(Date.UTC(2015, 0, n)).toISOString().slice(0, 10),
      url: `https://example.com/articles/${id}`,
      file: `${id}.md`,
      body,
      bodyLine: 1,
      hash: createHash('sha256').update(body).digest('hex'),
    });
    if (n % 500 === 0) onProgress?.(n / count);
  }
  return documents;
}

/** A document as a corpus file (front matter and body), which the corpus loader reads back as it was. */
export function corpusFileText(document: CorpusDocument): string {
  const { title, author, publisher, published, url, body } = document;
  return `---\ntitle: ${title}\nauthor: ${author}\npublisher: ${publisher}\npublished: ${published}\nurl: ${url}\n---\n\n${body}\n`;
}

/** Writes each document to `dir` as its `file`, for the bot process to load as CORPUS_DIR. */
export async function writeCorpusFolder(dir: string, documents: readonly CorpusDocument[]): Promise<void> {
  /** Files written at once: enough to keep the disk busy, few enough for the open-file limit. */
  const batch = 200;
  for (let start = 0; start < documents.length; start += batch) {
    await Promise.all(documents.slice(start, start + batch).map((document) => writeFile(path.join(dir, document.file), corpusFileText(document))));
  }
}
