import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadArticleIntents, type ArticleIntentClassifier } from '../../src/semantic/articleIntent.js';
import { EMBEDDING_DIMENSIONS, loadEmbedder, type Embedder } from '../../src/semantic/embedder.js';
import { decide, RANKING, rankAndDecide, scoreCandidates, type LexicalCandidate, type RankedCandidate } from '../../src/semantic/rank.js';
import { SentencePieceTokenizer } from '../../src/semantic/tokenizer.js';
import { cosine, normalize } from '../../src/semantic/vectors.js';
import { SemanticIndex } from '../../src/semantic/SemanticIndex.js';

describe('SentencePieceTokenizer', () => {
  // Ids 0–5 are reserved; scores are log probabilities.
  const reserved: Array<[string, number]> = [
    ['<unk>', 0],
    ['<s>', 0],
    ['</s>', 0],
    ['x1', 0],
    ['x2', 0],
    ['x3', 0],
  ];
  const tokenizer = new SentencePieceTokenizer([...reserved, ['▁', -2], ['▁ab', -3], ['▁a', -1], ['b', -1], ['c', -4], ['▁abc', -9]]);

  it('cuts along the most likely pieces', () => {
    // "▁ab" (−3) beats "▁a" + "b" (−2)? No: −1 + −1 = −2 is more likely than −3.
    expect(tokenizer.encode('ab')).toEqual([8, 9]);
    // "▁abc" (−9) loses to "▁a" "b" "c" (−6).
    expect(tokenizer.encode('abc')).toEqual([8, 9, 10]);
  });

  it('turns spaces into word starts and merges runs of unknown characters into one id 0', () => {
    expect(tokenizer.encode('a a')).toEqual([8, 8]);
    expect(tokenizer.encode('a zz b')).toEqual([8, 6, 0, 6, 9]);
    expect(tokenizer.encode('')).toEqual([]);
  });
});

describe('vectors', () => {
  it('normalises to unit length and leaves a zero vector alone', () => {
    const v = normalize(new Float32Array([3, 4]));
    expect([...v]).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect([...normalize(new Float32Array(2))]).toEqual([0, 0]);
    expect(cosine(v, v)).toBeCloseTo(1, 6);
    expect(() => cosine(v, new Float32Array(3))).toThrow(/different lengths/);
  });
});

