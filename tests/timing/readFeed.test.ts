/**
 * Reading a feed takes time linear in its size, whatever it holds: many items, and the shapes that
 * make XML parsers slow (attributes by the thousand, ampersands that start no entity, deep nesting,
 * runs of CDATA sections and comments): fitted log-log slopes of about 1, not 2
 * (tests/support/complexity.ts), and a few seconds a MiB at most. A fetch keeps 10 MiB; the worker
 * that reads a feed stops it at its time limit whatever it holds.
 */
import { describe, expect, it } from 'vitest';
import { wordCount } from '../../src/app/feeds/feeds.js';
import { readFeed } from '../../src/ingest/readFeed.js';
import { cpuMilliseconds, MAX_LINEAR_SLOPE, measureScaling } from '../support/complexity.js';
import { numberedItems, rssFeed } from '../support/feedFiles.js';

const KiB = 1024;
const encoder = new TextEncoder();
const read = (bytes: Uint8Array) => readFeed(bytes, { url: 'https://news.example/feed.xml', maxItems: 20 });

/** An RSS feed whose channel holds `body` after its title, made about `chars` long by repeating `unit`. */
const channelOf = (unit: string, chars: number) =>
  encoder.encode(
    `<rss version="2.0"><channel><title>x</title><item><title>t</title><description>${unit.repeat(Math.ceil(chars / unit.length))}</description></item></channel></rss>`,
  );

const HOSTILE: Record<string, (chars: number) => Uint8Array> = {
  'an element with thousands of attributes': (chars) => {
    const attributes = Array.from({ length: Math.ceil(chars / 12) }, (_, i) => `a${i}="v"`).join(' ');
    return encoder.encode(`<rss version="2.0"><channel><title ${attributes}>x</title></channel></rss>`);
  },
  'ampersands that start no entity': (chars) => channelOf('&a', chars),
  'entities by the thousand': (chars) => channelOf('&amp;&lt;&#x41;', chars),
  'CDATA sections by the thousand': (chars) => channelOf('<![CDATA[a]]>', chars),
  'comments by the thousand': (chars) => channelOf('<!--a-->b', chars),
  'deeply nested elements': (chars) => {
    const depth = Math.ceil(chars / 7);
    return encoder.encode(
      `<rss version="2.0"><channel><title>x</title><item><description>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</description></item></channel></rss>`,
    );
  },
};

const sizes = (from: number, count: number) => Array.from({ length: count }, (_, i) => from * 2 ** i);

describe('reading a feed takes linear time', () => {
  it('in the number of its items', () => {
    const scaling = measureScaling(read, (count) => encoder.encode(rssFeed(numberedItems(count))), {
      sizes: sizes(500, 4),
      rounds: 3,
      maxRunMilliseconds: 5_000,
    });
    expect(scaling.slope, scaling.summary).toBeLessThan(MAX_LINEAR_SLOPE);
  });

  for (const [name, make] of Object.entries(HOSTILE)) {
    it(`in its size, for ${name}`, () => {
      const scaling = measureScaling(read, make, { sizes: sizes(64 * KiB, 4), rounds: 3, maxRunMilliseconds: 5_000 });
      expect(scaling.slope, scaling.summary).toBeLessThan(MAX_LINEAR_SLOPE);
    });
  }

  it('reads 1 MiB of any of them within 3 s of CPU (thousands of attributes, the slowest, about 1 s)', () => {
    for (const [name, make] of Object.entries(HOSTILE)) {
      const bytes = make(1024 * KiB);
      expect(
        cpuMilliseconds(() => read(bytes)),
        name,
      ).toBeLessThan(3_000);
    }
  });
});

describe('weighing an item’s content (is it the whole article?) takes linear time', () => {
  const contents: Record<string, (chars: number) => string> = {
    'a run of "<" never closed': (chars) => '<'.repeat(chars),
    'tags never closed': (chars) => '<p a'.repeat(Math.ceil(chars / 4)),
    'paragraphs of words': (chars) => '<p>Residents and the mayor spoke at length.</p>'.repeat(Math.ceil(chars / 47)),
  };
  for (const [name, make] of Object.entries(contents)) {
    it(`for ${name}, and 2 MiB of it (the most an item carries) well within a second`, () => {
      const scaling = measureScaling(wordCount, make, { sizes: sizes(256 * KiB, 4), rounds: 3, maxRunMilliseconds: 5_000 });
      expect(scaling.slope, scaling.summary).toBeLessThan(MAX_LINEAR_SLOPE);
      const content = make(2048 * KiB);
      expect(cpuMilliseconds(() => wordCount(content))).toBeLessThan(1_000);
    });
  }
});
