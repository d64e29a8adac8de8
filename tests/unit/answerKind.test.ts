/**
 * Questions that ask for a time or a quantity: recognised from their first words, answered in
 * public only by a quote that gives one, with the sentence that gives it shown.
 */
import { describe, expect, it } from 'vitest';
import { answerKindOf, givesKind, sentenceGiving } from '../../src/answers/answerKind.js';
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { buildSearchIndex } from '../../src/index/buildSearchIndex.js';

describe('the kind of answer a question asks for', () => {
  it('is a time or a quantity when the question starts by asking for one, else none', () => {
    expect(answerKindOf('When did the fair open?')).toBe('time');
    expect(answerKindOf('so what year was it built')).toBe('time');
    expect(answerKindOf('and how many people came?')).toBe('quantity');
    expect(answerKindOf('How much did the city pay')).toBe('quantity');
    expect(answerKindOf('Who opened the fair?')).toBeUndefined();
    expect(answerKindOf('tell me when it opened')).toBe('time');
    // "when" after other words is a conjunction, not what is asked.
    expect(answerKindOf('who was mayor of the town when the fair opened')).toBeUndefined();
    expect(answerKindOf('what happens when the fair closes?')).toBeUndefined();
    expect(answerKindOf('')).toBeUndefined();
  });

  it('is given by a digit, or a word of its kind', () => {
    expect(givesKind('time', 'It opened in 1998.')).toBe(true);
    expect(givesKind('time', 'It opened in early March.')).toBe(true);
    expect(givesKind('time', 'It opened to great acclaim.')).toBe(false);
    expect(givesKind('quantity', 'Twelve thousand people came.')).toBe(true);
    expect(givesKind('quantity', 'Half the town came.')).toBe(true);
    expect(givesKind('quantity', 'The town came out in force.')).toBe(false);
    // A month is a time, not a quantity.
    expect(givesKind('quantity', 'It opened in March.')).toBe(false);
  });

  it('shows the best-scoring sentence that gives it, unless the preferred one does', () => {
    const sentences = ['The fair was a success.', 'It opened in 1998.', 'It closed in May.'];
    expect(sentenceGiving('time', sentences, [0.9, 0.2, 0.5], 0)).toBe(2);
    expect(sentenceGiving('time', sentences, [0.9, 0.2, 0.5], 1)).toBe(1);
    expect(sentenceGiving('quantity', ['None here.', 'Nor here.'], [0.9, 0.5], 0)).toBe(0);
    expect(sentenceGiving(undefined, sentences, [0.9, 0.2, 0.5], 0)).toBe(0);
  });
});

describe('answers to questions of a kind', () => {
  const document = (id: string, body: string): CorpusDocument => ({
    id,
    title: `The ${id} fair`,
    author: 'Jane Roe',
    publisher: 'Example News',
    published: '2020-01-02',
    url: `https://example.com/${id}`,
    file: `${id}.md`,
    body,
    bodyLine: 8,
    hash: '0'.repeat(64),
  });
  const index = buildSearchIndex([
    document(
      'harbour',
      'The harbour fair drew visitors from across the county to the old quay.\n\nThe harbour fair opened its gates to crowds who praised the harbour fair for its food. It first did so in 1998.',
    ),
  ]);

  it('quotes the sentence that gives the kind asked for', () => {
    const answer = answerQuestion(index, 'When did the harbour fair open?');
    expect(answer.answered).toBe(true);
    const [best] = answer.results;
    expect(best!.quote.slice(...best!.quoteHighlight!)).toContain('1998');
  });

  it('offers the closest passages to the asker alone when no quote gives the kind asked for', () => {
    const answer = answerQuestion(index, 'How many visitors did the harbour fair draw?');
    expect(answer).toMatchObject({ answered: false, reason: 'not-sure' });
    expect(answer.related.length).toBeGreaterThan(0);
    // Asked without a kind, the same passage answers.
    expect(answerQuestion(index, 'Where did the harbour fair draw visitors from?').answered).toBe(true);
  });
});
