/**
 * Questions as members type them: chat spellings, filler and typos read before either stage,
 * questions about an article itself recognised from their words (before any vector exists), a
 * follow-up's context carried over, and no answer shown in public whose sentence does not carry
 * what was asked.
 */
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerHybrid, type SemanticSignals } from '../../src/answers/answerHybrid.js';
import { carriesQuestion, retrieve, type AnswerResult } from '../../src/answers/answerQuestion.js';
import { articleQuestion, normalizeQuestion, withContext } from '../../src/answers/understandQuestion.js';
import { loadCorpus } from '../../src/corpus/loadCorpus.js';
import { buildSearchIndex, type SearchIndex } from '../../src/index/buildSearchIndex.js';
import type { QueryTerm } from '../../src/index/queryIndex.js';
import { Library } from '../../src/library/Library.js';
import { passageRef } from '../../src/passages/splitIntoPassages.js';
import { corpusDocument } from '../support/corpusDocument.js';
import { repoRoot } from '../support/discordSpec.js';

const CORPUS_DIR = path.join(repoRoot, 'corpus');
let index: SearchIndex;
let library: Library;

beforeAll(async () => {
  index = buildSearchIndex((await loadCorpus(CORPUS_DIR)).documents);
  library = (await Library.open({ dir: CORPUS_DIR })).library!;
});

describe('reading a question as members type it', () => {
  it('spells out chat spellings and abbreviations, drops filler, and says repeated marks once', () => {
    expect(normalizeQuestion(index, 'wat search engine does edge use in china??')).toBe('what search engine does edge use in china?');
    expect(normalizeQuestion(index, 'yo whos the govt working w/ lol')).toBe('who is the government working with');
    expect(normalizeQuestion(index, 'y r u asking, pls')).toBe('why are you asking,');
    // Words that address the channel or hedge carry nothing to look up.
    expect(normalizeQuestion(index, 'anyone know who cisco partnered with guys')).toBe('know who cisco partnered with');
    expect(normalizeQuestion(index, 'quick q: whats the baidu thing')).toBe('q: what is the baidu');
  });

  it('corrects a word that is neither English nor the corpus’s to the corpus word it is one edit from', () => {
    // Spelled as the corpus spells it.
    expect(normalizeQuestion(index, 'what did microsfot do with biadu')).toBe('what did Microsoft do with Baidu');
  });

  it('leaves abbreviations and names as they were typed, and words the corpus has', () => {
    expect(normalizeQuestion(index, 'did the U.S. or George W. Bush fund R&D')).toBe('did the U.S. or George W. Bush fund R&D');
  });

  it('leaves a chat spelling the corpus uses as a word of its own', () => {
    const trig = buildSearchIndex([corpusDocument('angles', 'The cos of an angle is the ratio of the adjacent side to the hypotenuse.')]);
    expect(normalizeQuestion(trig, 'wat is cos')).toBe('what is cos');
    expect(normalizeQuestion(index, 'wat is cos')).toBe('what is because');
  });

  it('drops Discord mentions, custom emoji and timestamps, which are not words of the question', () => {
    expect(normalizeQuestion(index, '<@123456> <:pepe:98765> wat did microsoft do <#42> <t:1700000000:R>')).toBe('what did microsoft do');
    expect(normalizeQuestion(index, '<a:dance:1> who wrote this <@!7> <@&8> </ask:9>')).toBe('who wrote this');
    expect(normalizeQuestion(index, '@everyone @here baidu deal??')).toBe('baidu deal?');
  });

  it('leaves English words, and words nothing in the corpus is near, as they were typed', () => {
    expect(normalizeQuestion(index, 'what happened this weak in Zyxwvut')).toBe('what happened this weak in Zyxwvut');
  });

  it('knows an English word typed with its accents', () => {
    const care = buildSearchIndex([corpusDocument('care', 'The care home opened a new wing.')]);
    expect(normalizeQuestion(care, 'is the café open')).toBe('is the café open');
  });
});

