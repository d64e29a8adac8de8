/**
 * Property-based tests (fast-check): whatever members type — any Unicode, lone surrogates,
 * emoji, RTL and combining marks, NUL, Markdown, mentions, regex metacharacters — the engine
 * never throws and stays within its limits, and every message the bot builds is one Discord
 * accepts (checked against Discord's OpenAPI description) and pings no one.
 */
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIEmbed } from 'discord.js';
import { answerQuestion, type Answer, type AnswerResult } from '../../src/answers/answerQuestion.js';
import { searchPassages } from '../../src/answers/searchPassages.js';
import { MAX_QUOTE_CHARS } from '../../src/answers/selectQuote.js';
import { MAX_QUESTION_CHARS, validateQuestion } from '../../src/answers/validateQuestion.js';
import { answerReply } from '../../src/app/commands/ask.js';
import type { CommandContext } from '../../src/app/commands/types.js';
import {
  formatAboutLine,
  formatAbstention,
  formatAnswerComponents,
  formatAnswerEmbed,
  formatPassageChoice,
  formatPassageList,
  formatQuestionLine,
  formatSourcesEmbed,
} from '../../src/app/messages.js';
import { createLogger } from '../../src/runtime/logger.js';
import type { QuestionOutcome } from '../../src/app/feedbackLog.js';
import { LIMITS, buildMessage, embedLength, escapeUserText, unescapeUserText, type MessagePayload, type ReplyInput } from '../../src/app/responses.js';
import { BIDI_CONTROLS } from '../../src/text/controls.js';
import { parseCorpusFile } from '../../src/corpus/parseCorpusFile.js';
import type { CorpusDocument } from '../../src/corpus/types.js';
import { buildSearchIndex, type SearchIndex } from '../../src/index/buildSearchIndex.js';
import { Library } from '../../src/library/Library.js';
import { Engine } from '../../src/engine/Engine.js';
import { splitIntoPassages } from '../../src/passages/splitIntoPassages.js';
import { repoRoot, validateDiscordRequest } from '../support/discordSpec.js';
import { SPOOFING, shownLines } from '../support/shownText.js';
import { testConfig } from '../support/testConfig.js';

// ---------------------------------------------------------------------------------------
// Arbitrary text
// ---------------------------------------------------------------------------------------

const MAX_TEXT = 6000;

/** Pieces that have broken chat bots before. */
const HOSTILE = [
  '**',
  '__',
  '*',
  '_',
  '`',
  '```',
  '~~',
  '||',
  '> ',
  '>>> ',
  '# ',
  '- ',
  '1. ',
  '\\',
  '[link](https://evil.example)',
  '@everyone',
  '@here',
  '<@123456789012345678>',
  '<@!123456789012345678>',
  '<@&123456789012345678>',
  '<#123456789012345678>',
  '</ask:123456789012345678>',
  '@\u200beveryone',
  '.*+?^${}()|[]\\',
  '(?:',
  '\\1',
  '$&',
  '$1',
  '\0',
  '\u0001',
  '\u007f',
  '\t',
  '\r\n',
  '\n\n',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\u00ad',
  '\ufeff',
  '\u2028',
  '\u202e',
  '\u2066',
  'שלום עולם',
  'مرحبا بالعالم',
  'e\u0301',
  'a\u0308\u0323\u0301',
  'Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319',
  '👍',
  '👍🏽',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '🇨🇳',
  '\ud83d',
  '\ude00',
  '\udfff\ud800',
  'ﬁ',
  '１２３',
  'Ａｓｋ',
  '中文搜索引擎',
  '微软',
  'カタカナ',
  'ไทย',
  'Ὀδυσσεύς',
  'Baidu',
  'Microsoft',
  'Edge',
  'Ubuntu Kylin',
  'Tsinghua',
  'https://example.com/a_b*c',
  'http://x.y/?q=<@1>',
  'What',
  'who',
  'the',
  ' ',
  ' ',
  '?',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

const piece = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: loneSurrogate },
);

const mixed = fc.array(piece, { maxLength: 1500, size: 'max' }).map((pieces) => pieces.join('').slice(0, MAX_TEXT));

