import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeWithSurfaces, normalizeText, tokenize, toTerm } from '../../src/text/analyze.js';
import { boundedSegments, SEGMENT_WINDOW_CHARS, splitAtWords, splitSentences, truncateAtWord } from '../../src/text/sentences.js';

/** A UTF-16 surrogate without its partner. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('normalizeText', () => {
  it('applies NFKC: full-width letters and digits, ligatures, NBSP', () => {
    expect(normalizeText('Ｍｉｃｒｏｓｏｆｔ ２０１５')).toBe('Microsoft 2015');
    expect(normalizeText('ﬁnance')).toBe('finance');
    expect(normalizeText('cloud\u00a0services')).toBe('cloud services');
  });

  it('folds typographic apostrophes and quotes to ASCII', () => {
    expect(normalizeText('Microsoft’s ‘localized’ “Windows”')).toBe(`Microsoft's 'localized' "Windows"`);
  });

  it('turns control characters, zero-width spaces and lone surrogates into spaces', () => {
    const normalized = normalizeText('a\u0000b\u0007c\u200bd\ud800e\udc00f');
    expect(normalized).toBe('a b c d e f');
    expect(normalizeText('emoji 😀 stays')).toBe('emoji 😀 stays');
  });
});

describe('tokenize', () => {
  it('splits on whitespace, NBSP and punctuation', () => {
    expect(tokenize('Hello,\u00a0world! state-backed (2015)')).toEqual(['Hello', 'world', 'state', 'backed', '2015']);
    expect(tokenize('  ...  ')).toEqual([]);
  });

  it('segments Chinese text into words', () => {
    const tokens = tokenize('微软与百度合作');
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens).toContain('百度');
    expect(tokens.join('')).toBe('微软与百度合作');
  });
});

describe('analyze', () => {
  it('case-folds and treats full-width letters like ASCII', () => {
    expect(analyze('BAIDU')).toEqual(['baidu']);
    expect(analyze('Ｂａｉｄｕ')).toEqual(analyze('baidu'));
  });

  it('gives the same terms for typographic and ASCII apostrophes', () => {
    expect(analyze('Microsoft’s partner')).toEqual(analyze("Microsoft's partner"));
    expect(analyze("Microsoft's partner")).toEqual(['microsoft', 'partner']);
  });

  it('treats NBSP as a word separator', () => {
    expect(analyze('cloud\u00a0services')).toEqual(analyze('cloud services'));
    expect(analyze('cloud\u00a0services')).toHaveLength(2);
  });

  it('removes stop words, including question words, and single letters', () => {
    expect(analyze('what is it?')).toEqual([]);
    expect(analyze('Tell me: what does the article say about it?')).toEqual([]);
    expect(analyze('a b c')).toEqual([]);
    expect(analyze('What is the capital of France?')).toEqual(['capit', 'franc']);
  });

  it('stems with Porter2, so inflections meet, without over-stemming "news"', () => {
    expect(analyze('partnerships')).toEqual(analyze('partnership'));
    expect(analyze('companies')).toEqual(analyze('company'));
    expect(analyze('announced')).toEqual(analyze('announce'));
    expect(analyze('news')).toEqual(['news']);
    expect(analyze('news')).not.toEqual(analyze('new'));
  });

  it('folds British -ise spellings to -ize', () => {
    expect(analyze('organised')).toEqual(analyze('organized'));
    expect(analyze('localised')).toEqual(analyze('localized'));
    expect(analyze('China-optimised')).toEqual(analyze('China-optimized'));
    expect(analyze('organisation')).toEqual(analyze('organization'));
    // Short words ending in "ise" are left alone.
    expect(toTerm('rise')).toBe('rise');
  });

  it('folds accents of Latin letters, so words typed without them meet the text', () => {
    expect(analyze('fiancee')).toEqual(analyze('fiancée'));
    expect(analyze('Fecamp Abbey')).toEqual(analyze('Fécamp Abbey'));
    expect(analyze('Jumieges')).toEqual(analyze('Jumie\u0300ges'));
    expect(analyze('Île-de-France')).toEqual(['ile', 'de', 'franc']);
    // Letters with no separable accent, and a capital whose lower case carries a mark.
    expect(analyze('Łódź Tromsø Kırıkkale')).toEqual(analyze('Lodz Tromso Kirikkale'));
    expect(analyze('İstanbul')).toEqual(['istanbul']);
    expect(analyze('café2')).toEqual(['cafe2']);
    // A word that folds to a stop word is one.
    expect(analyze('hé')).toEqual([]);
    // Other scripts keep their marks: a Devanagari vowel sign is part of the word.
    expect(toTerm('हिंदी')).toBe('हिंदी');
  });

  it('stems words up to 64 letters and keeps longer runs of letters as they are', () => {
    // The stemmer is quadratic in the word: a 1 MiB run of letters would take hours.
    expect(toTerm('Connections'.repeat(5))).toBe(`${'connections'.repeat(4)}connect`);
    expect(toTerm('Connections'.repeat(6))).toBe('connections'.repeat(6));
  });

  it('keeps numbers and mixed tokens as they are', () => {
    expect(analyze('21Vianet 40 percent in 2020')).toEqual(['21vianet', '40', 'percent', '2020']);
  });

  it('segments Chinese text into index terms', () => {
    const terms = analyze('微软与百度合作');
    expect(terms).toContain('百度');
    expect(terms).toContain('微软');
    expect(terms.length).toBeGreaterThanOrEqual(3);
  });

  it('never throws and never returns garbage for lone surrogates or control characters', () => {
    expect(analyze('\ud800Baidu\u0001Edge\udfff')).toEqual(['baidu', 'edg']);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        const terms = analyze(text);
        for (const term of terms) {
          expect(term).not.toBe('');
          expect(term).not.toMatch(LONE_SURROGATE);
          expect(term).not.toMatch(/[\p{Cc}\p{Cf}\s]/u);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('pairs each term with the surface word it came from', () => {
    expect(analyzeWithSurfaces('The Partnerships with Baidu')).toEqual([
      { term: 'partnership', surface: 'Partnerships' },
      { term: 'baidu', surface: 'Baidu' },
    ]);
  });
});

describe('splitSentences', () => {
  it('splits a paragraph into its sentences, which join back into it', () => {
    const paragraph =
      'The handful of partnerships are the latest in a line by U.S. tech companies. With the complex conditions, partnerships are a way in! Is that so? Yes.';
    const sentences = splitSentences(paragraph);
    expect(sentences).toEqual([
      'The handful of partnerships are the latest in a line by U.S. tech companies.',
      'With the complex conditions, partnerships are a way in!',
      'Is that so?',
      'Yes.',
    ]);
    expect(sentences.join(' ')).toBe(paragraph);
  });

  it('returns nothing for blank text and one sentence for text without a full stop', () => {
    expect(splitSentences('   ')).toEqual([]);
    expect(splitSentences('no full stop here')).toEqual(['no full stop here']);
  });
});

describe('boundedSegments', () => {
  const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
  const segmentsOf = (segments: Iterable<{ segment: string }>) => [...segments].map(({ segment }) => segment);
  // The bundled article's paragraphs run together, with abbreviations and numbers mixed in: a
  // long paragraph of ordinary sentences.
  const article = readFileSync(new URL('../../corpus/microsoft-china-partnerships.md', import.meta.url), 'utf8').split('\n---\n')[1]!;
  const longParagraph = Array.from(
    { length: 8 },
    (_, index) => `${article.replace(/\s+/g, ' ')} Mr. Smith met Dr. Jones in the U.S. on Jan. ${index}, e.g. at 5 p.m. and etc. 5 more. `,
  ).join('');

  it('segments a long paragraph of ordinary sentences exactly as one call would', () => {
    expect(longParagraph.length).toBeGreaterThan(SEGMENT_WINDOW_CHARS * 4);
    const whole = segmentsOf(sentenceSegmenter.segment(longParagraph));
    expect(segmentsOf(boundedSegments(sentenceSegmenter, longParagraph))).toEqual(whole);
    expect(segmentsOf(boundedSegments(sentenceSegmenter, longParagraph, 1024))).toEqual(whole);
  });

  it('keeps a boundary that depends on the text after it the same wherever a window ends', () => {
    // After "etc. " the rules look ahead: a lower-case word after the number means no boundary.
    const text = 'The list goes on, etc. 5 more were found. Dr. Who met Mr. Smith in the U.S. today. '.repeat(30);
    const whole = segmentsOf(sentenceSegmenter.segment(text));
    for (let windowChars = 200; windowChars < 290; windowChars += 1) {
      expect(segmentsOf(boundedSegments(sentenceSegmenter, text, windowChars))).toEqual(whole);
    }
  });

  it('segments a long run of Chinese into the same words as one call would', () => {
    const wordSegmenter = new Intl.Segmenter('zh', { granularity: 'word' });
    const chinese = '微软与中国电子科技集团合作开发本地化版本的操作系统我们今天去北京大学学习中文'.repeat(40);
    expect(segmentsOf(boundedSegments(wordSegmenter, chinese, 256))).toEqual(segmentsOf(wordSegmenter.segment(chinese)));
  });

  it('cuts a sentence longer than three quarters of a window between words, losing nothing', () => {
    const words = 'one two three four five six seven eight nine ten '.repeat(30);
    const pieces = segmentsOf(boundedSegments(sentenceSegmenter, words, 256));
    expect(pieces.join('')).toBe(words);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(192);
    let end = 0;
    for (const piece of pieces.slice(0, -1)) expect(words.charAt((end += piece.length))).toMatch(/\s/);
  });

  it('cuts text without spaces anywhere but between the halves of a surrogate pair', () => {
    const emoji = `x${'😀'.repeat(500)}`;
    const pieces = segmentsOf(boundedSegments(sentenceSegmenter, emoji, 100));
    expect(pieces.join('')).toBe(emoji);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(75);
      expect(piece).not.toMatch(LONE_SURROGATE);
    }
  });
});

describe('truncateAtWord', () => {
  const text = 'Microsoft has also revealed this week that they have struck a partnership with Baidu';

  it('returns text within the limit unchanged', () => {
    expect(truncateAtWord(text, text.length)).toBe(text);
    expect(truncateAtWord('', 5)).toBe('');
  });

  it('cuts between words, within the limit, ending with "…"', () => {
    for (let limit = 10; limit < text.length; limit += 3) {
      const cut = truncateAtWord(text, limit);
      expect(cut.length).toBeLessThanOrEqual(limit);
      expect(cut.endsWith('…')).toBe(true);
      const kept = cut.slice(0, -1);
      expect(text.startsWith(kept)).toBe(true);
      expect(text[kept.length]).toBe(' '); // the cut falls on a space: no word is cut
      expect(kept).toBe(kept.trimEnd());
    }
    expect(truncateAtWord(text, 20)).toBe('Microsoft has also…');
  });

  it('holds for any text of words', () => {
    const words = fc.array(fc.stringMatching(/^[a-zé’]{1,12}$/), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(words, fc.integer({ min: 14, max: 200 }), (list, limit) => {
        const original = list.join(' ');
        const cut = truncateAtWord(original, limit);
        expect(cut.length).toBeLessThanOrEqual(limit);
        if (original.length <= limit) {
          expect(cut).toBe(original);
        } else {
          expect(cut.endsWith('…')).toBe(true);
          const kept = cut.slice(0, -1).split(' ');
          expect(kept).toEqual(list.slice(0, kept.length));
        }
      }),
    );
  });

  it('never splits a surrogate pair, even inside a word longer than the limit', () => {
    const cut = truncateAtWord('😀'.repeat(10), 6);
    expect(cut.length).toBeLessThanOrEqual(6);
    expect(cut).toMatch(/^(😀)+…$/u);
    expect(cut).not.toMatch(LONE_SURROGATE);
  });
});

describe('splitAtWords', () => {
  it('splits into pieces within the limit, between words', () => {
    expect(splitAtWords('aaa bbb ccc ddd', 7)).toEqual(['aaa bbb', 'ccc ddd']);
    expect(splitAtWords('aaa bbb ccc ddd', 8)).toEqual(['aaa bbb', 'ccc ddd']);
    expect(splitAtWords('aaa bbb ccc ddd', 11)).toEqual(['aaa bbb ccc', 'ddd']);
    expect(splitAtWords('short', 10)).toEqual(['short']);
    expect(splitAtWords('', 10)).toEqual([]);
  });

  it('cuts a word longer than the limit only as a last resort', () => {
    expect(splitAtWords('abcdefghij klm', 4)).toEqual(['abcd', 'efgh', 'ij', 'klm']);
  });

  it('loses nothing but the spaces it cuts at', () => {
    const words = fc.array(fc.stringMatching(/^[A-Za-z0-9.,’-]{1,15}$/), { minLength: 1, maxLength: 80 });
    fc.assert(
      fc.property(words, fc.integer({ min: 15, max: 300 }), (list, limit) => {
        const original = list.join(' ');
        const pieces = splitAtWords(original, limit);
        for (const piece of pieces) {
          expect(piece.length).toBeLessThanOrEqual(limit);
          expect(piece).toBe(piece.trim());
          expect(piece).not.toBe('');
        }
        expect(pieces.join(' ')).toBe(original);
        expect(pieces.flatMap((piece) => piece.split(' '))).toEqual(list);
      }),
    );
  });
});
