/**
 * What the lexical stage tells the semantic one about a passage: its BM25, its coverage of the
 * question's weight, and the largest share one of its sentences holds (kept per passage between
 * questions, so this also checks that a passage's text, not its id, is what is kept).
 */
import { describe, expect, it } from 'vitest';
import { lexicalCandidate } from '../../src/answers/answerHybrid.js';
import { buildSearchIndex } from '../../src/index/buildSearchIndex.js';
import { analyzeQuery, queryIndex } from '../../src/index/queryIndex.js';
import { corpusDocument } from '../support/corpusDocument.js';

function candidateFor(body: string, question: string) {
  const index = buildSearchIndex([corpusDocument('harbour', body)]);
  const terms = analyzeQuery(index, question);
  const [result] = queryIndex(index, terms);
  return lexicalCandidate(terms, result!, index.passageAt.get(result!.id as number)!);
}

describe('a lexical candidate', () => {
  it('holds the largest share of the question one sentence has, for each text of the same passage', () => {
    const question = 'Where do the ferry and the fishing fleet dock?';
    // The same passage id (harbour:1), two texts: the question's words in one sentence, then split over two.
    const together = candidateFor('The ferry and the fishing fleet dock at the old quay. Crowds come.', question);
    const apart = candidateFor('The ferry docks at the old quay. The fishing fleet does too.', question);
    expect(together.passageId).toBe(apart.passageId);
    expect(together.sentenceCoverage).toBeCloseTo(together.coverage);
    expect(apart.sentenceCoverage).toBeLessThan(apart.coverage);
    expect(candidateFor('The ferry and the fishing fleet dock at the old quay. Crowds come.', question).sentenceCoverage).toBe(together.sentenceCoverage);
  });
});
