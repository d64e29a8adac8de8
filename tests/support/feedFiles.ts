/** Feeds made for tests: ordinary ones of any size, and the hostile ones a feed reader must survive. */

export interface TestItem {
  title: string;
  link?: string;
  guid?: string;
  /** A date as RSS writes it (RFC 822) is made from this. */
  date?: Date;
  description?: string;
  /** Full HTML content (content:encoded). */
  content?: string;
}

const escapeXml = (text: string) => text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char]!);

/** An RSS 2.0 feed of `items`, in the order given. */
export function rssFeed(items: readonly TestItem[], { title = 'Test News', link = 'https://news.example/' } = {}): string {
  const item = ({ title, link, guid, date, description, content }: TestItem) =>
    [
      '<item>',
      `<title>${escapeXml(title)}</title>`,
      link !== undefined ? `<link>${escapeXml(link)}</link>` : '',
      guid !== undefined ? `<guid isPermaLink="false">${escapeXml(guid)}</guid>` : '',
      date !== undefined ? `<pubDate>${date.toUTCString()}</pubDate>` : '',
      description !== undefined ? `<description>${escapeXml(description)}</description>` : '',
      content !== undefined ? `<content:encoded><![CDATA[${content}]]></content:encoded>` : '',
      '</item>',
    ].join('');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
    `<channel><title>${escapeXml(title)}</title><link>${escapeXml(link)}</link><description>News for tests</description>`,
    ...items.map(item),
    '</channel></rss>',
  ].join('\n');
}

const DAY = 24 * 60 * 60 * 1000;
export const FIRST_DAY = Date.UTC(2024, 0, 1);

/**
 * `count` items, item n published n days after FIRST_DAY, in a shuffled order (a fixed one): the
 * newest are found by date, not by place. Each has a guid, a link and a paragraph of description.
 */
export function numberedItems(count: number): TestItem[] {
  const items = Array.from({ length: count }, (_, n) => ({
    title: `Item ${n}`,
    guid: `item-${n}`,
    link: `/articles/${n}`,
    date: new Date(FIRST_DAY + n * DAY),
    description: `The ${n}th report of the day, in a sentence or two of ordinary words.`,
  }));
  // A fixed shuffle: multiplying by a number coprime with the count visits every index once.
  const step = [7919, 104729, 1299709].find((prime) => count % prime !== 0)!;
  return items.map((_, i) => items[(i * step) % count]!);
}

/**
 * The "billion laughs": ten entities each ten times the last, 10^9 "lol"s (3 GB) if a parser
 * expanded them, in well under 1 KiB. Used in the channel's title and an item's title and description.
 */
export function entityBomb(): string {
  const entities = ['<!ENTITY lol "lol">'];
  for (let level = 1; level <= 9; level += 1) entities.push(`<!ENTITY lol${level} "${`&lol${level === 1 ? '' : level - 1};`.repeat(10)}">`);
  return [
    '<?xml version="1.0"?>',
    `<!DOCTYPE rss [${entities.join('')}]>`,
    '<rss version="2.0"><channel><title>&lol9;</title><link>https://news.example/</link><description>x</description>',
    '<item><title>&lol9;</title><link>https://news.example/a</link><description>&lol9;</description></item>',
    '</channel></rss>',
  ].join('\n');
}

/** One entity of 100 KB referenced 10,000 times in the channel's title: 1 GB if expanded, 130 KB as written. */
export function entityBlowup(): string {
  return [
    '<?xml version="1.0"?>',
    `<!DOCTYPE rss [<!ENTITY a "${'x'.repeat(100_000)}">]>`,
    `<rss version="2.0"><channel><title>${'&a;'.repeat(10_000)}</title><link>https://news.example/</link><description>x</description></channel></rss>`,
  ].join('\n');
}
