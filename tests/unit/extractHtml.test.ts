/** A web page's article and metadata, on small pages written here and on saved real pages. */
import { describe, expect, it } from 'vitest';
import { extractHtml, UnreadablePage } from '../../src/ingest/extractHtml.js';
import { notAnArticle } from '../../src/ingest/readArticle.js';
import { extractionPages } from '../support/extractionPages.js';

const prose = (n: number) =>
  Array.from({ length: n }, (_, i) => `Sentence ${i + 1} of the report says what the council decided about the river crossing and why.`).join(' ');

function page(head: string, body: string): string {
  return `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;
}

const ARTICLE_BODY = `
  <nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
  <article>
    <h1>Council approves the new bridge</h1>
    <p class="byline">By Jane Doe</p>
    <p>${prose(3)}</p>
    <figure><img src="a.jpg"><figcaption>The old bridge at dusk. (Image: Council archive)</figcaption></figure>
    <h2>What happens next</h2>
    <p>${prose(3)}</p>
    <p>Read more: <a href="/other">Another story about bridges</a></p>
    <ul><li>Work starts in March.</li><li>Traffic is diverted.</li></ul>
    <p>${prose(2)}</p>
  </article>
  <aside><h3>Most read</h3><ul><li><a href="/1">One</a></li><li><a href="/2">Two</a></li></ul></aside>
  <footer>© Example News. All rights reserved. Contact us. Privacy.</footer>`;

describe('extractHtml', () => {
  it('reads JSON-LD first: @graph, an author list of objects, the publisher object; the canonical link is the url', () => {
    const ld = {
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'WebSite', name: 'Example site' },
        {
          '@type': ['NewsArticle'],
          headline: 'Council approves the new bridge',
          author: [{ '@type': 'Person', name: 'Jane Doe' }, 'John Roe'],
          publisher: { '@type': 'Organization', name: 'Example News' },
          datePublished: '2024-03-01T23:30:00-05:00',
        },
      ],
    };
    const { meta } = extractHtml(
      page(
        `<title>Bridge | Example</title><meta property="og:title" content="OG title"><link rel="canonical" href="/news/bridge?x=1#top"><script type="application/ld+json">${JSON.stringify(ld)}</script>`,
        ARTICLE_BODY,
      ),
      'https://example.com/amp/bridge',
    );
    expect(meta).toMatchObject({
      title: 'Council approves the new bridge',
      author: 'Jane Doe, John Roe',
      publisher: 'Example News',
      published: '2024-03-01',
      url: 'https://example.com/news/bridge?x=1',
    });
  });

  it('falls back on Open Graph and meta tags, skipping an author that is a profile link', () => {
    const head = `<meta property="og:title" content="Bridge approved"><meta property="og:site_name" content="Example News"><meta property="article:author" content="https://example.com/staff/jane"><meta name="author" content="Jane Doe"><meta property="article:published_time" content="2024-03-01T10:00:00Z"><meta property="og:url" content="https://example.com/bridge">`;
    const { meta } = extractHtml(page(head, ARTICLE_BODY), 'https://example.com/bridge?utm=x');
    expect(meta).toMatchObject({
      title: 'Bridge approved',
      author: 'Jane Doe',
      publisher: 'Example News',
      published: '2024-03-01',
      url: 'https://example.com/bridge',
    });
  });

  it('a malformed JSON-LD block is skipped, and a page with no canonical link has its own address', () => {
    const { meta } = extractHtml(page('<script type="application/ld+json">{ not json</script><title>Plain</title>', ARTICLE_BODY), 'https://example.com/plain');
    expect(meta).toMatchObject({ title: 'Plain', url: 'https://example.com/plain' });
    expect(meta.published).toBeUndefined();
  });

  it('keeps the prose, subheadings and list items as paragraphs; drops navigation, captions, bylines, "read more" links, asides and footers', () => {
    const { text } = extractHtml(
      page('<title>Council approves the new bridge</title><meta name="author" content="Jane Doe">', ARTICLE_BODY),
      'https://example.com/bridge',
    );
    const paragraphs = text.split('\n\n');
    expect(paragraphs).toEqual([prose(3), '## What happens next', prose(3), 'Work starts in March.', 'Traffic is diverted.', prose(2)]);
  });

  it('reads a saved real page: its metadata, and its body from the first sentence', () => {
    const saved = extractionPages().find((candidate) => candidate.key.startsWith('06e5123e'))!;
    const { meta, text } = extractHtml(saved.html, saved.url);
    expect(meta).toEqual({
      title: 'New York State Attorney General investigating WeWork and former CEO',
      author: 'Reuters',
      publisher: 'VentureBeat',
      published: '2019-11-19',
      url: saved.url,
    });
    expect(text.startsWith('(Reuters) — The New York State Attorney General (NYAG) is investigating WeWork')).toBe(true);
    expect(text).not.toMatch(/\n{3}/);
  });

  it('refuses, before Readability reads them, pages nested or sized far past any article page', () => {
    const deep = `${'<div>'.repeat(1_000)}<p>${prose(5)}</p>${'</div>'.repeat(1_000)}`;
    expect(() => extractHtml(page('<title>Deep</title>', deep))).toThrow(
      new UnreadablePage('nests HTML elements more than 200 deep, far deeper than an article page'),
    );
    const wide = `<div><p>${prose(1)}</p></div>`.repeat(8_000);
    expect(() => extractHtml(page('<title>Wide</title>', wide))).toThrow(/has more than 15,000 HTML elements/);
    const nearly = `${'<div>'.repeat(150)}<p>${prose(5)}</p>${'</div>'.repeat(150)}`;
    expect(extractHtml(page('<title>Nested</title>', nearly)).text).toBe(prose(5));
  });
});

describe('notAnArticle', () => {
  it('refuses a link alone, a few words, and garbled bytes; accepts an article', () => {
    expect(notAnArticle('https://example.com/story')).toMatch(/only a link/);
    expect(notAnArticle('Subscribe to read this story.')).toMatch(/only 5 words of text, too few for an article \(at least 50\)/);
    expect(notAnArticle('\ufffd\u0001'.repeat(300))).toMatch(/not readable text/);
    expect(notAnArticle('')).toMatch(/no article text/);
    expect(notAnArticle(prose(5))).toBeUndefined();
  });
});
