/**
 * BM25+ scoring over minisearch's postings, as minisearch's own OR search scores them: the same
 * formula, parameters, field boosts and order of additions, so the same scores to the last bit
 * and the same order among ties (tests/unit/index.test.ts compares them).
 *
 * minisearch's search makes an object per matching passage per term (score, terms, a `match`
 * record keyed by the term) and merges them term by term: about 1 µs a posting, so a question
 * with one common word ("good": 6,000 passages of 100,000) took 10–15 ms. Here scores add up in
 * typed arrays indexed by minisearch's short ids, and only the few passages kept get a result.
 */
import type { MiniSearchInternals } from './minisearchInternals.js';

/** minisearch's BM25+ parameters (its defaults). */
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };

/** The passages a scoring matched: `score(shortId)` is minisearch's OR score before its matched-terms multiplier. */
export interface TermScores {
  /** Short ids in the order minisearch's result map would hold them (first match first). */
  shortIds: number[];
  score: Float64Array;
  /** Per short id, how many of the terms it matched. */
  termsMatched: Uint16Array;
}

/**
 * Per index, arrays as long as its short ids, made on its first query and reused by every other
 * (scoring is synchronous, and each query clears what it wrote): nothing proportional to the
 * corpus is allocated per question. `lengthNorm` holds, per field, BM25's length normalisation
 * of each live passage (NaN for a discarded one), computed as minisearch computes it.
 */
interface Scratch {
  /** What the arrays were made for: an index changed since (an update: an add moves nextId, a discard documentCount) gets new ones. */
  madeFor: { nextId: number; documentCount: number };
  score: Float64Array;
  termScore: Float64Array;
  termsMatched: Uint16Array;
  inTerm: Uint8Array;
  lengthNorm: Float64Array[];
}

const scratchByIndex = new WeakMap<MiniSearchInternals, Scratch>();

function scratchFor(internals: MiniSearchInternals): Scratch {
  const { _nextId: nextId, _documentCount: documentCount } = internals;
  const scratch = scratchByIndex.get(internals);
  if (scratch && scratch.madeFor.nextId === nextId && scratch.madeFor.documentCount === documentCount) return scratch;
  const { k, b } = BM25;
  const lengthNorm = internals._avgFieldLength.map(() => new Float64Array(nextId).fill(Number.NaN));
  for (const [shortId, lengths] of internals._fieldLength) {
    lengths.forEach((fieldLength, fieldId) => {
      lengthNorm[fieldId]![shortId] = k * (1 - b + (b * fieldLength) / internals._avgFieldLength[fieldId]!);
    });
  }
  const made: Scratch = {
    madeFor: { nextId, documentCount },
    score: new Float64Array(nextId),
    termScore: new Float64Array(nextId),
    termsMatched: new Uint16Array(nextId),
    inTerm: new Uint8Array(nextId),
    lengthNorm,
  };
  scratchByIndex.set(internals, made);
  return made;
}

/**
 * Scores every passage matching any of `terms` (each searched as is, weighted by `termBoost`), in
 * the fields of `fieldBoosts` (in its key order, as minisearch iterates them). `visit` sees the
 * result before the scratch arrays are cleared for the next query.
 */
export function scoreTerms<T>(
  internals: MiniSearchInternals,
  terms: readonly string[],
  termBoost: (term: string) => number,
  fieldBoosts: Readonly<Record<string, number>>,
  visit: (scores: TermScores) => T,
): T {
  const { score, termScore, termsMatched, inTerm, lengthNorm } = scratchFor(internals);
  const { k, d } = BM25;
  const shortIds: number[] = [];
  const termIds: number[] = [];
  for (const term of terms) {
    const byField = internals._index.get(term);
    if (!byField) continue;
    const boost = termBoost(term);
    termIds.length = 0;
    for (const field of Object.keys(fieldBoosts)) {
      const fieldId = internals._fieldIds[field]!;
      const postings = byField.get(fieldId);
      if (!postings) continue;
      const fieldBoost = fieldBoosts[field]!;
      const norms = lengthNorm[fieldId]!;
      const matchingCount = postings.size;
      const inverseFrequency = Math.log(1 + (internals._documentCount - matchingCount + 0.5) / (matchingCount + 0.5));
      // forEach, not for…of: no [key, value] array per posting.
      postings.forEach((termFrequency, shortId) => {
        const norm = norms[shortId]!;
        // A discarded passage (its postings stay until minisearch vacuums them, which an updated
        // index does before it serves) is skipped; it would still count in `matchingCount`.
        if (Number.isNaN(norm)) return;
        const bm25 = inverseFrequency * (d + (termFrequency * (k + 1)) / (termFrequency + norm));
        const weighted = boost * fieldBoost * bm25;
        if (inTerm[shortId] === 0) {
          inTerm[shortId] = 1;
          termIds.push(shortId);
          termScore[shortId] = weighted;
        } else {
          termScore[shortId] = termScore[shortId]! + weighted;
        }
      });
    }
    // minisearch sums a term's fields first, then adds that to the passage's total.
    for (const shortId of termIds) {
      if (termsMatched[shortId] === 0) {
        shortIds.push(shortId);
        score[shortId] = termScore[shortId]!;
      } else {
        score[shortId] = score[shortId]! + termScore[shortId]!;
      }
      termsMatched[shortId] = termsMatched[shortId]! + 1;
      inTerm[shortId] = 0;
      termScore[shortId] = 0;
    }
  }
  try {
    return visit({ shortIds, score, termsMatched });
  } finally {
    for (const shortId of shortIds) {
      score[shortId] = 0;
      termsMatched[shortId] = 0;
    }
  }
}
