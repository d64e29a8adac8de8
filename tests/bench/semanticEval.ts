/**
 * Lexical engine alone vs hybrid (lexical candidates re-ranked with sentence embeddings), on two
 * question sets, each split in a fixed way into a tuning half and a held-out half:
 * - SQuAD 2.0 dev questions on two Wikipedia articles (tests/fixtures/squad-dev), split by
 *   paragraph, so no paragraph's questions are on both sides;
 * - tests/fixtures/questions.json on the bundled article (corpus/), split by question id.
 *
 *   node --import tsx tests/bench/semanticEval.ts          the figures for RANKING as it is
 *   node --import tsx tests/bench/semanticEval.ts --tune   also a grid of constants, scored on the tuning halves only
 *   node --import tsx tests/bench/semanticEval.ts --failures   also each question the hybrid gets wrong, with its signals
 *   node --import tsx tests/bench/semanticEval.ts --ceiling    also the best top-1 any fusion weights reach, fitted on all questions
 */
import { sentencesOf } from '../../src/passages/splitIntoPassages.js';
import { lexicalCandidate } from '../../src/answers/answerHybrid.js';
import { answerQuestion, toResult } from '../../src/answers/answerQuestion.js';
import { analyzeQuery, queryIndex } from '../../src/index/queryIndex.js';
import { ARTICLE_INTENT_EXAMPLES, loadArticleIntents, MIN_INTENT_COSINE, type ArticleIntent } from '../../src/semantic/articleIntent.js';
import { loadEmbedder, type Embedder } from '../../src/semantic/embedder.js';
import { RANKING, rankAndDecide, scoreCandidates, type LexicalCandidate, type RankingConstants } from '../../src/semantic/rank.js';
import { cosine } from '../../src/semantic/vectors.js';
import { evaluate, type EvalAnswer, type EvalQuestion, type EvalReport } from '../support/questionSet.js';
import { articleSet, squadSet, type Half, type QuestionSet } from '../support/questionSets.js';

/** Results per answer, as members see them (top-3 counts these). */
const TOP = 3;

/** Everything the hybrid needs per question, computed once: candidates and the question's vector. */
interface Prepared {
  question: string;
  vector: Float32Array;
  candidates: LexicalCandidate[];
}

interface Embedded {
  set: QuestionSet;
  /** Each passage's sentence vectors. */
  vectors: Map<string, Float32Array[]>;
  prepared: Map<string, Prepared>;
  /** For turning a ranked candidate back into a result with its quote. */
  resultOf: (question: string, passageId: string) => { paragraph: number; quote: string };
}

async function embedSet(set: QuestionSet, embedder: Embedder): Promise<Embedded> {
  const { index } = set;
  const sentenceVectors = await embedder.embed(index.passages.flatMap((passage) => sentencesOf(passage)));
  const vectors = new Map<string, Float32Array[]>();
  let sentenceAt = 0;
  index.passages.forEach((passage) => {
    vectors.set(passage.id, sentenceVectors.slice(sentenceAt, sentenceAt + sentencesOf(passage).length));
    sentenceAt += sentencesOf(passage).length;
  });
  const questionVectors = await embedder.embed(set.questions.map((q) => q.question));
  const prepared = new Map<string, Prepared>();
  const searchResults = new Map<string, Map<string, ReturnType<typeof queryIndex>[number]>>();
  set.questions.forEach((q, i) => {
    const terms = analyzeQuery(index, q.question);
    const results = queryIndex(index, terms);
    searchResults.set(q.question, new Map(results.map((result) => [index.passageAt.get(result.id as number)!.id, result])));
    const candidates = results.map((result) => lexicalCandidate(terms, result, index.passageAt.get(result.id as number)!));
    prepared.set(q.question, { question: q.question, vector: questionVectors[i]!, candidates });
  });
  return {
    set,
    vectors,
    prepared,
    resultOf: (question, passageId) => {
      const searchResult = searchResults.get(question)!.get(passageId)!;
      const result = toResult(index, searchResult, 0);
      return { paragraph: set.paragraphKey(result.passage.documentId, result.passage.paragraph), quote: result.quote };
    },
  };
}

function lexicalAnswer(set: QuestionSet, question: string): EvalAnswer {
  const answer = answerQuestion(set.index, question, { top: TOP });
  return {
    answered: answer.answered,
    results: answer.results.map((result) => ({ paragraph: set.paragraphKey(result.passage.documentId, result.passage.paragraph), quote: result.quote })),
  };
}

/** Sentence cosines with one question, as the engine computes them. */
function cosinesFor(embedded: Embedded, question: Float32Array) {
  return (passageId: string) => embedded.vectors.get(passageId)?.map((sentence) => cosine(question, sentence));
}

