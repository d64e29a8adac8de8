/**
 * The semantic ranking stages, as pure functions over numbers and vectors (no index, no model):
 * lexical candidates and their vectors in → a fused rank, the best sentence of each candidate,
 * and a decision (answer, decline with related passages, decline with nothing related).
 * Every tuned constant is in `RANKING`; tests/bench/semanticEval.ts measured them.
 */
import { MIN_CLOSEST_COVERAGE, MIN_COVERAGE } from '../index/coverage.js';

/**
 * How the stages weigh and cut. Tuned on the tuning halves of two question sets (SQuAD 2.0 dev
 * questions on two Wikipedia articles, and tests/fixtures/questions.json on the bundled news
 * article) and checked on their held-out halves: `node --import tsx tests/bench/semanticEval.ts`.
 */
export const RANKING = {
  /**
   * How many lexical candidates (BM25 order) are re-ranked. The right passage is almost always
   * among the first few; a fixed pool keeps the cost per question flat on a large corpus.
   */
  candidatePool: 30,
  /**
   * Weight of the best sentence's cosine with the question, against BM25 divided by the best
   * candidate's BM25 (so 1 at most). A sentence carries what was asked more sharply than its
   * whole paragraph: on the tuning halves 4–6 did best, 0–1 hardly changes BM25's order.
   */
  sentenceWeight: 5,
  // The whole passage's cosine is not used: on the tuning halves a weight on it never gained an
  // answer over the best sentence alone (a paragraph's topic drowns its details).
  /**
   * Weight of the lexical coverage (share of the question's idf weight matched): favours the
   * passage that has the question's rare words over one that shares many common ones.
   */
  coverageWeight: 2,
  /**
   * Weight of the largest share of the question's idf weight that one sentence holds: a passage
   * whose one sentence names everything asked ("the Canary Islands") over an overview paragraph
   * that names each thing in a different sentence.
   */
  sentenceCoverageWeight: 1,
  /** The top candidate answers when it matches at least this share of the question's weight (as by words alone)… */
  minCoverage: MIN_COVERAGE,
  /**
   * … or when one of its sentences is at least this close in meaning to the question. On the
   * tuning halves every question that only a cosine between 0.55 and 0.6 let through was
   * answered wrongly or should have been declined; above 0.6 they were nearly all right.
   */
  minSentenceCosine: 0.6,
  /**
   * An answer is quoted in public only when its sentence is at least this close in meaning to the
   * question, or carries its rare words (CARRIED_TERM_SHARE); else it is offered to the asker alone
   * as the closest passages.
   */
  publicSentenceCosine: 0.4,
  /**
   * A declined question still shows related passages when the best candidate matches this share
   * of the question's weight, or one of its sentences reaches `relatedSentenceCosine`; below
   * both, nothing in the corpus is about what was asked.
   */
  relatedCoverage: MIN_CLOSEST_COVERAGE,
  relatedSentenceCosine: 0.4,
  /**
   * Results after the first must reach this share of the first's fused score, and be related to
   * the question (as a decline's related passages are) rather than answer it alone: the first
   * answers; the others are where else the article speaks of it.
   */
  minRelativeScore: 0.6,
} as const;

export type RankingConstants = { [Key in keyof typeof RANKING]: number };

/** A passage the lexical stage found, with what that stage knows of it. */
export interface LexicalCandidate {
  passageId: string;
  /** BM25 score; comparable only within one question. */
  bm25Score: number;
  /** Share of the question's idf weight the passage matches, 0–1. */
  coverage: number;
  /** The largest share of the question's idf weight one of its sentences matches, 0–1. */
  sentenceCoverage: number;
  /** Each sentence's share of the question's idf weight (none for a passage found by meaning alone). */
  sentenceShares?: readonly number[];
}

/**
 * The cosine of the question with each sentence of a candidate passage, in order; undefined
 * when the passage has no vectors yet.
 */
export type SentenceCosines = (passageId: string) => readonly number[] | undefined;

export interface RankedCandidate extends LexicalCandidate {
  /** What the rank is by: normalised BM25 plus the weighted cosine and coverage. */
  fusedScore: number;
  /** Index into the passage's sentences of the one closest to the question. */
  bestSentence: number;
  bestSentenceCosine: number;
  /** The sentence to quote in bold: the closest one holding every word of the question, else `bestSentence`. */
  shownSentence: number;
  shownSentenceCosine: number;
}