describe('embedder (Universal Sentence Encoder lite from node_modules)', () => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await loadEmbedder();
  });

  it('returns one unit vector per text, and zeros for empty text', async () => {
    const vectors = await embedder.embed(['Microsoft partners with Baidu.', '']);
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(cosine(vectors[0]!, vectors[0]!)).toBeCloseTo(1, 4);
    expect(vectors[1]!.every((value) => value === 0)).toBe(true);
  });

  it('places a paraphrase closer than an unrelated sentence', async () => {
    const [question, paraphrase, unrelated] = await embedder.embed([
      'Who is Microsoft teaming up with?',
      'Microsoft announced a partnership with Baidu.',
      'The football match ended in a draw.',
    ]);
    expect(cosine(question!, paraphrase!)).toBeGreaterThan(cosine(question!, unrelated!) + 0.2);
  });

  it('embeds a text the same alone as in a batch of longer texts', async () => {
    const text = 'Edge will use Baidu as its default search engine.';
    const [alone] = await embedder.embed([text]);
    const batch = await embedder.embed([`${'A much longer passage about other things entirely. '.repeat(5)}`, text]);
    expect(cosine(alone!, batch[1]!)).toBeGreaterThan(0.9999);
  });

  it('embeds a text longer than its window from the beginning, so a run-on sentence costs no more than 128 pieces', async () => {
    const runOn = 'the harbour ferry leaves at dawn and returns at dusk '.repeat(20);
    const [long, longer, short] = await embedder.embed([runOn, `${runOn} while the lighthouse keeper watches the storm`, 'the harbour ferry leaves at dawn']);
    expect(cosine(long!, longer!)).toBeGreaterThan(0.9999);
    expect(cosine(long!, short!)).toBeLessThan(0.99);
  });

  it('loads and embeds inside a worker thread with the network unreachable', async () => {
    const texts = ['Who wrote this article?', 'Who is the author of the piece?'];
    // Node runs a worker's .ts file only once tsx's loader is registered in that thread.
    const script = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('../support/semanticWorker.ts', import.meta.url).href)}); })`;
    const worker = new Worker(script, { eval: true, workerData: texts });
    const result = await new Promise<{ vectors: Float32Array[]; attempts: string[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(result.attempts).toEqual([]);
    const here = await embedder.embed(texts);
    expect(cosine(result.vectors[0]!, here[0]!)).toBeGreaterThan(0.9999);
    expect(cosine(result.vectors[0]!, result.vectors[1]!)).toBeGreaterThan(0.6);
  });

  describe('questions about the article itself', () => {
    let intents: ArticleIntentClassifier;
    beforeAll(async () => {
      intents = await loadArticleIntents(embedder);
    });
    const classify = async (question: string) => intents.classify((await embedder.embed([question]))[0]!)?.intent;

    it('recognises them worded unlike the examples', async () => {
      expect(await classify('who wrote this piece')).toBe('author');
      expect(await classify('what is the story about')).toBe('topic');
      expect(await classify('when was this written?')).toBe('published');
    });

    it('leaves questions about things in the article alone', async () => {
      expect(await classify('Who commissioned the Tapestry?')).toBeUndefined();
      expect(await classify('When was Sky Digital launched?')).toBeUndefined();
    });
  });
});

describe('ranking stages', () => {
  // Two-dimensional unit vectors make cosines easy to read: cos(angle between them).
  const at = (degrees: number) => new Float32Array([Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)]);
  const question = at(0);
  const vectors = new Map<string, Float32Array[]>([
    ['close', [at(80), at(10)]],
    ['far', [at(85)]],
  ]);
  const cosinesOf = (id: string) => vectors.get(id)?.map((sentence) => cosine(question, sentence));
  const candidate = (passageId: string, bm25Score: number, coverage: number, sentenceCoverage = 0): LexicalCandidate => ({
    passageId,
    bm25Score,
    coverage,
    sentenceCoverage,
  });

  it('ranks a passage with a sentence close in meaning above one with a higher BM25, and names that sentence', () => {
    const ranked = scoreCandidates([candidate('far', 10, 0.5), candidate('close', 5, 0.5)], cosinesOf);
    expect(ranked.map((c) => c.passageId)).toEqual(['close', 'far']);
    expect(ranked[0]!.bestSentence).toBe(1);
    expect(ranked[0]!.bestSentenceCosine).toBeCloseTo(Math.cos(Math.PI / 18), 5);
    const fused = 0.5 + RANKING.sentenceWeight * ranked[0]!.bestSentenceCosine + RANKING.coverageWeight * 0.5;
    expect(ranked[0]!.fusedScore).toBeCloseTo(fused, 6);
  });

  it('shows the closest sentence that holds every word of the question, else the closest of all', () => {
    const shares = (passageId: string, sentenceShares: number[]) => ({ ...candidate(passageId, 5, 1, Math.max(...sentenceShares)), sentenceShares });
    const [holding] = scoreCandidates([shares('close', [1, 0.5])], cosinesOf);
    expect(holding).toMatchObject({ bestSentence: 1, shownSentence: 0 });
    expect(holding!.shownSentenceCosine).toBeCloseTo(Math.cos((80 * Math.PI) / 180), 5);
    // Ranked and decided by the closest sentence all the same.
    expect(holding!.bestSentenceCosine).toBeCloseTo(Math.cos(Math.PI / 18), 5);
    const [partial] = scoreCandidates([shares('close', [0.9, 0.5])], cosinesOf);
    expect(partial).toMatchObject({ bestSentence: 1, shownSentence: 1 });
  });

  it('leaves out candidates without vectors and those beyond the pool', () => {
    const pool = [candidate('close', 1, 0), candidate('missing', 9, 1), candidate('far', 1, 0)];
    expect(scoreCandidates(pool, cosinesOf).map((c) => c.passageId)).toEqual(['close', 'far']);
    expect(scoreCandidates(pool, cosinesOf, { ...RANKING, candidatePool: 1 }).map((c) => c.passageId)).toEqual(['close']);
  });

  it('ranks the passage one of whose sentences holds more of the question above one that spreads it over several', () => {
    const ranked = scoreCandidates([candidate('far', 10, 1, 0.5), candidate('close', 10, 1, 1)], () => [0.5]);
    expect(ranked.map((c) => c.passageId)).toEqual(['close', 'far']);
    expect(ranked[0]!.fusedScore - ranked[1]!.fusedScore).toBeCloseTo(RANKING.sentenceCoverageWeight * 0.5, 6);
  });

  const ranked = (coverage: number, bestSentenceCosine: number, fusedScore = 1): RankedCandidate => ({
    passageId: 'p',
    bm25Score: 1,
    coverage,
    sentenceCoverage: 0,
    fusedScore,
    bestSentence: 0,
    bestSentenceCosine,
    shownSentence: 0,
    shownSentenceCosine: bestSentenceCosine,
  });

  it('answers on enough coverage or on a close sentence, and declines below both', () => {
    expect(decide([ranked(RANKING.minCoverage, 0)], 3).decision).toBe('answer');
    expect(decide([ranked(0, RANKING.minSentenceCosine)], 3).decision).toBe('answer');
    expect(decide([ranked(RANKING.minCoverage - 0.01, RANKING.minSentenceCosine - 0.01)], 3).decision).toBe('decline-related');
  });

  it('declines as unrelated when nothing comes near, and with related passages when something does', () => {
    expect(decide([], 3)).toMatchObject({ decision: 'decline-unrelated', results: [], related: [] });
    expect(decide([ranked(0.1, 0.1)], 3)).toMatchObject({ decision: 'decline-unrelated', related: [] });
    const related = ranked(RANKING.relatedCoverage, 0.1);
    expect(decide([related, ranked(0.1, 0.1)], 3)).toMatchObject({ decision: 'decline-related', related: [related] });
  });

  it('quotes further passages only when they are related to the question and score near the first', () => {
    const first = ranked(1, 0.9, 10);
    const near = ranked(0.5, 0, 10 * RANKING.minRelativeScore);
    const low = ranked(0.5, 0, 10 * RANKING.minRelativeScore - 0.01);
    const weak = ranked(0.1, 0.1, 9);
    expect(decide([first, near, low, weak], 3).results).toEqual([first, near]);
    expect(decide([first, near, near, near], 3).results).toHaveLength(3);
    // Where else the article speaks of it: related, without answering on its own.
    const relatedByWords = ranked(RANKING.relatedCoverage, 0, 9);
    const relatedByMeaning = ranked(0, RANKING.relatedSentenceCosine, 9);
    expect(RANKING.relatedCoverage).toBeLessThan(RANKING.minCoverage);
    expect(RANKING.relatedSentenceCosine).toBeLessThan(RANKING.minSentenceCosine);
    expect(decide([first, relatedByWords, relatedByMeaning], 3).results).toEqual([first, relatedByWords, relatedByMeaning]);
  });

  it('rankAndDecide is the two stages in a row', () => {
    const outcome = rankAndDecide([candidate('far', 10, 0.1), candidate('close', 5, 0.1)], cosinesOf, 1);
    expect(outcome.decision).toBe('answer');
    expect(outcome.results.map((c) => c.passageId)).toEqual(['close']);
  });
});

describe('SemanticIndex question vectors', () => {
  it('embeds questions asked together in one batch, each getting its own vector, the same as alone', async () => {
    const index = await SemanticIndex.open([]);
    const questions = ['Who wrote the article?', 'Which search engine will Edge use?', 'What is Ubuntu Kylin?'];
    const together = await Promise.all([...questions, questions[0]!].map((question) => index.questionVector(question)));
    const embedder = await loadEmbedder();
    const alone = await Promise.all(questions.map(async (question) => (await embedder.embed([question]))[0]!));
    questions.forEach((_, i) => expect(cosine(together[i]!, alone[i]!)).toBeGreaterThan(0.999));
    expect(together[3]).toBe(together[0]);
    expect(cosine(together[0]!, together[1]!)).toBeLessThan(0.9);
  });
});