describe('questions about an article itself', () => {
  it.each([
    ['author?', 'author'],
    ['who made this', 'author'],
    ['whos the writer of this', 'author'],
    ['date?', 'published'],
    ['wen did this come out', 'published'],
    ['when was this posted', 'published'],
    ['tldr', 'topic'],
    ['summarize pls', 'topic'],
    ['whats this about', 'topic'],
    ['what is the main point of this article', 'topic'],
    ['who is this by', 'author'],
    ['whose article is this', 'author'],
    ['who published this', 'author'],
    ['where is this from', 'author'],
    ['what is the source of this', 'author'],
    ['what date was this posted', 'published'],
    ['publish date?', 'published'],
    ['is this recent', 'published'],
    ["what's it about", 'topic'],
    ['key points?', 'topic'],
    ['short version?', 'topic'],
    ['explain this article', 'topic'],
    ['hey bot, who wrote this', 'author'],
    ['anyone know when this was posted', 'published'],
    ['so like whats the article about', 'topic'],
  ])('recognises “%s” as asking for its %s', (question, intent) => {
    expect(articleQuestion(index, normalizeQuestion(index, question))?.intent).toBe(intent);
  });

  it.each([
    'who made the deal with baidu',
    'when did microsoft partner with baidu',
    'who won the world cup',
    'what about the banks',
    'and what about the chinese one',
    'what is the source of the partnership',
    'who published the notice to banks',
    'what does microsoft say about baidu',
    'by how much did cisco lose market share',
    'what did microsoft say',
    'what happened with microsoft',
    'where is microsoft from',
    'by when',
  ])('does not take “%s” for one', (question) => {
    expect(articleQuestion(index, normalizeQuestion(index, question))).toBeUndefined();
  });

  it('answers them by words alone, before any vector exists, from the front matter and a verbatim passage', async () => {
    const author = await library.answer('author?');
    expect(author.about).toMatchObject({ intent: 'author', document: { author: 'Cate Cadell' } });
    expect(author.results[0]!.passage.text).toContain('Cate is a tech writer');
    const topic = await library.answer('tldr?');
    expect(topic.about?.intent).toBe('topic');
    expect(topic.results.map((result) => result.passage.paragraph)).toEqual([1, 2, 3]);
  });

  describe('with several articles', () => {
    let several: Library;
    beforeAll(async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-understand-'));
      await cp(CORPUS_DIR, dir, { recursive: true });
      await writeFile(
        path.join(dir, 'lighthouse.md'),
        '---\ntitle: The Royal National Lifeboat Institution’s lighthouse keeper retires\nauthor: A. Writer\npublisher: Gazette\npublished: 2020-01-02\nurl: https://example.com/lighthouse\n---\n\nThe harbour authority confirmed that the lighthouse keeper retired after forty years of service.\n',
      );
      await writeFile(
        path.join(dir, 'choir.md'),
        '---\ntitle: Fécamp Abbey’s choir sings again\nauthor: B. Chorister\npublisher: Gazette\npublished: 2019-05-06\nurl: https://example.com/choir\n---\n\nThe abbey choir gave its first concert in a decade.\n',
      );
      several = (await Library.open({ dir })).library!;
    });

    it('means the newest article when nothing says which', async () => {
      expect((await several.answer('who wrote this')).about?.document.title).toBe('The Royal National Lifeboat Institution’s lighthouse keeper retires');
    });

    it('means the article whose title it names', async () => {
      expect((await several.answer('who wrote the microsoft partnerships article')).about?.document.author).toBe('Cate Cadell');
    });

    it('means the article whose title it names without its accents', async () => {
      expect((await several.answer('who wrote the fecamp article')).about?.document.author).toBe('B. Chorister');
    });

    it('means the article whose title it names by initials', async () => {
      expect((await several.answer('who wrote the rnli article')).about?.document.author).toBe('A. Writer');
      expect((await several.answer('when was the lifeboat institution one published')).about?.document.author).toBe('A. Writer');
    });

    it('means the article a follow-up follows', async () => {
      const [first] = (await several.answer('Which search engine will Edge use in China?')).results;
      const followUp = await several.answer('and who wrote it?', {
        previous: { question: 'Which search engine will Edge use in China?', passageRefs: [passageRef(first!.passage)] },
      });
      expect(followUp.about?.document.author).toBe('Cate Cadell');
    });
  });
});

describe('follow-ups', () => {
  const previous = { question: 'Which search engine will Edge use in China?', passageRefs: [] };

  it('carry the previous question’s rarest words over when they name little on their own', () => {
    const read = withContext(index, 'and what does it get in return?', previous);
    expect(read).toMatch(/^and what does it get in return\? \(.*\bedge\b.*\)$/i);
  });

  it('stand alone when they name enough', () => {
    expect(withContext(index, 'what share of Dell computers use Ubuntu Kylin', previous)).toBe('what share of Dell computers use Ubuntu Kylin');
    // One name the articles have is a new subject.
    expect(withContext(index, 'what about 21vianet?', previous)).toBe('what about 21vianet?');
    expect(withContext(index, 'and what about the military?', previous)).toMatch(/\(.*\bedge\b.*\)$/i);
  });

  it('are answered about the previous subject', async () => {
    const answer = await library.answer('and what does it get in return?', { previous });
    expect(answer.answered).toBe(true);
    expect(answer.results[0]!.passage.paragraph).toBe(5);
    expect(answer.understood).toMatch(/\bedge\b/i);
  });
});

describe('no confident wrong answer in public', () => {
  const term = (name: string, weight: number, expansions: QueryTerm['expansions'] = []): QueryTerm => ({ term: name, known: true, weight, expansions });
  const shown = (quote: string, highlight?: [number, number]) => ({ quote, ...(highlight && { quoteHighlight: highlight }) }) as AnswerResult;

  it('takes a sentence to carry the question when it holds one of its rarer words, or a likely typo’s intended word', () => {
    const terms = [term('baidu', 2), term('microsoft', 0.5)];
    expect(carriesQuestion(terms, shown('Baidu will make it simpler.'))).toBe(true);
    expect(carriesQuestion(terms, shown('Microsoft revealed it. Baidu will make it simpler.', [0, 22]))).toBe(false);
    expect(
      carriesQuestion([{ ...term('biadu', 2), known: false, expansions: [{ term: 'baidu', weight: 0.6, typo: true }] }], shown('Baidu will make it simpler.')),
    ).toBe(true);
  });

  it('offers the closest passages privately when the sentence shown neither carries the rare words nor comes close in meaning', () => {
    const cosines = (shownSentence: number, cosine: number): SemanticSignals => ({
      sentenceCosines: (passage) => (passage.paragraph === 5 ? [0.1, 0.1].map((low, sentence) => (sentence === shownSentence ? cosine : low)) : [0.05]),
      articleIntent: () => undefined,
    });
    const ask = (signals: SemanticSignals) =>
      answerHybrid(index, 'made simpler to upgrade', new Float32Array(512), signals, { documents: 1, passages: index.passages.length });
    // The sentence about upgrading is the second of paragraph 5.
    expect(retrieve(index, 'made simpler to upgrade').candidates.length).toBeGreaterThan(0);
    const unsure = ask(cosines(0, 0.3));
    expect(unsure).toMatchObject({ answered: false, reason: 'not-sure' });
    expect(unsure.related[0]!.passage.paragraph).toBe(5);
    expect(ask(cosines(1, 0.3))).toMatchObject({ answered: true });
    expect(ask(cosines(0, 0.65))).toMatchObject({ answered: true });
  });
});
