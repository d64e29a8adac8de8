/**
 * What a member reads when the articles do not answer: each related passage as a linked line whose
 * excerpt is the sentence its link highlights.
 */
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import { formatAbstention } from '../../src/app/messages.js';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { buildSearchIndex } from '../../src/index/buildSearchIndex.js';

const harbour: CorpusDocument = {
  id: 'harbour',
  title: 'The harbour',
  author: 'Jane Roe',
  publisher: 'Example News',
  published: '2020-01-02',
  url: 'https://example.com/harbour',
  file: 'harbour.md',
  body: `${'The quay was rebuilt after the storm, with new stones brought from the quarry across the bay. '.repeat(6)}The lighthouse keeper retired after forty years of service at the point.`,
  bodyLine: 8,
  hash: '0'.repeat(64),
};

describe('a declined answer', () => {
  it('shows for each related passage the sentence its link highlights', () => {
    const answer = answerQuestion(buildSearchIndex([harbour]), 'lighthouse keeper salary and pension rules in norway');
    expect(answer.answered).toBe(false);
    const [related] = answer.related;
    expect(related!.quote.slice(...related!.quoteHighlight!)).toContain('lighthouse keeper retired');
    const description = formatAbstention(answer, { shown: [], total: 1 }).description!;
    expect(description).toContain('— The lighthouse keeper retired after forty years of service at the point.');
    expect(description).not.toContain('The quay was rebuilt');
  });
});