export type Decision =
  /** Quote `results`. */
  | 'answer'
  /** The corpus has passages about the question's subject, but none answers it: offer `related`. */
  | 'decline-related'
  /** Nothing in the corpus is about what was asked. */
  | 'decline-unrelated';

export interface RankOutcome {
  decision: Decision;
  /** Every candidate with vectors, best first. */
  ranked: RankedCandidate[];
  /** When answering: the candidates to quote, best first, at most `top`. */
  results: RankedCandidate[];
  /** When declining with related passages: those passages, best first, at most `top`. */
  related: RankedCandidate[];
}

/**
 * Scores each candidate against the question. Candidates without vectors (not embedded yet) are
 * left out, so call this only once the corpus's vectors are ready; until then answer lexically.
 */
export function scoreCandidates(candidates: readonly LexicalCandidate[], cosinesOf: SentenceCosines, constants: RankingConstants = RANKING): RankedCandidate[] {
  const pool = candidates.slice(0, constants.candidatePool);
  const maxBm25 = Math.max(0, ...pool.map((candidate) => candidate.bm25Score));
  const ranked: RankedCandidate[] = [];
  for (const candidate of pool) {
    const cosines = cosinesOf(candidate.passageId);
    if (!cosines || cosines.length === 0) continue;
    let bestSentence = 0;
    cosines.forEach((similarity, i) => {
      if (similarity > cosines[bestSentence]!) bestSentence = i;
    });
    const bestSentenceCosine = cosines[bestSentence]!;
    const shownSentence = closestHoldingAll(candidate, cosines) ?? bestSentence;
    const shownSentenceCosine = cosines[shownSentence]!;
    const lexical = maxBm25 > 0 ? candidate.bm25Score / maxBm25 : 0;
    const fusedScore =
      lexical +
      constants.sentenceWeight * bestSentenceCosine +
      constants.coverageWeight * candidate.coverage +
      constants.sentenceCoverageWeight * candidate.sentenceCoverage;
    ranked.push({ ...candidate, fusedScore, bestSentence, bestSentenceCosine, shownSentence, shownSentenceCosine });
  }
  return ranked.sort((a, b) => b.fusedScore - a.fusedScore);
}

/**
 * The closest in meaning of the sentences that hold every word of the question, if one does: it
 * says what was asked more plainly than a closer sentence without them ("VideoGuard … owned by
 * NDS" for "who owns videoguard").
 */
function closestHoldingAll(candidate: LexicalCandidate, cosines: readonly number[]): number | undefined {
  let closest: number | undefined;
  cosines.forEach((cosine, i) => {
    if ((candidate.sentenceShares?.[i] ?? 0) >= 1 - 1e-9 && (closest === undefined || cosine > cosines[closest]!)) closest = i;
  });
  return closest;
}

/** Whether a candidate supports an answer on its own: enough of the words, or a sentence close in meaning. */
function answers(candidate: RankedCandidate, constants: RankingConstants): boolean {
  return candidate.coverage >= constants.minCoverage || candidate.bestSentenceCosine >= constants.minSentenceCosine;
}

function isRelated(candidate: RankedCandidate, constants: RankingConstants): boolean {
  return candidate.coverage >= constants.relatedCoverage || candidate.bestSentenceCosine >= constants.relatedSentenceCosine;
}

/** Decides from ranked candidates (best first) whether to answer, and with what. */
export function decide(ranked: readonly RankedCandidate[], top: number, constants: RankingConstants = RANKING): RankOutcome {
  const [best] = ranked;
  if (best && answers(best, constants)) {
    const results = ranked
      .filter((candidate) => candidate === best || (isRelated(candidate, constants) && candidate.fusedScore >= best.fusedScore * constants.minRelativeScore))
      .slice(0, top);
    return { decision: 'answer', ranked: [...ranked], results, related: [] };
  }
  const related = ranked.filter((candidate) => isRelated(candidate, constants)).slice(0, top);
  return { decision: related.length > 0 ? 'decline-related' : 'decline-unrelated', ranked: [...ranked], results: [], related };
}

/** Both stages: score, rank, decide. */
export function rankAndDecide(
  candidates: readonly LexicalCandidate[],
  cosinesOf: SentenceCosines,
  top: number,
  constants: RankingConstants = RANKING,
): RankOutcome {
  return decide(scoreCandidates(candidates, cosinesOf, constants), top, constants);
}
