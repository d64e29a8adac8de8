/**
 * What a member reads when the articles do not answer: each related passage as a linked line whose
 * excerpt is the sentence its link highlights.
 */
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import { formatAbstention } from '../../src/app/messages.js';
import { buildSearchIndex } from '../../src/index/buildSearchIndex.js';
import { corpusDocument } from '../support/corpusDocument.js';

const harbour = corpusDocument(
  'harbour',
  `${'The quay was rebuilt after the storm, with new stones brought from the quarry across the bay. '.repeat(6)}The lighthouse keeper retired after forty years of service at the point.`,
);

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
