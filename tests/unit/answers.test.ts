import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerQuestion, DEFAULT_TOP, type Answer, type AnswerResult } from '../../src/answers/answerQuestion.js';
import { MIN_CLOSEST_COVERAGE, MIN_COVERAGE } from '../../src/index/coverage.js';
import { textFragmentUrl } from '../../src/answers/attribution.js';
import { searchPassages } from '../../src/answers/searchPassages.js';
import { MAX_QUOTE_CHARS } from '../../src/answers/selectQuote.js';
import { MAX_QUESTION_CHARS, validateQuestion } from '../../src/answers/validateQuestion.js';
import { loadCorpus } from '../../src/corpus/loadCorpus.js';
import type { CorpusDocument, DocumentInfo } from '../../src/corpus/types.js';
import { buildSearchIndex, type SearchIndex } from '../../src/index/buildSearchIndex.js';
import { ANSWER_CACHE_SIZE, Library, documentMatches } from '../../src/library/Library.js';
import { EMBEDDING_DIMENSIONS } from '../../src/semantic/embedder.js';
import { SemanticIndex } from '../../src/semantic/SemanticIndex.js';
import { loadQuestionSet } from '../support/questionSet.js';
import { passageRef, sentencesOf } from '../../src/passages/splitIntoPassages.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORPUS_DIR = path.join(ROOT, 'corpus');
const ARTICLE_URL = 'https://technode.com/2015/09/25/microsoft-reveals-list-of-partnerships-with-chinese-state-and-private-sector/';
const BAIDU_QUESTION = 'Which search engine will Edge use in China?';

let index: SearchIndex;
beforeAll(async () => {
  const { documents, problems } = await loadCorpus(CORPUS_DIR);
  expect(problems).toEqual([]);
  index = buildSearchIndex(documents);
});

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-answers-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The quote without the "… " / " …" that mark left-out sentences. */
const withoutMarkers = (quote: string) => quote.replace(/^… /, '').replace(/ …$/, '');

/** The text directive of a link, decoded: one string, or the start and end strings. */
function fragmentParts(link: string): string[] {
  const at = link.indexOf('#:~:text=');
  expect(at).toBeGreaterThan(0);
  return link
    .slice(at + '#:~:text='.length)
    .split(',')
    .map(decodeURIComponent);
}

function expectWellFormedResult(result: AnswerResult): void {
  const core = withoutMarkers(result.quote);
  expect(result.passage.text, `quote of ${result.id} is verbatim`).toContain(core);
  expect(result.quote.length).toBeLessThanOrEqual(MAX_QUOTE_CHARS);
  expect(result.quoteTrimmed).toBe(core !== result.passage.text);
  if (!result.quoteTrimmed) expect(result.quote).toBe(result.passage.text);
  expect(result.id).toBe(result.passage.id);
  expect(result.document.id).toBe(result.passage.documentId);
  expect(result.link.startsWith(`${result.document.url}#:~:text=`)).toBe(true);
  // The link addresses the highlighted sentence when there is one, else the whole quote.
  const target = result.quoteHighlight ? result.quote.slice(...result.quoteHighlight) : core;
  const parts = fragmentParts(result.link);
  expect(target.startsWith(parts[0]!)).toBe(true);
  expect(target.endsWith(parts.at(-1)!)).toBe(true);
  if (result.quoteHighlight) {
    const [start, end] = result.quoteHighlight;
    expect(0 <= start && start < end && end <= result.quote.length).toBe(true);
    expect(result.quote.slice(start, end)).toBe(result.quote.slice(start, end).trim());
    expect(result.quote.slice(start, end)).not.toBe(core);
  }
  expect(result.coverage).toBeGreaterThan(0);
  expect(result.coverage).toBeLessThanOrEqual(1);
}

const paragraphs = (answer: Answer) => answer.results.map((result) => result.passage.paragraph);