function hybridAnswer(embedded: Embedded, question: string, constants: RankingConstants): EvalAnswer {
  const { vector, candidates } = embedded.prepared.get(question)!;
  const outcome = rankAndDecide(candidates, cosinesFor(embedded, vector), TOP, constants);
  return { answered: outcome.decision === 'answer', results: outcome.results.map((candidate) => embedded.resultOf(question, candidate.passageId)) };
}

function questionsIn(set: QuestionSet, half: Half): EvalQuestion[] {
  return set.questions.filter((q) => q.half === half);
}

function row(label: string, report: EvalReport): string {
  const byKind = Object.entries(report.byKind)
    .map(([kind, { correct, total }]) => `${kind} ${correct}/${total}`)
    .join(', ');
  return `  ${label.padEnd(22)} top-1 ${report.top1}/${report.answerable} (${(report.top1 / report.answerable).toFixed(3)}), top-3 ${report.top3}/${report.answerable} (${(report.top3 / report.answerable).toFixed(3)}), declined unanswerable ${report.abstained}/${report.unanswerable}, wrong declines ${report.falseAbstentions} | ${byKind}`;
}

function report(embedded: Embedded, constants: RankingConstants): void {
  const { set } = embedded;
  console.log(`\n${set.name}`);
  for (const half of ['tuning', 'held-out', 'all'] as const) {
    const questions = half === 'all' ? set.questions : questionsIn(set, half);
    console.log(
      row(
        `${half} lexical`,
        evaluate(questions, (question) => lexicalAnswer(set, question)),
      ),
    );
    console.log(
      row(
        `${half} hybrid`,
        evaluate(questions, (question) => hybridAnswer(embedded, question, constants)),
      ),
    );
  }
}

/** The hybrid's wrong answers and declines on the question set, with what each candidate scored. */
function showFailures(embedded: Embedded, constants: RankingConstants): void {
  const { failures } = evaluate(embedded.set.questions, (question) => hybridAnswer(embedded, question, constants));
  console.log(`\nFailures on ${embedded.set.name}:`);
  for (const failure of failures) {
    const { vector, candidates } = embedded.prepared.get(failure.question)!;
    const ranked = rankAndDecide(candidates, cosinesFor(embedded, vector), TOP, constants).ranked;
    const signals = ranked
      .slice(0, 3)
      .map(
        (candidate) =>
          `${candidate.passageId} cov ${candidate.coverage.toFixed(2)} cos ${candidate.bestSentenceCosine.toFixed(2)} fused ${candidate.fusedScore.toFixed(2)}`,
      );
    console.log(`  ${failure.id} expected ${failure.expected} got ${failure.got}: ${failure.question}\n      ${signals.join(' | ')}`);
  }
}

/**
 * Questions about the article itself, worded unlike `ARTICLE_INTENT_EXAMPLES` (none of them is
 * an example there): what the intent classifier must recognise.
 */
const ARTICLE_QUESTIONS: Record<ArticleIntent, string[]> = {
  author: ["who's the author?", 'who wrote it', 'which reporter is behind this story', 'Who penned this?', 'whose article is this', 'who wrote this piece'],
  published: ['when was this written?', "what's the publication date", 'when did this come out', 'is this article recent?', 'what day was it posted'],
  topic: ["what's this about?", 'give me a summary', 'what does the article cover', 'tl;dr?', 'what is the story about'],
};

/** Intent detection: recognised questions about the article, and false triggers on the rest. */
async function measureIntents(embedder: Embedder, sets: Embedded[]): Promise<void> {
  const classifier = await loadArticleIntents(embedder);
  console.log(`\nQuestions about the article (MIN_INTENT_COSINE ${MIN_INTENT_COSINE}, ${Object.values(ARTICLE_INTENT_EXAMPLES).flat().length} examples):`);
  let recognised = 0;
  let total = 0;
  for (const [intent, questions] of Object.entries(ARTICLE_QUESTIONS)) {
    const vectors = await embedder.embed(questions);
    questions.forEach((question, i) => {
      const match = classifier.closest(vectors[i]!);
      const right = match.intent === intent && match.cosine >= MIN_INTENT_COSINE;
      total += 1;
      if (right) recognised += 1;
      else console.log(`  missed (${intent}): ${question} → ${match.intent} ${match.cosine.toFixed(2)}`);
    });
  }
  console.log(`  recognised ${recognised}/${total}`);
  for (const { set, prepared } of sets) {
    const closest = set.questions
      .map((q) => ({ q, match: classifier.closest(prepared.get(q.question)!.vector) }))
      .sort((a, b) => b.match.cosine - a.match.cosine);
    const triggered = closest.filter(({ match }) => match.cosine >= MIN_INTENT_COSINE);
    console.log(
      `  ${set.name}: triggered on ${triggered.length}/${set.questions.length}; closest: ${closest
        .slice(0, 4)
        .map(({ q, match }) => `"${q.question}" ${match.intent} ${match.cosine.toFixed(2)}`)
        .join('; ')}`,
    );
  }
}

