/** Where a quote comes from, and a link that lands the reader on it. */
import type { Passage } from '../passages/splitIntoPassages.js';

/** "paragraph 5", or "paragraph 5 (part 2 of 3)" for a long paragraph that was split. */
export function paragraphLabel(passage: Passage): string {
  return `paragraph ${passage.paragraph}${passage.parts > 1 ? ` (part ${passage.part} of ${passage.parts})` : ''}`;
}

/**
 * Encodes one text-directive term: percent-encoding as for a URI component, plus "-", which
 * the text-fragment syntax reserves as its prefix/suffix marker, and parentheses, which would
 * end the link early where it is written as Markdown (`[title](url)`).
 */
function encodeTextDirectivePart(text: string): string {
  return encodeURIComponent(text).replace(/[-()]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `quote` without the "…" that mark left-out text at either end, and the spaces next to them.
 * By hand: `/\s*…$/` would try every position of a long run of spaces followed by "…" mid-quote.
 */
function withoutEllipses(quote: string): string {
  let text = quote;
  if (text.startsWith('…')) text = text.slice(1).trimStart();
  if (text.endsWith('…')) text = text.slice(0, -1).trimEnd();
  return text;
}

/** How many words to quote at each end of a `textStart,textEnd` fragment. */
const FRAGMENT_EDGE_WORDS = 4;

/**
 * `url` with a text fragment (`#:~:text=start,end`) that makes browsers scroll to and highlight
 * `quote` on the page. The quote's own characters are used verbatim (typographic apostrophes,
 * non-breaking spaces), since the page has them; only ASCII whitespace separates words. A long
 * quote is addressed by its first and last words, which keeps the link short.
 */
export function textFragmentUrl(url: string, quote: string): string {
  const words = withoutEllipses(quote)
    .split(/[ \t\n]+/)
    .filter(Boolean);
  if (words.length === 0) return url;
  const base = url.replace(/#.*$/, '');
  const directive =
    words.length <= FRAGMENT_EDGE_WORDS * 2
      ? encodeTextDirectivePart(words.join(' '))
      : `${encodeTextDirectivePart(words.slice(0, FRAGMENT_EDGE_WORDS).join(' '))},${encodeTextDirectivePart(words.slice(-FRAGMENT_EDGE_WORDS).join(' '))}`;
  return `${base}#:~:text=${directive}`;
}
