/** Feeds read into items: each format, what an item says of itself, and feeds made to hurt. */
import { describe, expect, it } from 'vitest';
import { AUTHOR_MAX, CONTENT_MAX, FeedUnreadable, KEY_MAX, readFeed, TITLE_MAX, type ParsedFeed } from '../../src/ingest/readFeed.js';
import { entityBomb, entityBlowup, FIRST_DAY, numberedItems, rssFeed } from '../support/feedFiles.js';

const FEED_URL = 'https://news.example/feeds/all.xml';
const read = (text: string | Uint8Array, maxItems = 20, charset?: string): ParsedFeed =>
  readFeed(typeof text === 'string' ? new TextEncoder().encode(text) : text, { url: FEED_URL, maxItems, ...(charset && { charset }) });

/** The FeedUnreadable that reading `text` throws. */
function unreadable(text: string): string {
  let caught: unknown;
  try {
    read(text);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FeedUnreadable);
  const { message } = caught as FeedUnreadable;
  expect(message).not.toContain('\n');
  return message;
}

const ARTICLE_HTML = '<p>The council approved the bridge.</p><p>Work starts in March.</p>';

describe('readFeed', () => {
  it('reads RSS 2.0: full content from content:encoded, none from a description alone, links made absolute, titles as text', () => {
    const feed = read(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>City &amp; <b>County</b> News</title><link>/</link><description>d</description>
<item><title>Bridge &lt;em&gt;approved&lt;/em&gt;</title><link>/2024/bridge</link><guid isPermaLink="false">bridge-1</guid>
  <pubDate>Tue, 05 Mar 2024 09:30:00 GMT</pubDate><dc:creator>Jane Doe</dc:creator>
  <description>A teaser.</description><content:encoded><![CDATA[${ARTICLE_HTML}]]></content:encoded></item>
<item><title>Budget <![CDATA[<i>passed</i>]]></title><link>https://news.example/2024/budget?x=1&amp;y=2#top</link>
  <pubDate>Mon, 04 Mar 2024 09:30:00 GMT</pubDate><author>desk@news.example (News Desk)</author><description>Only a summary.</description></item>
</channel></rss>`);
    expect(feed).toEqual({
      format: 'rss',
      title: 'City & County News',
      siteUrl: 'https://news.example/',
      itemCount: 2,
      items: [
        {
          key: 'bridge-1',
          link: 'https://news.example/2024/bridge',
          title: 'Bridge approved',
          published: '2024-03-05',
          author: 'Jane Doe',
          contentHtml: ARTICLE_HTML,
        },
        {
          key: 'https://news.example/2024/budget?x=1&y=2',
          link: 'https://news.example/2024/budget?x=1&y=2',
          title: 'Budget passed',
          published: '2024-03-04',
          author: 'News Desk',
        },
      ],
    });
  });

  it('takes a permalink guid as the link when an RSS item has no <link>', () => {
    const [item] = read(rssFeed([]).replace('</channel>', '<item><title>T</title><guid>https://news.example/p/1</guid></item></channel>')).items;
    expect(item).toMatchObject({ key: 'https://news.example/p/1', link: 'https://news.example/p/1' });
  });

  it('reads Atom: the alternate link, html, xhtml and text content (text escaped), the feed author for an entry without one', () => {
    const feed = read(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">Tech &lt;b&gt;Daily&lt;/b&gt;</title><id>urn:feed</id><updated>2024-05-03T00:00:00Z</updated>
  <link rel="self" href="/feeds/all.xml"/><link href="https://tech.example/"/>
  <author><name>Tech Desk</name></author>
  <entry><id>urn:e1</id><title type="text">Why a &lt; b &amp; c</title><updated>2024-05-01T10:00:00Z</updated>
    <link rel="enclosure" href="/e1.mp3"/><link rel="alternate" type="text/html" href="/posts/e1"/>
    <author><name>Ann Lee</name></author>
    <content type="html">&lt;p&gt;Chips &amp;amp; phones.&lt;/p&gt;</content></entry>
  <entry><id>urn:e2</id><title>Second</title><published>2024-05-02T23:30:00-04:00</published><updated>2024-05-04T00:00:00Z</updated>
    <link href="posts/e2"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello <b>world</b></p></div></content></entry>
  <entry><id>urn:e3</id><title>Third</title><updated>2024-05-03T00:00:00Z</updated>
    <content type="text">One &lt;tag&gt; line.

Another paragraph.</content></entry>
  <entry><id>urn:e4</id><title>Fourth</title><updated>2024-04-30T00:00:00Z</updated><summary>Only a summary.</summary></entry>
</feed>`);
    expect(feed.format).toBe('atom');
    expect(feed.title).toBe('Tech Daily');
    expect(feed.siteUrl).toBe('https://tech.example/');
    expect(feed.items).toEqual([
      // Published late on the 2nd in its own time zone, 03:30 on the 3rd in UTC: newer than the third, dated by the publisher's day.
      {
        key: 'urn:e2',
        link: 'https://news.example/feeds/posts/e2',
        title: 'Second',
        published: '2024-05-02',
        author: 'Tech Desk',
        contentHtml: '<p>Hello <b>world</b></p>',
      },
      { key: 'urn:e3', title: 'Third', published: '2024-05-03', author: 'Tech Desk', contentHtml: '<p>One &lt;tag&gt; line.</p>\n<p>Another paragraph.</p>' },
      {
        key: 'urn:e1',
        link: 'https://news.example/posts/e1',
        title: 'Why a < b & c',
        published: '2024-05-01',
        author: 'Ann Lee',
        contentHtml: '<p>Chips &amp; phones.</p>',
      },
      { key: 'urn:e4', title: 'Fourth', published: '2024-04-30', author: 'Tech Desk' },
    ]);
  });

  it('reads JSON Feed 1.1: content_html, content_text as escaped HTML, relative urls, numeric ids', () => {
    const feed = read(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'Notes',
        home_page_url: 'https://notes.example/',
        authors: [{ name: 'Feed Owner' }],
        items: [
          { id: 'n1', url: '/n/1', title: 'First <note>', content_html: '<p>Hi.</p>', date_published: '2024-02-01T08:00:00Z', authors: [{ name: 'Bo' }] },
          { id: 2, url: 'https://notes.example/n/2', content_text: 'A < B\n\nC & D', date_published: '2024-02-02T08:00:00Z' },
        ],
      }),
    );
    expect(feed).toEqual({
      format: 'json',
      title: 'Notes',
      siteUrl: 'https://notes.example/',
      itemCount: 2,
      items: [
        { key: '2', link: 'https://notes.example/n/2', published: '2024-02-02', author: 'Feed Owner', contentHtml: '<p>A &lt; B</p>\n<p>C &amp; D</p>' },
        // JSON Feed titles are plain text: kept as written.
        { key: 'n1', link: 'https://news.example/n/1', title: 'First <note>', published: '2024-02-01', author: 'Bo', contentHtml: '<p>Hi.</p>' },
      ],
    });
  });

  it('reads RSS 1.0 (RDF): rdf:about as the key, dc:date and dc:creator', () => {
    const feed = read(`<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://old.example/rss"><title>Old Times</title><link>https://old.example/</link><description>d</description></channel>
  <item rdf:about="https://old.example/a"><title>A</title><link>https://old.example/a</link><dc:date>2023-01-02T00:00:00Z</dc:date><dc:creator>Cy</dc:creator></item>
  <item rdf:about="https://old.example/b"><title>B</title><link>https://old.example/b</link><dc:date>2023-01-03T00:00:00Z</dc:date></item>
</rdf:RDF>`);
    expect(feed).toEqual({
      format: 'rdf',
      title: 'Old Times',
      siteUrl: 'https://old.example/',
      itemCount: 2,
      items: [
        { key: 'https://old.example/b', link: 'https://old.example/b', title: 'B', published: '2023-01-03' },
        { key: 'https://old.example/a', link: 'https://old.example/a', title: 'A', published: '2023-01-02', author: 'Cy' },
      ],
    });
  });

  it('returns the newest maxItems by date whatever the feed order, undated items after dated ones in feed order', () => {
    const items = numberedItems(50);
    const feed = read(rssFeed(items), 5);
    expect(feed.items.map((item) => item.key)).toEqual(['item-49', 'item-48', 'item-47', 'item-46', 'item-45']);
    expect(feed.items[0]).toMatchObject({
      link: 'https://news.example/articles/49',
      published: new Date(FIRST_DAY + 49 * 86_400_000).toISOString().slice(0, 10),
    });

    const undated = [
      { title: 'U1', guid: 'u1' },
      { title: 'D1', guid: 'd1', date: new Date(FIRST_DAY) },
      { title: 'U2', guid: 'u2' },
    ];
    expect(read(rssFeed(undated)).items.map((item) => item.key)).toEqual(['d1', 'u1', 'u2']);
    expect(read(rssFeed(undated), 2).items.map((item) => item.key)).toEqual(['d1', 'u1']);
  });

  it('keys an item by its guid, else its link, else a hash of its title and date; bounded; the same item twice kept once', () => {
    const feed = read(
      rssFeed([
        { title: 'A', guid: 'g-a', link: '/a' },
        { title: 'B', link: '/b' },
        { title: 'C', date: new Date(FIRST_DAY) },
        { title: 'D', date: new Date(FIRST_DAY) },
        { title: 'Long', guid: 'x'.repeat(5000) },
        { title: 'A again', guid: 'g-a' },
      ]),
    );
    const keys = feed.items.map((item) => item.key);
    // Dated items first (C, D), then the undated in feed order; the second g-a dropped.
    expect(keys).toHaveLength(5);
    expect(keys.slice(2, 4)).toEqual(['g-a', 'https://news.example/b']);
    for (const hashed of [keys[0], keys[1], keys[4]]) expect(hashed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(keys[0]).not.toBe(keys[1]);
    // The 5,000-character guid is hashed: keys stay short enough to store and compare.
    for (const key of keys) expect(key.length).toBeLessThanOrEqual(KEY_MAX);
    expect(feed.items.find((item) => item.key === 'g-a')?.title).toBe('A');
    // The same feed read again gives the same keys: nothing random in them.
    expect(read(rssFeed([{ title: 'C', date: new Date(FIRST_DAY) }])).items[0]!.key).toBe(keys[0]);
  });

  it('keeps only http(s) links, and bounds titles, authors and content', () => {
    const huge = `<p>${'word '.repeat(CONTENT_MAX / 5)}</p>`;
    const feed = read(
      rssFeed([
        { title: 'Script', guid: 's', link: 'javascript:alert(1)' },
        { title: 'Mail', guid: 'm', link: 'mailto:desk@news.example' },
        { title: `Long ${'title '.repeat(5000)}`, guid: 't', content: huge },
      ]),
    );
    const byKey = Object.fromEntries(feed.items.map((item) => [item.key, item]));
    const author = read(rssFeed([]).replace('</channel>', `<item><guid>a</guid><author>x@y.example (${'Name '.repeat(1000)})</author></item></channel>`))
      .items[0]!.author!;
    expect(author.length).toBeLessThanOrEqual(AUTHOR_MAX);
    expect(author).toMatch(/^Name Name .*…$/);
    expect(byKey.s!.link).toBeUndefined();
    expect(byKey.m!.link).toBeUndefined();
    expect(byKey.t!.title!.length).toBeLessThanOrEqual(TITLE_MAX);
    expect(byKey.t!.title).toMatch(/^Long title title .*…$/);
    // Too long to keep whole: fetched by its link instead.
    expect(byKey.t!.contentHtml).toBeUndefined();
  });

  it('reads the charset the server names, else the XML declaration, else UTF-8', () => {
    const latin1 = Buffer.from(rssFeed([], { title: 'Café' }).replace('UTF-8', 'ISO-8859-1'), 'latin1');
    expect(read(new Uint8Array(latin1)).title).toBe('Café');
    expect(read(new Uint8Array(Buffer.from(rssFeed([], { title: 'Café' }).replace(' encoding="UTF-8"', ''), 'latin1')), 20, 'iso-8859-1').title).toBe('Café');
    expect(read(rssFeed([], { title: 'Zoë' }).replace(' encoding="UTF-8"', '')).title).toBe('Zoë');
  });

  it('refuses malformed XML, naming the line', () => {
    const broken = '<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>News</title>\n<item><title>A</titel></item>\n</channel></rss>';
    expect(unreadable(broken)).toBe("its XML is malformed (line 4: Expected closing tag 'title' (opened in line 4, col 7) instead of closing tag 'titel')");
    expect(unreadable('<rss version="2.0"><channel><title>x</title><!-- never closed')).toMatch(/^its XML is malformed/);
  });

  it('refuses what is not a feed: a web page, plain text, other JSON, broken JSON', () => {
    expect(unreadable('<!doctype html><html><head><title>News</title></head><body><p>Hello</p></body></html>')).toBe(
      'it is a web page, not a feed: give the address of its RSS, Atom or JSON feed',
    );
    expect(unreadable('Just some words.')).toBe('it is not an RSS, Atom or JSON feed');
    expect(unreadable('{"name": "a package"}')).toBe('it is JSON but not a JSON Feed');
    expect(unreadable('{"version": "https://jsonfeed.org/version/1.1", "items": [')).toMatch(/^its JSON is malformed \(/);
  });

  it('never expands entities: the billion laughs and a 1 GB blowup stay as written', () => {
    // Expanded, the bomb's title alone would be 3 GB, the blowup's 1 GB. How long reading them
    // takes, off the thread: tests/integration/fetchFeed.test.ts.
    const bomb = read(entityBomb());
    expect(bomb.title).toBe('&lol9;');
    expect(bomb.items[0]).toMatchObject({ title: '&lol9;' });
    const blowup = read(entityBlowup());
    expect(blowup.title).toMatch(/^&a;&a;&a;/);
    expect(blowup.title).not.toContain('x');
  });

  it('never reads an external entity', () => {
    const xxe = rssFeed([]).replace('<rss', '<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/hostname">]>\n<rss').replace('Test News', '&secret;');
    expect(unreadable(xxe)).toBe('its XML is malformed (External entities are not supported)');
  });

  it('reads a feed of 10,000 items, returning only the newest maxItems', () => {
    const feed = read(rssFeed(numberedItems(10_000)), 20);
    expect(feed.itemCount).toBe(10_000);
    expect(feed.items).toHaveLength(20);
    expect(feed.items[0]!.key).toBe('item-9999');
    expect(feed.items[19]!.key).toBe('item-9980');
  });
});