/**
 * How far the fused rank could go with these signals at all: the most answerable questions whose
 * right paragraph ranks first, over a fine grid of both fusion weights fitted on every question
 * of the set (held-out half included, so an upper bound, not a figure to report as reached).
 */
function ceiling({ set, prepared, vectors }: Embedded): void {
  const answerable = set.questions.filter((q) => q.paragraph !== null);
  const paragraphOf = new Map(set.index.passages.map((passage) => [passage.id, set.paragraphKey(passage.documentId, passage.paragraph)]));
  // Each question's cosines computed once: the grid only re-weighs them.
  const cosines = new Map(
    answerable.map((q) => {
      const { vector, candidates } = prepared.get(q.question)!;
      return [
        q.question,
        new Map(candidates.map((candidate) => [candidate.passageId, vectors.get(candidate.passageId)?.map((sentence) => cosine(vector, sentence))])),
      ];
    }),
  );
  const rankedFirst = (constants: RankingConstants) =>
    answerable.filter((q) => {
      const [first] = scoreCandidates(prepared.get(q.question)!.candidates, (passageId) => cosines.get(q.question)!.get(passageId), constants);
      return first !== undefined && [q.paragraph, ...(q.alsoAccept ?? [])].includes(paragraphOf.get(first.passageId)!);
    }).length;
  let best = { rankedFirst: 0, sentenceWeight: 0, coverageWeight: 0 };
  for (let sentenceWeight = 0; sentenceWeight <= 10; sentenceWeight += 0.25)
    for (let coverageWeight = 0; coverageWeight <= 10; coverageWeight += 0.25) {
      const count = rankedFirst({ ...RANKING, sentenceWeight, coverageWeight });
      if (count > best.rankedFirst) best = { rankedFirst: count, sentenceWeight, coverageWeight };
    }
  const share = (count: number) => `${count}/${answerable.length} (${(count / answerable.length).toFixed(3)})`;
  console.log(
    `\nCeiling on ${set.name}: at best ${share(best.rankedFirst)} answerable questions rank their paragraph first (sentence ${best.sentenceWeight}, coverage ${best.coverageWeight}, fitted on all of them), before any decline; RANKING's weights: ${share(rankedFirst(RANKING))}`,
  );
}

/** Grid over the fusion weights and the answer threshold, scored on the tuning halves only. */
function tune(sets: Embedded[]): void {
  const rows: Array<{ constants: RankingConstants; score: number; summary: string }> = [];
  for (const sentenceWeight of [1, 2, 3, 4, 5, 6])
    for (const coverageWeight of [0, 0.5, 1, 2, 3])
      for (const candidatePool of [10, 30]) {
        const constants = { ...RANKING, sentenceWeight, coverageWeight, candidatePool };
        const reports = sets.map((embedded) => evaluate(questionsIn(embedded.set, 'tuning'), (question) => hybridAnswer(embedded, question, constants)));
        // Right answers first; declining the unanswerable counts too, but SQuAD's are adversarial.
        const score = reports.reduce(
          (sum, r, i) => sum + r.top1 / r.answerable + 0.2 * (r.top3 / r.answerable) + (i === 1 ? 0.5 : 0.05) * (r.abstained / r.unanswerable),
          0,
        );
        const summary = reports
          .map((r) => `top1 ${r.top1}/${r.answerable} top3 ${r.top3} declined ${r.abstained}/${r.unanswerable} wrong-declines ${r.falseAbstentions}`)
          .join(' | ');
        rows.push({ constants, score, summary });
      }
  rows.sort((a, b) => b.score - a.score);
  console.log('\nTuning grid (tuning halves only), best 15:');
  for (const { constants, score, summary } of rows.slice(0, 15)) {
    console.log(`  s=${constants.sentenceWeight} c=${constants.coverageWeight} pool=${constants.candidatePool}  score ${score.toFixed(3)}  ${summary}`);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const embedder = await loadEmbedder();
  const sets = await Promise.all([squadSet(), articleSet()]);
  const embedded: Embedded[] = [];
  for (const set of sets) embedded.push(await embedSet(set, embedder));
  console.log(`Model loaded and both sets embedded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (process.argv.includes('--tune')) tune(embedded);
  console.log(`\nRANKING: ${JSON.stringify(RANKING)}`);
  for (const set of embedded) report(set, RANKING);
  await measureIntents(embedder, embedded);
  if (process.argv.includes('--failures')) for (const set of embedded) showFailures(set, RANKING);
  if (process.argv.includes('--ceiling')) for (const set of embedded) ceiling(set);
}

await main();