describe('answerQuestion on the bundled corpus', () => {
  it('answers the Baidu question with paragraph 5, fully attributed', () => {
    const answer = answerQuestion(index, BAIDU_QUESTION);
    expect(answer.question).toBe(BAIDU_QUESTION);
    expect(answer.answered).toBe(true);
    expect(answer.reason).toBeUndefined();
    expect(answer).toMatchObject({ related: [], didYouMean: [] });
    const [first] = answer.results;
    expect(first!.passage.paragraph).toBe(5);
    expect(first!.id).toBe('microsoft-china-partnerships:5');
    expect(first!.quote).toContain('Baidu');
    expect(first!.quote).toContain('the Chinese search engine will feature as the primary search engine');
    expect(first!.document).toMatchObject({
      title: 'Microsoft reveals list of partnerships with Chinese state and private sector',
      author: 'Cate Cadell',
      publisher: 'TechNode',
      published: '2015-09-25',
      url: ARTICLE_URL,
    });
    expectWellFormedResult(first!);
  });

  it('highlights the sentence that answers, and links to it with a text fragment', () => {
    const [first] = answerQuestion(index, BAIDU_QUESTION).results;
    const highlighted = first!.quote.slice(...first!.quoteHighlight!);
    expect(highlighted).toBe(
      'Microsoft has also revealed this week that they have struck a partnership with Baidu, meaning the Chinese search engine will feature as the primary search engine on Microsoft’s Edge browser in China.',
    );
    expect(first!.link.startsWith(ARTICLE_URL)).toBe(true);
    const words = highlighted.split(/\s+/);
    const [start, end] = fragmentParts(first!.link);
    expect(start).toBe(words.slice(0, 4).join(' '));
    expect(end).toBe(words.slice(-4).join(' '));
  });

  it('highlights the later sentence when that is the one asked about', () => {
    const [first] = answerQuestion(index, 'What will Baidu make simpler for users?').results;
    expect(first!.passage.paragraph).toBe(5);
    expect(first!.quote.slice(...first!.quoteHighlight!)).toBe('In return, Baidu will make is simpler for users to upgrade to Microsoft’s new software.');
  });

  it('highlights nothing when the quote is a single sentence', () => {
    const [first] = answerQuestion(index, 'localized version of Windows 10').results;
    expect(first!.passage.paragraph).toBe(2);
    expect(first!.quoteHighlight).toBeUndefined();
    const [start, end] = fragmentParts(first!.link);
    expect(first!.quote.startsWith(start!)).toBe(true);
    expect(first!.quote.endsWith(end!)).toBe(true);
  });

  it.each([
    ['', 'no-terms'],
    ['what is it?', 'no-terms'],
    ['???', 'no-terms'],
    ['What is the capital of France?', undefined],
    ['How do penguins survive the winter?', undefined],
  ])('abstains on %j, with nothing related and no typo to point out', (question, reason) => {
    const answer = answerQuestion(index, question);
    expect(answer.answered).toBe(false);
    expect(answer.results).toEqual([]);
    expect(answer.reason).toBeDefined();
    if (reason) expect(answer.reason).toBe(reason);
    expect(answer.related).toEqual([]);
    expect(answer.didYouMean).toEqual([]);
  });

  it('says "did you mean" only for a likely typo of a word the article has, as the article writes it', () => {
    const answer = answerQuestion(index, 'What is Microsoft doing with Baidoo and the zebras?');
    expect(answer.didYouMean).toEqual([]); // two edits away: not a typo it can vouch for
    const typo = answerQuestion(index, 'partnershipz with penguins in Antarctica');
    expect(typo.answered).toBe(false);
    expect(typo.didYouMean).toEqual(['partnerships']);
    expect(answerQuestion(index, 'What is the capital of France?').didYouMean).toEqual([]);
    // An English word the article lacks is not a typo of one it has.
    expect(answerQuestion(index, 'hey guys baidu deal??').didYouMean).toEqual([]);
    expect(answerQuestion(index, 'what did the govt cost').didYouMean).toEqual([]);
  });

  it('never reads a number as a typo of another', () => {
    const answer = answerQuestion(index, 'who won the world cup in 2022');
    expect(answer.didYouMean).toEqual([]);
    expect(answer.answered).toBe(false);
  });

  it('abstains when the best passage shares only a minor part of the question', () => {
    const answer = answerQuestion(index, 'What did Microsoft pay for the giraffe sanctuary expansion?');
    expect(answer.answered).toBe(false);
    expect(answer.reason).toMatch(/^(weak-match|no-match)$/);
  });

  it('offers the closest passage as related when a reworded question falls just short, and none when unrelated', () => {
    const reworded = answerQuestion(index, 'why has beijing poured money into domestic operating systems');
    expect(reworded).toMatchObject({ answered: false, reason: 'weak-match', results: [] });
    expect(reworded.related.map((result) => result.passage.paragraph)).toEqual([3]);
    expect(reworded.related[0]!.coverage).toBeGreaterThanOrEqual(MIN_CLOSEST_COVERAGE);
    expect(reworded.related[0]!.coverage).toBeLessThan(MIN_COVERAGE);
    expect(answerQuestion(index, 'What is the capital of France?').related).toEqual([]);
    expect(answerQuestion(index, 'What is Apple doing in China?').related).toEqual([]);
  });

  it('finds paragraph 5 despite typos', () => {
    const answer = answerQuestion(index, 'Micrsoft Biadu');
    expect(answer.answered).toBe(true);
    expect(answer.results[0]!.passage.paragraph).toBe(5);
    expect(answer.results[0]!.quote).toContain('Baidu');
  });

  it('answers a bare keyword', () => {
    const answer = answerQuestion(index, 'Ubuntu Kylin');
    expect(answer.answered).toBe(true);
    expect(answer.results[0]!.passage.paragraph).toBe(3);
    expect(answer.results[0]!.quote).toContain('Ubuntu Kylin');
  });

  it('treats the question the same whatever its case, width or apostrophes', () => {
    const reference = paragraphs(answerQuestion(index, "What is Microsoft's primary project with China Electronics Technology Group?"));
    expect(reference[0]).toBe(2);
    expect(paragraphs(answerQuestion(index, 'WHAT IS MICROSOFT’S PRIMARY PROJECT WITH CHINA ELECTRONICS TECHNOLOGY GROUP?'))).toEqual(reference);
    expect(paragraphs(answerQuestion(index, 'what is ｍｉｃｒｏｓｏｆｔ’s primary project with china electronics technology group'))).toEqual(reference);
  });

  it('returns at most `top` results, best first, and 3 by default', () => {
    const question = 'Microsoft partnership';
    const many = answerQuestion(index, question, { top: 10 });
    expect(many.answered).toBe(true);
    expect(many.results.length).toBeGreaterThan(DEFAULT_TOP);
    const scores = many.results.map((result) => result.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(many.results.map((result) => result.id)).size).toBe(many.results.length);
    expect(answerQuestion(index, question).results.map((result) => result.id)).toEqual(many.results.slice(0, DEFAULT_TOP).map((result) => result.id));
    for (const top of [1, 2]) {
      expect(answerQuestion(index, question, { top }).results.map((result) => result.id)).toEqual(many.results.slice(0, top).map((result) => result.id));
    }
  });

  it('quotes every result verbatim, within MAX_QUOTE_CHARS, for every evaluation question', () => {
    let checked = 0;
    for (const { question } of loadQuestionSet()) {
      for (const result of answerQuestion(index, question, { top: 5 }).results) {
        expectWellFormedResult(result);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe('answerQuestion on a long paragraph', () => {
  const topics = ['apples', 'bridges', 'cobalt', 'dolphins', 'elevators', 'falcons', 'glaciers', 'harbours', 'islands', 'jasmine', 'kettles', 'lanterns'];
  const sentences = topics.map((topic, i) => `Sentence ${i + 1} is about ${topic}, and it goes on with filler words so that the paragraph is long.`);
  const document: CorpusDocument = {
    id: 'long',
    title: 'A long report',
    author: 'Jane Roe',
    publisher: 'Example News',
    published: '2021-03-04',
    url: 'https://example.com/long-report#comments',
    file: 'long.md',
    body: `\n${sentences.join(' ')}\n`,
    bodyLine: 8,
    hash: '1'.repeat(64),
  };
  const longIndex = buildSearchIndex([document]);

  it('builds a paragraph over 1000 characters', () => {
    expect(sentences.join(' ').length).toBeGreaterThan(1000);
    expect(longIndex.passages.length).toBeGreaterThan(1);
  });

  it('quotes the sentences around the one asked about, cut at sentence boundaries', () => {
    const answer = answerQuestion(longIndex, 'What about the elevators?');
    expect(answer.answered).toBe(true);
    const [first] = answer.results;
    const { passage } = first!;
    expect(passage.text.length).toBeGreaterThan(MAX_QUOTE_CHARS);
    expect(first!.quoteTrimmed).toBe(true);
    expect(first!.quote).toContain(sentences[4]);
    expect(first!.quote.slice(...first!.quoteHighlight!)).toBe(sentences[4]);
    expect(first!.quote.startsWith('… ')).toBe(true);
    expect(first!.quote.endsWith(' …')).toBe(true);
    expect(first!.quote.length).toBeLessThanOrEqual(MAX_QUOTE_CHARS);
    // The core is a run of whole, consecutive sentences of the passage.
    const core = withoutMarkers(first!.quote);
    const from = sentencesOf(passage).findIndex((sentence) => core.startsWith(sentence));
    expect(from).toBeGreaterThan(0);
    const run = [];
    for (let i = from; run.join(' ').length < core.length; i++) run.push(sentencesOf(passage)[i]!);
    expect(run.join(' ')).toBe(core);
    expect(from + run.length).toBeLessThan(sentencesOf(passage).length);
    // The link replaces the URL's own fragment and addresses the quote without its markers.
    expect(first!.link.startsWith('https://example.com/long-report#:~:text=')).toBe(true);
    expect(first!.link).not.toContain('comments');
    expect(first!.link).not.toContain(encodeURIComponent('…'));
    const [start, end] = fragmentParts(first!.link);
    expect(core.startsWith(start!)).toBe(true);
    expect(core.endsWith(end!)).toBe(true);
  });

  it('starts the quote at the paragraph’s start when that is what is asked about', () => {
    const [first] = answerQuestion(longIndex, 'apples').results;
    expect(first!.quote.startsWith(sentences[0]!)).toBe(true);
    expect(first!.quote.endsWith(' …')).toBe(true);
    expect(first!.quote.length).toBeLessThanOrEqual(MAX_QUOTE_CHARS);
  });
});

describe('textFragmentUrl', () => {
  const url = 'https://example.com/article';

  it('encodes a short quote whole', () => {
    expect(textFragmentUrl(url, 'Baidu will make it simpler')).toBe(`${url}#:~:text=Baidu%20will%20make%20it%20simpler`);
  });

  it('addresses a long quote by its first and last four words', () => {
    const quote = 'one two three four five six seven eight nine';
    expect(textFragmentUrl(url, quote)).toBe(`${url}#:~:text=one%20two%20three%20four,six%20seven%20eight%20nine`);
    expect(textFragmentUrl(url, 'one two three four five six seven eight')).toBe(
      `${url}#:~:text=${encodeURIComponent('one two three four five six seven eight')}`,
    );
  });

  it('encodes "-", "," and "&", which the text-directive syntax reserves', () => {
    expect(textFragmentUrl(url, 'state-backed chip-maker')).toBe(`${url}#:~:text=state%2Dbacked%20chip%2Dmaker`);
    expect(textFragmentUrl(url, 'banks, & more')).toBe(`${url}#:~:text=banks%2C%20%26%20more`);
  });

  it('encodes parentheses, so a Markdown link [title](url) to the quote ends where it should', () => {
    const link = textFragmentUrl(url, 'the group (CETC) said');
    expect(link).toBe(`${url}#:~:text=the%20group%20%28CETC%29%20said`);
    expect(link).not.toMatch(/[()]/);
  });

  it('keeps the page’s typographic apostrophes, percent-encoded', () => {
    expect(textFragmentUrl(url, 'on Microsoft’s Edge')).toBe(`${url}#:~:text=on%20Microsoft%E2%80%99s%20Edge`);
  });

  it('replaces an existing fragment', () => {
    expect(textFragmentUrl(`${url}#comments`, 'Baidu')).toBe(`${url}#:~:text=Baidu`);
    expect(textFragmentUrl(`${url}?page=2#top`, 'Baidu')).toBe(`${url}?page=2#:~:text=Baidu`);
  });

  it('leaves out the ellipsis markers of a trimmed quote and collapses whitespace', () => {
    expect(textFragmentUrl(url, '… Baidu will\nmake it …')).toBe(`${url}#:~:text=Baidu%20will%20make%20it`);
  });

  it('returns the URL unchanged for an empty quote', () => {
    expect(textFragmentUrl(url, '  ')).toBe(url);
  });
});

describe('validateQuestion', () => {
  it('accepts a question, trimmed', () => {
    expect(validateQuestion('  Who is Baidu?  ')).toEqual({ ok: true, question: 'Who is Baidu?' });
    expect(validateQuestion('42?')).toEqual({ ok: true, question: '42?' });
    expect(validateQuestion('x'.repeat(MAX_QUESTION_CHARS))).toMatchObject({ ok: true });
  });

  it.each([
    ['empty', '', /empty/],
    ['blank', ' \t\n ', /empty/],
    ['too long', 'why '.repeat(126), /too long \(\d+ characters; at most 500\)/],
    ['with a NUL', 'Who\0 is Baidu?', /control characters/],
    ['with a bell', 'Who is \u0007Baidu?', /control characters/],
    ['with DEL', 'Who is Baidu\u007f?', /control characters/],
    ['only punctuation', '???', /no words/],
    ['only symbols', '¿? !! -- ***', /no words/],
  ])('rejects a question %s', (_label, input, message) => {
    const check = validateQuestion(input);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toMatch(message);
  });
});

describe('searchPassages', () => {
  it('completes a partial last word', () => {
    const hits = searchPassages(index, 'Tsingh', { limit: 5, partial: true });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]!.passage.paragraph).toBe(6);
    expect(hits[0]!.passage.text).toContain('Tsinghua Unigroup');
    expect(hits[0]!.document.id).toBe('microsoft-china-partnerships');
    expect(hits[0]!.score).toBeGreaterThan(0);
  });

  it('widens a known word to longer ones only when it is partial', () => {
    const whole = searchPassages(index, 'partner', { limit: 20 }).map((hit) => hit.passage.paragraph);
    const partial = searchPassages(index, 'partner', { limit: 20, partial: true }).map((hit) => hit.passage.paragraph);
    expect(whole).not.toContain(5); // paragraph 5 says "partnership", not "partner"
    expect(partial).toContain(5);
    for (const paragraph of whole) expect(partial).toContain(paragraph);
  });

  it('lists passages in corpus order for an empty query', () => {
    const hits = searchPassages(index, '', { limit: 4 });
    expect(hits.map((hit) => hit.passage.id)).toEqual(index.passages.slice(0, 4).map((passage) => passage.id));
    expect(hits.every((hit) => hit.score === 0)).toBe(true);
    expect(searchPassages(index, 'the of and', { limit: 2 })).toHaveLength(2);
  });

  it('respects the limit', () => {
    const all = searchPassages(index, 'partnership Microsoft China', { limit: 100 });
    expect(all.length).toBeGreaterThan(3);
    expect(searchPassages(index, 'partnership Microsoft China', { limit: 3 }).map((hit) => hit.passage.id)).toEqual(
      all.slice(0, 3).map((hit) => hit.passage.id),
    );
    expect(searchPassages(index, '', { limit: 100 })).toHaveLength(index.passages.length);
  });

  it('finds nothing for words the corpus lacks', () => {
    expect(searchPassages(index, 'zzyzx qwfp', { limit: 5 })).toEqual([]);
  });
});

describe('Library', () => {
  async function openCopy(): Promise<{ dir: string; library: Library }> {
    const dir = await tempDir();
    await cp(CORPUS_DIR, dir, { recursive: true });
    const { library, report } = await Library.open({ dir });
    expect(report.problems).toEqual([]);
    return { dir, library: library! };
  }

  it(`remembers the answers to the ${ANSWER_CACHE_SIZE} questions asked most recently, per scope, count and follow-up`, async () => {
    const { library } = await openCopy();
    const first = await library.answer(BAIDU_QUESTION);
    expect(await library.answer(BAIDU_QUESTION)).toBe(first);
    expect(await library.answer(BAIDU_QUESTION, { top: 1 })).not.toBe(first);
    expect(await library.answer(BAIDU_QUESTION, { scope: '123' })).not.toBe(first);
    expect(await library.answer(BAIDU_QUESTION, { previous: { question: 'who', passageRefs: [] } })).not.toBe(first);
    const once = await library.answer('Who is Cate Cadell?');
    for (let i = 0; i < ANSWER_CACHE_SIZE; i++) {
      await library.answer(`question ${i}`);
      if (i % 100 === 0) await library.answer(BAIDU_QUESTION);
    }
    // Asked all along, still remembered; asked once before a thousand others, forgotten.
    expect(await library.answer(BAIDU_QUESTION)).toBe(first);
    const again = await library.answer('Who is Cate Cadell?');
    expect(again).not.toBe(once);
    expect(again).toEqual(once);
  });

  it('does not remember an answer by words alone while meaning is on but not ready', async () => {
    const { library } = await openCopy();
    const semantic = await SemanticIndex.open(library.index.passages, {
      embedder: { embed: async (texts) => texts.map(() => new Float32Array(EMBEDDING_DIMENSIONS)) },
    });
    const waiting = library.withMeaning(semantic);
    expect(semantic.ready).toBe(false);
    const first = await waiting.answer(BAIDU_QUESTION);
    expect(first.results[0]!.passage.paragraph).toBe(5);
    expect(await waiting.answer(BAIDU_QUESTION)).not.toBe(first);
  });

  it('serves the corpus it opened', async () => {
    const { library } = await openCopy();
    expect(library.documents.map((document) => document.id)).toEqual(['microsoft-china-partnerships']);
    expect((await library.answer(BAIDU_QUESTION)).results[0]!.passage.paragraph).toBe(5);
    const baidu = library.index.passagesById.get('microsoft-china-partnerships:5')!;
    expect(library.passageByRef(passageRef(baidu))?.passage.text).toContain('Baidu');
    expect(library.passageByRef('microsoft-china-partnerships:5')).toBeUndefined(); // no fingerprint
    expect(library.passageByRef('microsoft-china-partnerships:5~AAAAAA')).toBeUndefined(); // other text
    expect(library.passageByRef(`microsoft-china-partnerships:99~${baidu.fingerprint}`)).toBeUndefined();
    expect(library.paragraph('microsoft-china-partnerships', 10).map((passage) => passage.section)).toEqual(['About the author']);
    expect(library.search('Tsingh', { limit: 1, partial: true })[0]!.passage.paragraph).toBe(6);
    expect(library.findDocuments('CHINESE state', 5).map((document) => document.id)).toEqual(['microsoft-china-partnerships']);
    expect(library.findDocuments('volcano', 5)).toEqual([]);
  });

  it('finds a document by its title typed without accents', () => {
    const document = { title: 'Fécamp Abbey’s choir', id: 'fecamp-choir' } as DocumentInfo;
    expect(documentMatches(document, 'FECAMP abbey')).toBe(true);
    expect(documentMatches(document, 'fécamp')).toBe(true);
    expect(documentMatches(document, 'fecund')).toBe(false);
  });

  it('opens a folder with broken files, serving the valid ones and returning the problems', async () => {
    const dir = await tempDir();
    await cp(CORPUS_DIR, dir, { recursive: true });
    await writeFile(path.join(dir, 'broken.md'), 'no front matter\n');
    const { library, report } = await Library.open({ dir });
    expect(library!.documents).toHaveLength(1);
    expect(report.problems).toEqual([expect.objectContaining({ file: 'broken.md', line: 1 })]);
  });

  it('leaves a broken file out when opened strictly, as a reload is, and keeps the served version of one that broke since', async () => {
    const { dir } = await openCopy();
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'citebot-cache-'));
    const article = (title: string, body: string) =>
      `---\ntitle: ${title}\nauthor: A\npublisher: P\npublished: 2016-01-15\nurl: https://example.com/a\n---\n\n${body}\n`;
    try {
      await writeFile(path.join(dir, 'edited.md'), article('Glacier melts', 'The Rhone glacier lost a tenth of its ice.'));
      await writeFile(path.join(dir, 'deleted.md'), article('Volcano erupts', 'The Krakatoa volcano erupted on Tuesday.'));
      expect((await Library.open({ dir, cacheDir })).report).toMatchObject({ applied: true, documents: 3 });

      await writeFile(path.join(dir, 'broken.md'), 'no front matter\n');
      await writeFile(path.join(dir, 'edited.md'), article('Glacier melts', 'Half an edit').replace('published: 2016-01-15', 'published: 2016-02-30'));
      await unlink(path.join(dir, 'deleted.md'));
      const { library, report } = await Library.open({ dir, cacheDir, strict: true });
      expect(report).toMatchObject({ applied: true, removed: ['deleted'], changed: [], documents: 2 });
      expect(report.problems.map((problem) => problem.file)).toEqual(['broken.md', 'edited.md']);
      expect((await library!.answer('How much ice did the Rhone glacier lose?')).results[0]?.passage.text).toMatch(/a tenth of its ice/);
      expect((await library!.answer('Which volcano erupted?')).answered).toBe(false);
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
