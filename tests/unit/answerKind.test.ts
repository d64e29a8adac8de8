/**
 * Questions that ask for a time or a quantity: recognised from their first words, answered in
 * public only by a quote that gives one, with the sentence that gives it shown.
 */
import { describe, expect, it } from 'vitest';
import { answerAskedBy, givesAnswer, givesCount, sentenceGiving, type AnswerKind } from '../../src/answers/answerKind.js';
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import { buildSearchIndex } from '../../src/index/buildSearchIndex.js';
import { corpusDocument } from '../support/corpusDocument.js';

const kindOf = (question: string) => answerAskedBy(question)?.kind;
const asking = (kind: AnswerKind, ...named: string[]) => ({ kind, named: new Set(named), counted: [] });

describe('the kind of answer a question asks for', () => {
  it('is a time or a quantity when the question starts by asking for one, else none', () => {
    expect(kindOf('When did the fair open?')).toBe('time');
    expect(kindOf('so what year was it built')).toBe('time');
    expect(kindOf('and how many people came?')).toBe('quantity');
    expect(kindOf('How much did the city pay')).toBe('quantity');
    expect(kindOf('Who opened the fair?')).toBeUndefined();
    expect(kindOf('tell me when it opened')).toBe('time');
    // "when" after other words is a conjunction, not what is asked.
    expect(kindOf('who was mayor of the town when the fair opened')).toBeUndefined();
    expect(kindOf('what happens when the fair closes?')).toBeUndefined();
    expect(kindOf('')).toBeUndefined();
  });

  it('is given by a digit, or a word of its kind', () => {
    expect(givesAnswer(asking('time'), 'It opened in 1998.')).toBe(true);
    expect(givesAnswer(asking('time'), 'It opened in early March.')).toBe(true);
    expect(givesAnswer(asking('time'), 'It opened to great acclaim.')).toBe(false);
    expect(givesAnswer(asking('quantity'), 'Twelve thousand people came.')).toBe(true);
    expect(givesAnswer(asking('quantity'), 'Half the town came.')).toBe(true);
    expect(givesAnswer(asking('quantity'), 'The town came out in force.')).toBe(false);
    // A month is a time, not a quantity.
    expect(givesAnswer(asking('quantity'), 'It opened in March.')).toBe(false);
  });

  it('is not given by the numbers and words of its kind the question names itself', () => {
    expect(answerAskedBy('how much is windows 10')).toEqual(asking('quantity', '10'));
    expect(answerAskedBy('when did they meet in march?')).toEqual(asking('time', 'march'));
    expect(givesAnswer(asking('quantity', '10'), 'It runs Windows 10.')).toBe(false);
    expect(givesAnswer(asking('quantity', '10'), 'Windows 10 costs 120 dollars.')).toBe(true);
    expect(givesAnswer(asking('time', 'march'), 'They met in March.')).toBe(false);
    expect(givesAnswer(asking('time', 'march'), 'They met in March 2015.')).toBe(true);
  });

  it('for "how many", knows what is counted, and finds a number standing right before it', () => {
    const customers = answerAskedBy('so how many customers does the firm have?')!;
    expect(customers.counted).toEqual(['custom']);
    expect(givesCount(customers, 'The firm has 11 million customers as of 2015.')).toBe(true);
    expect(givesCount(customers, 'It added 400,000 new customers.')).toBe(true);
    // A number further off, across a comma or a joining word, counts something else.
    expect(givesCount(customers, 'Since 1 July 2007, and now customers pay less.')).toBe(false);
    expect(givesCount(customers, 'It has 40 shops and many customers.')).toBe(false);
    expect(givesCount(customers, 'Customers number in the millions.')).toBe(false);
    // Not a count: one of them, a vague quantity, a year.
    expect(givesCount(customers, 'One customer told reporters prices rose.')).toBe(false);
    expect(givesCount(customers, 'Several customers complained.')).toBe(false);
    expect(givesCount(customers, 'In 2019 customers complained.')).toBe(false);
    expect(givesCount(customers, 'Twelve thousand customers wrote in; 2.4m customers left.')).toBe(true);
    // What is counted ends the phrase: a word the question qualifies it with is not enough.
    const joined = answerAskedBy('how many new customers joined')!;
    expect(givesCount(joined, 'The firm opened 40 new shops.')).toBe(false);
    expect(givesCount(joined, 'It signed 300 new customers.')).toBe(true);
    expect(givesCount(answerAskedBy('how many people came')!, 'Some 30,000 people came to see it.')).toBe(true);
    // A number the question names, however it is written there.
    expect(givesCount(answerAskedBy('how many customers, out of 2,000, left')!, 'Of the 2,000 customers, 300 left.')).toBe(false);
    // Not asked for a count of something named: nothing to find.
    expect(givesCount(answerAskedBy('how much did it cost')!, 'It cost 11 million dollars.')).toBe(false);
    const sentences = ['The firm has customers everywhere, since 1990.', 'It is big, with 11 million customers.'];
    expect(sentenceGiving(customers, sentences, [0.9, 0.3], 0)).toBe(1);
    const figure = ['The number of customers grew to 11 million last year.', 'One customer said the price was too high.'];
    expect(sentenceGiving(customers, figure, [0.9, 0.5], 0)).toBe(0);
  });

  it('shows the best-scoring sentence that gives it, unless the preferred one does', () => {
    const sentences = ['The fair was a success.', 'It opened in 1998.', 'It closed in May.'];
    expect(sentenceGiving(asking('time'), sentences, [0.9, 0.2, 0.5], 0)).toBe(2);
    expect(sentenceGiving(asking('time'), sentences, [0.9, 0.2, 0.5], 1)).toBe(1);
    expect(sentenceGiving(asking('time', 'may'), sentences, [0.9, 0.2, 0.5], 0)).toBe(1);
    expect(sentenceGiving(asking('quantity'), ['None here.', 'Nor here.'], [0.9, 0.5], 0)).toBe(0);
    expect(sentenceGiving(undefined, sentences, [0.9, 0.2, 0.5], 0)).toBe(0);
  });
});

describe('answers to questions of a kind', () => {
  const document = (id: string, body: string) => corpusDocument(id, body, { title: `The ${id} fair` });
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

  it('puts first the result that counts what "how many" asks about, over one with another number', () => {
    const shops = buildSearchIndex([
      document('rules', 'The shop customers rules changed on 1 July 2007: shop customers now pay less, and shop customers who join get more.'),
      document('size', 'The shop is large, and serves 12,000 customers.'),
    ]);
    const answer = answerQuestion(shops, 'How many shop customers are there?');
    expect(answer.answered).toBe(true);
    expect(answer.results.map((result) => result.document.id)).toEqual(['size', 'rules']);
    // Without a count asked for, the passage that names them most goes first.
    expect(answerQuestion(shops, 'What about shop customers?').results[0]!.document.id).toBe('rules');
  });
});