/** Strings up to 6000 UTF-16 units, of every kind. */
const text = fc.oneof(
  fc.string({ maxLength: MAX_TEXT, size: 'max' }),
  fc.string({ unit: 'binary', maxLength: MAX_TEXT, size: 'max' }).map((s) => s.slice(0, MAX_TEXT)),
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  fc.string({ unit: fc.oneof(fc.constantFrom(...HOSTILE), loneSurrogate), maxLength: 60 }),
  mixed,
  fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join('')),
  fc
    .tuple(
      fc.array(piece, { maxLength: 5 }),
      fc.constantFrom('Which search engine will Edge use in China?', 'What is Ubuntu Kylin?', 'Who wrote it?', 'Tsingh'),
      fc.array(piece, { maxLength: 5 }),
    )
    .map(([before, question, after]) => `${before.join('')}${question}${after.join('')}`),
);

/** Short text, for titles and field names. */
const shortText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join('')),
);
const nonBlank = (arbitrary: fc.Arbitrary<string>) => arbitrary.filter((s) => s.trim() !== '');

// ---------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------

/** A mention Discord would render as a pill (and, without allowed_mentions, ping). */
const RAW_MENTION = /@everyone|@here|<@[!&]?\d+>|<#\d+>/;

/** The interaction-callback form of a built payload, as the responder sends it. */
function callbackBody(message: MessagePayload): unknown {
  return { type: 4, data: message };
}

/** Problems Discord (as described by its OpenAPI document, plus its documented limits) would have with `message`. */
function discordProblems(message: MessagePayload): string[] {
  const problems = validateDiscordRequest('POST', '/interactions/123456789012345678/aW50ZXJhY3Rpb24tdG9rZW4/callback', callbackBody(message));
  const { content, embeds } = message;
  if (content !== undefined && content.length > LIMITS.content) problems.push(`content has ${content.length} UTF-16 units`);
  if (embeds.length > LIMITS.embeds) problems.push(`${embeds.length} embeds`);
  const total = embeds.reduce((sum, embed) => sum + embedLength(embed), 0);
  if (total > LIMITS.embedTotal) problems.push(`embeds total ${total}`);
  for (const embed of embeds) {
    if ((embed.title?.length ?? 0) > LIMITS.title) problems.push('title too long');
    if ((embed.description?.length ?? 0) > LIMITS.description) problems.push('description too long');
    if ((embed.footer?.text.length ?? 0) > LIMITS.footer) problems.push('footer too long');
    if ((embed.author?.name.length ?? 0) > LIMITS.author) problems.push('author too long');
    if ((embed.fields?.length ?? 0) > LIMITS.fields) problems.push('too many fields');
    for (const field of embed.fields ?? []) {
      if (field.name.length > LIMITS.fieldName || field.value.length > LIMITS.fieldValue) problems.push('field too long');
    }
  }
  if (JSON.stringify(message.allowed_mentions) !== JSON.stringify({ parse: [] })) problems.push(`allowed_mentions ${JSON.stringify(message.allowed_mentions)}`);
  return problems;
}

function expectDiscordAccepts(message: MessagePayload): void {
  expect(discordProblems(message), JSON.stringify(message).slice(0, 2000)).toEqual([]);
}

/** The text a member sees from user input: content and embed descriptions. */
function visibleText(message: MessagePayload): string {
  return [message.content ?? '', ...message.embeds.map((embed) => `${embed.title ?? ''}\n${embed.description ?? ''}`)].join('\n');
}

const quoteCore = (quote: string) => quote.replace(/^… /, '').replace(/ …$/, '');

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

let library: Library;
/** The same corpus as the bot serves it, in an engine worker. */
let engine: Engine;
afterAll(() => engine.close());
let index: SearchIndex;
let context: CommandContext;
/** What answerReply gave the feedback log. */
const recordedOutcomes: QuestionOutcome[] = [];

beforeAll(async () => {
  library = (await Library.open({ dir: path.join(repoRoot, 'corpus') })).library!;
  index = library.index;
  engine = new Engine({ dir: path.join(repoRoot, 'corpus'), logger: createLogger(testConfig()) });
  await engine.ready;
  const config = testConfig();
  context = {
    engine: engine.view(undefined),
    config,
    logger: createLogger(config),
    // answerReply never changes the corpus.
    corpus: {} as CommandContext['corpus'],
    feeds: {} as CommandContext['feeds'],
    feedback: {
      recordQuestion: (outcome) => recordedOutcomes.push(outcome),
      recordVote: () => true,
      summary: () => Promise.reject(new Error('unused')),
      flush: () => Promise.resolve(),
    },
    isModerator: () => false,
  };
});

/**
 * A fixed seed: some properties also count how many inputs reached each branch (answered,
 * trimmed, refused…) to prove the generators exercise them, and a random draw does so only
 * most of the time. A failure still prints its counterexample.
 */
const RUNS = { numRuns: 250, seed: 20261123 };

// ---------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------

describe('the engine, on any input', () => {
  it('validateQuestion never throws, and accepts only trimmed, bounded, control-free text with a word', () => {
    fc.assert(
      fc.property(text, (input) => {
        const check = validateQuestion(input);
        if (check.ok) {
          expect(check.question).toBe(input.trim());
          expect(check.question.length).toBeLessThanOrEqual(MAX_QUESTION_CHARS);
          expect(check.question).not.toMatch(/[\0-\x08\x0E-\x1F\x7F]/);
          expect(check.question).toMatch(/[\p{L}\p{N}]/u);
        } else {
          expect(check.message.length).toBeGreaterThan(0);
          expect(check.message.length).toBeLessThan(200);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('answerQuestion never throws; results are few, ranked, and quote their passages verbatim within 500 characters', () => {
    let answered = 0;
    fc.assert(
      fc.property(text, fc.option(fc.integer({ min: -3, max: 12 }), { nil: undefined }), (question, top) => {
        const answer = answerQuestion(index, question, { top });
        expect(answer.question).toBe(question);
        expect(answer.answered).toBe(answer.results.length > 0);
        expect(answer.results.length).toBeLessThanOrEqual(Math.max(1, top ?? 3));
        expect(answer.didYouMean.length).toBeLessThanOrEqual(3);
        expect(answer.related.length).toBeLessThanOrEqual(1);
        if (!answer.answered) expect(['no-terms', 'no-match', 'weak-match', 'not-sure']).toContain(answer.reason);
        const ids = new Set<string>();
        for (const [position, result] of answer.results.entries()) {
          expect(ids.has(result.id)).toBe(false);
          ids.add(result.id);
          if (position > 0) expect(result.score).toBeLessThanOrEqual(answer.results[position - 1]!.score);
          expect(result.coverage).toBeGreaterThanOrEqual(0.4);
          expect(result.coverage).toBeLessThanOrEqual(1 + 1e-9);
          expect(result.passage.documentId).toBe(result.document.id);
          expect(index.passagesById.get(result.id)).toBe(result.passage);
          expect(result.quote.length).toBeLessThanOrEqual(MAX_QUOTE_CHARS);
          expect(result.passage.text).toContain(quoteCore(result.quote));
          if (!result.quoteTrimmed) expect(result.quote).toBe(result.passage.text);
          if (result.quoteHighlight) {
            const [start, end] = result.quoteHighlight;
            expect(0 <= start && start < end && end <= result.quote.length).toBe(true);
            expect(result.passage.text).toContain(result.quote.slice(start, end));
          }
          expect(result.link.startsWith(`${result.document.url.replace(/#.*$/, '')}#:~:text=`)).toBe(true);
        }
        if (answer.answered) answered++;
      }),
      RUNS,
    );
    expect(answered).toBeGreaterThan(10);
  });

  it('searchPassages never throws and returns at most `limit` distinct, ranked passages', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 30 }), fc.boolean(), (query, limit, partial) => {
        const hits = searchPassages(index, query, { limit, partial });
        expect(hits.length).toBeLessThanOrEqual(limit);
        expect(new Set(hits.map((hit) => hit.passage.id)).size).toBe(hits.length);
        for (const [position, hit] of hits.entries()) {
          expect(hit.document.id).toBe(hit.passage.documentId);
          if (position > 0) expect(hit.score).toBeLessThanOrEqual(hits[position - 1]!.score);
        }
      }),
      RUNS,
    );
  });

  it('quotes of long paragraphs stay within 500 characters and are cut verbatim from the passage', () => {
    // Paragraphs up to ~8,000 characters: sentences of plain words, some too long to quote whole.
    const word = fc.oneof(
      fc.constantFrom('harbour', 'keeper', 'retired', 'years', 'lighthouse', 'the', 'a', 'forty', 'Mr.', 'U.S.', '3.5', 'e.g.', '“quoted”', '—'),
      fc.stringMatching(/^[A-Za-z]{1,12}$/),
    );
    // Sentences end with a plain word and a space after their punctuation (see the next test for text without).
    const sentence = fc
      .tuple(fc.array(word, { maxLength: 120, size: 'max' }), fc.stringMatching(/^[a-z]{1,8}$/), fc.constantFrom('.', '?', '!', '', '…', '."'))
      .map(([words, last, end]) => `${[...words, last].join(' ')}${end}`);
    const paragraph = fc.array(sentence, { minLength: 1, maxLength: 12, size: 'max' }).map((sentences) => sentences.join(' '));
    let trimmed = 0;
    let split = 0;
    fc.assert(
      fc.property(paragraph, fc.array(word, { minLength: 1, maxLength: 6 }), (body, questionWords) => {
        const document: CorpusDocument = {
          id: 'doc',
          file: 'doc.md',
          body,
          bodyLine: 8,
          hash: 'x',
          title: 'T',
          author: 'A',
          publisher: 'P',
          published: '2020-01-01',
          url: 'https://example.com/doc',
        };
        const passages = splitIntoPassages(document);
        for (const passage of passages) {
          expect(passage.text.length).toBeLessThanOrEqual(1000);
          expect(body).toContain(passage.text);
        }
        for (const result of answerQuestion(buildSearchIndex([document]), questionWords.join(' '), { top: 4 }).results) {
          expect(result.quote.length).toBeLessThanOrEqual(MAX_QUOTE_CHARS);
          expect(result.passage.text).toContain(quoteCore(result.quote));
          expect(result.quoteTrimmed).toBe(result.quote !== result.passage.text);
          if (result.quoteTrimmed) trimmed++;
        }
        if (passages.length > 1) split++;
      }),
      { numRuns: 100 },
    );
    // The runs did exercise trimming and splitting.
    expect(trimmed).toBeGreaterThan(10);
    expect(split).toBeGreaterThan(10);
  });

  it('a trimmed quote keeps the text as written where a sentence ends without a space ("2020.The")', () => {
    // Found by a property over arbitrary Unicode paragraphs: Intl.Segmenter ends a sentence at
    // "2020." even without a space after it, and selectQuote rejoins sentences with " ".
    const filler = (n: number) =>
      Array.from({ length: n }, (_, i) => `Sentence ${i + 1} is about the weather, the tides and the fishing fleet in general terms.`).join(' ');
    const body = `${filler(4)} The harbour authority confirmed the keeper retired in 2020.The lighthouse was then automated by the coastal agency. ${filler(4)}`;
    const document: CorpusDocument = {
      id: 'coast',
      file: 'coast.md',
      body,
      bodyLine: 8,
      hash: 'x',
      title: 'Coastal news',
      author: 'A',
      publisher: 'P',
      published: '2020-01-01',
      url: 'https://example.com/coast',
    };
    const [best] = answerQuestion(buildSearchIndex([document]), 'When did the keeper retire and was the lighthouse automated?').results;
    expect(best!.quoteTrimmed).toBe(true);
    expect(best!.quote).toContain('retired in 2020.');
    expect(best!.quote).toContain('retired in 2020.The lighthouse');
    expect(body).toContain(quoteCore(best!.quote));
  });
});

// ---------------------------------------------------------------------------------------
// The response builder
// ---------------------------------------------------------------------------------------

const embedArbitrary: fc.Arbitrary<APIEmbed> = fc.record(
  {
    title: shortText,
    description: text,
    color: fc.integer({ min: 0, max: 0xffffff }),
    footer: fc.record({ text: nonBlank(fc.oneof(shortText, text)) }),
    author: fc.record({ name: nonBlank(shortText) }),
    fields: fc.array(fc.record({ name: nonBlank(shortText), value: nonBlank(fc.oneof(shortText, text)), inline: fc.boolean() }), { maxLength: 30 }),
  },
  { requiredKeys: ['title'] },
);

const replyInput: fc.Arbitrary<ReplyInput> = fc.record(
  {
    content: text,
    embeds: fc.array(embedArbitrary, { maxLength: 12 }),
    ephemeral: fc.boolean(),
  },
  { requiredKeys: [] },
);

describe('the response builder, on any input', () => {
  it('escapeUserText never leaves a raw @everyone, @here, or user, role or channel mention', () => {
    fc.assert(
      fc.property(text, (input) => {
        const escaped = escapeUserText(input);
        expect(escaped).not.toMatch(RAW_MENTION);
      }),
      { numRuns: 150 },
    );
  });

  it('escapeUserText leaves no Markdown character unescaped outside the links it wraps, and unescapeUserText undoes it', () => {
    fc.assert(
      fc.property(text, (input) => {
        const escaped = escapeUserText(input);
        const outsideLinks = escaped.replace(/<https?:\/\/[^\s<>]+>/g, ' ');
        // Each Markdown character follows an odd run of backslashes: it is escaped, not markup.
        for (const match of outsideLinks.matchAll(/(\\*)[*_~`|[\]()<>]/g))
          expect(match[1]!.length % 2, `${JSON.stringify(input)} → ${JSON.stringify(escaped)}`).toBe(1);
        expect(escaped.replace(/<https?:\/\/[^\s<>]+>/g, '')).not.toMatch(/^[ \t]*\d*[#+.-]/m);
        // Bidirectional controls are dropped, not escaped: they are invisible anyway.
        if (!/[@<]\u200b|%2A/i.test(input)) expect(unescapeUserText(escaped)).toBe(input.replace(BIDI_CONTROLS, ''));
      }),
      { numRuns: 300 },
    );
  });

  it('formatQuestionLine echoes any question safely, in a message Discord accepts', () => {
    fc.assert(
      fc.property(text, (question) => {
        const line = formatQuestionLine(question);
        expect(line.startsWith('**Q:** ')).toBe(true);
        expect(line).not.toMatch(RAW_MENTION);
        const message = buildMessage({ content: line });
        expect(message.content).not.toMatch(RAW_MENTION);
        expectDiscordAccepts(message);
      }),
      RUNS,
    );
  });

  it('buildMessage keeps any input within every Discord limit, with mentions disabled', () => {
    fc.assert(
      fc.property(replyInput, (input) => {
        const message = buildMessage(input);
        expect(message.allowed_mentions).toEqual({ parse: [] });
        expect((message.flags ?? 0) !== 0).toBe(input.ephemeral === true);
        // Discord's own limits; "Cannot send an empty message" is checked separately below.
        const problems = discordProblems(message).filter((problem) => !problem.includes('Cannot send an empty message'));
        expect(problems, JSON.stringify(input).slice(0, 1000)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('buildMessage never turns a non-empty reply into an empty message', () => {
    // A reply with something to show must still show something after fitting it to the limits.
    fc.assert(
      fc.property(replyInput, (input) => {
        fc.pre((input.content ?? '').trim() !== '' || (input.embeds ?? []).length > 0);
        const message = buildMessage(input);
        expect((message.content ?? '').length > 0 || message.embeds.length > 0, JSON.stringify(input).slice(0, 1000)).toBe(true);
      }),
      // An embed made of fields (like /sources) over the 6,000 total, with no description to shorten.
      {
        numRuns: 200,
        examples: [[{ embeds: [{ title: 'Sources', fields: Array.from({ length: 25 }, (_, i) => ({ name: `Article ${i}`, value: 'v'.repeat(250) })) }] }]],
      },
    );
  });

  it('formatAbstention gives an embed Discord accepts, whatever the words and titles', () => {
    const answer: fc.Arbitrary<Answer> = fc.record({
      question: text,
      answered: fc.constant(false),
      reason: fc.constantFrom('no-terms' as const, 'no-match' as const, 'weak-match' as const, 'not-sure' as const),
      results: fc.constant([]),
      related: fc.constant([]),
      didYouMean: fc.array(shortText, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(answer, fc.array(text, { maxLength: 5 }), fc.nat(10_000), (abstention, shown, more) => {
        const embed = formatAbstention(abstention, { shown, total: shown.length + more });
        expect(embed.description ?? '').not.toMatch(RAW_MENTION);
        expectDiscordAccepts(buildMessage({ content: formatQuestionLine(abstention.question), embeds: [embed] }));
      }),
      RUNS,
    );
  });

  it('formatAnswerEmbed gives an embed Discord accepts for any quote, and shows no raw mention from it', () => {
    const [best] = answerQuestion(index, 'Which search engine will Edge use in China?').results;
    const result: fc.Arbitrary<AnswerResult> = fc
      .record({
        quote: nonBlank(text).map((quote) => quote.slice(0, MAX_QUOTE_CHARS)),
        title: nonBlank(shortText),
        author: nonBlank(shortText),
        cuts: fc.tuple(fc.nat(), fc.nat()),
      })
      .map(({ quote, title, author, cuts }) => {
        const [start, end] = cuts.map((cut) => cut % (quote.length + 1)).sort((a, b) => a - b) as [number, number];
        // Highlights are trimmed sentences: never empty, never starting or ending with a space.
        const trimmedStart = start + (quote.slice(start, end).length - quote.slice(start, end).trimStart().length);
        const trimmedEnd = trimmedStart + quote.slice(trimmedStart, end).trimEnd().length;
        const { quoteHighlight: _best, ...rest } = best!;
        return {
          ...rest,
          quote,
          ...(trimmedEnd > trimmedStart && { quoteHighlight: [trimmedStart, trimmedEnd] as [number, number] }),
          document: { ...best!.document, title, author },
        };
      });
    fc.assert(
      fc.property(result, fc.boolean(), (answer, isPrivate) => {
        const embed = formatAnswerEmbed(answer);
        expect(embed.description ?? '').not.toMatch(RAW_MENTION);
        // The quote's own "*" are all escaped (an escape reads as one plain character): the only Markdown stars are the bold markers.
        const stars = embed.description!.replace(/\\[\s\S]/g, 'x').match(/\*+/g) ?? [];
        expect(stars).toEqual(answer.quoteHighlight ? ['**', '**'] : []);
        expectDiscordAccepts(
          buildMessage({
            content: formatQuestionLine('q?'),
            embeds: [embed],
            components: formatAnswerComponents(answer, { morePassageRefs: ['a:1~abcdef', 'b:2~ABCDEF'], isPrivate }),
            ephemeral: isPrivate,
          }),
        );
      }),
      RUNS,
    );
  });
});

describe('/ask replies, on any input', () => {
  it('answerReply yields a message Discord accepts, private when refused or asked privately, that pings no one', async () => {
    // Most arbitrary text is over the 500-character limit: also try it cut to what /ask allows.
    const question = fc.oneof(
      text,
      text.map((s) => s.slice(0, 300)),
      text.map((s) => s.slice(0, 40)),
    );
    const outcomes = { refused: 0, answered: 0, abstained: 0 };
    await fc.assert(
      fc.asyncProperty(question, fc.boolean(), async (question, isPrivate) => {
        recordedOutcomes.length = 0;
        const reply = await answerReply(question, context, { isPrivate, guildId: '1150000000000000000' });
        const message = buildMessage(reply);
        expectDiscordAccepts(message);
        expect(message.content ?? '').not.toMatch(RAW_MENTION);
        expect(visibleText(message)).not.toMatch(/@everyone|@here|<@&\d+>/);
        const refused = !validateQuestion(question).ok;
        // An answer has 👍/👎; a decline may offer only *Follow up*.
        const voted = message.components.some((row) =>
          row.components.some((component) => 'custom_id' in component && component.custom_id.startsWith('ask:vote:')),
        );
        const outcome = refused ? 'refused' : voted ? 'answered' : 'abstained';
        // Only an answer is shown publicly, and only when asked publicly.
        expect(message.flags !== undefined).toBe(outcome !== 'answered' || isPrivate);
        if (refused) expect(message.embeds).toEqual([]);
        else expect(message.embeds).toHaveLength(1);
        expect(recordedOutcomes.map(({ answered }) => answered)).toEqual(refused ? [] : [outcome === 'answered']);
        outcomes[outcome]++;
      }),
      RUNS,
    );
    expect(outcomes.refused).toBeGreaterThan(10);
    expect(outcomes.answered).toBeGreaterThan(10);
    expect(outcomes.abstained).toBeGreaterThan(10);
  });
});

// ---------------------------------------------------------------------------------------
// Found by the properties above: kept failing until src/ is fixed (see the report).
// ---------------------------------------------------------------------------------------

describe('messages built from the corpus', () => {
  const bundled = () => library.documents[0]!;

  it('/sources lists as many of 30 articles as fit, says how many, in a message Discord accepts', () => {
    // 30 articles with the bundled article's title and author and a 150-character URL: all 25
    // fields would exceed the 6,000-character embed total.
    const documents = Array.from({ length: 30 }, (_, i) => ({ ...bundled(), id: `copy-${i}`, url: `${bundled().url}?utm_source=newsletter&utm_medium=email` }));
    const counts = new Map(documents.map((document) => [document.id, 10]));
    const embed = formatSourcesEmbed(documents, counts);
    expect(embedLength(embed)).toBeLessThanOrEqual(LIMITS.embedTotal);
    expect(embed.fields!.length).toBeGreaterThan(15);
    expect(embed.fields!.length).toBeLessThan(25);
    expect(embed.description).toContain(`Showing ${embed.fields!.length} of 30`);
    const message = buildMessage({ embeds: [embed] });
    expect(message.embeds[0]!.fields).toHaveLength(embed.fields!.length);
    expectDiscordAccepts(message);
  });

  it('shows any title, author and publisher without bidirectional or control characters, wherever it shows them', () => {
    const [best] = answerQuestion(index, 'Which search engine will Edge use in China?').results;
    fc.assert(
      fc.property(nonBlank(shortText), nonBlank(shortText), nonBlank(shortText), (title, author, publisher) => {
        const document = { ...best!.document, title, author, publisher };
        const result = { ...best!, document };
        const hit = { passage: best!.passage, document, score: 1 };
        const declined: Answer = { question: 'q', answered: false, reason: 'weak-match', results: [], related: [result], didYouMean: [] };
        const shown = [
          formatAnswerEmbed(result),
          formatSourcesEmbed([document], new Map([[document.id, 1]])),
          formatPassageList('Passages', [hit]),
          formatAbstention(declined, { shown: [], total: 0 }),
          formatAbstention({ ...declined, related: [] }, { shown: [title], total: 1 }),
          ...(['author', 'published', 'topic'] as const).map((intent) => formatAboutLine({ intent, document, passage: result })),
          formatPassageChoice(hit, true),
        ];
        for (const line of shownLines(shown)) expect(line).not.toMatch(SPOOFING);
      }),
      RUNS,
    );
  });

  it('an article whose URL the corpus checker accepts can be quoted in a message Discord accepts', () => {
    const pathChars = fc.constantFrom(...'abcxyz0189-_./?=& ');
    fc.assert(
      fc.property(fc.string({ unit: pathChars, minLength: 1, maxLength: 30 }), (urlPath) => {
        const url = `https://example.com/${urlPath}`;
        const file = `---\ntitle: Coastal news\nauthor: A. Writer\npublisher: Gazette\npublished: 2020-01-02\nurl: ${JSON.stringify(url)}\n---\n\nThe lighthouse keeper retired after forty years of service.\n`;
        const parsed = parseCorpusFile('coast.md', Buffer.from(file));
        fc.pre(parsed.document !== undefined);
        const [best] = answerQuestion(buildSearchIndex([parsed.document!]), 'When did the lighthouse keeper retire?').results;
        expect(best).toBeDefined();
        expectDiscordAccepts(
          buildMessage({ embeds: [formatAnswerEmbed(best!)], components: formatAnswerComponents(best!, { morePassageRefs: [], isPrivate: false }) }),
        );
      }),
      { numRuns: 200, examples: [['articles/2020/lighthouse keeper.html']] },
    );
  });
});
