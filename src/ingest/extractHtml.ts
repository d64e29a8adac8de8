/**
 * A web page's article: its main text, by Readability on a linkedom DOM (light, and it does not
 * evaluate CSS, which throws on some real pages in jsdom), cleaned of what Readability keeps but
 * readers do not quote (captions, bylines, "read more" blocks), with its metadata from JSON-LD,
 * Open Graph / `article:*` / `<meta>` tags and `<link rel="canonical">`.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { metadataOf, type FoundMeta } from './pageMetadata.js';

type ReadabilityDocument = ConstructorParameters<typeof Readability>[0];

export interface ExtractedArticle {
  meta: FoundMeta;
  /** Paragraphs separated by blank lines; subheadings as `## …` lines of their own. */
  text: string;
}

/** Elements whose text ends a paragraph before and after them. */
const BLOCKS = new Set([
  'ADDRESS',
  'ARTICLE',
  'ASIDE',
  'BLOCKQUOTE',
  'BR',
  'DD',
  'DIV',
  'DL',
  'DT',
  'FIELDSET',
  'FIGURE',
  'FOOTER',
  'FORM',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HEADER',
  'HR',
  'LI',
  'MAIN',
  'NAV',
  'OL',
  'P',
  'PRE',
  'SECTION',
  'TABLE',
  'TD',
  'TH',
  'TR',
  'UL',
]);
const HEADINGS = new Set(['H1', 'H2', 'H3', 'H4', 'H5', 'H6']);
/** Never part of the article's prose: media captions, forms, embedded widgets. */
const DROPPED = new Set([
  'FIGCAPTION',
  'BUTTON',
  'FORM',
  'NOSCRIPT',
  'SCRIPT',
  'STYLE',
  'SVG',
  'TEMPLATE',
  'IFRAME',
  'SELECT',
  'TEXTAREA',
  'NAV',
  'ASIDE',
  'FOOTER',
]);

interface TextNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<TextNode>;
}

/**
 * Readability's work grows faster than the page (deep nesting, and tens of thousands of elements,
 * take it minutes): pages past these are refused. News pages stay far below both.
 */
export const MAX_ELEMENTS = 15_000;
export const MAX_DEPTH = 200;

/** A page the bot will not read; the message continues "it …". */
export class UnreadablePage extends Error {}

/** The article of the page `html` (served from `pageUrl`, which relative links resolve against). */
export function extractHtml(html: string, pageUrl?: string): ExtractedArticle {
  const { document } = parseHTML(html);
  checkSize(document as unknown as SizedElement);
  // Read before Readability, which rewrites the document it is given.
  const meta = metadataOf(document, pageUrl);
  const article = new Readability<TextNode>(document as unknown as ReadabilityDocument, { serializer: (node) => node as unknown as TextNode }).parse();
  if (meta.title === undefined && article?.title) meta.title = article.title.trim();
  if (meta.author === undefined && article?.byline) meta.author = article.byline.trim();
  const paragraphs = article?.content ? keptParagraphs(paragraphsOf(article.content), meta) : [];
  return { meta, text: paragraphs.map((paragraph) => paragraph.text).join('\n\n') };
}

interface SizedElement {
  children: ArrayLike<SizedElement>;
}

/** Counts elements and nesting depth in one pass, stopping at the first limit passed. */
function checkSize(root: SizedElement): void {
  const stack: Array<[SizedElement, number]> = [[root, 0]];
  let elements = 0;
  while (stack.length > 0) {
    const [element, depth] = stack.pop()!;
    elements += 1;
    // The document itself is counted too: at most one off.
    if (elements > MAX_ELEMENTS) throw new UnreadablePage(`has more than ${MAX_ELEMENTS.toLocaleString('en-US')} HTML elements, far more than an article page`);
    if (depth > MAX_DEPTH) throw new UnreadablePage(`nests HTML elements more than ${MAX_DEPTH} deep, far deeper than an article page`);
    // linkedom builds `children` afresh on each read: read it once.
    for (const child of Array.from(element.children)) stack.push([child, depth + 1]);
  }
}

interface Paragraph {
  text: string;
  heading: boolean;
  /** Share of its characters inside links. */
  linked: number;
}

const words = (text: string) => text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;

/** A paragraph that only leads to other pages: "Read more: …", "Related: …", "You may also like". */
const LEAD_IN =
  /^(?:read more|read also|also read|related(?: post| stories| articles)?|see also|more|don'?t miss|you may also like|recommended|watch|listen)\b\s*[:|-]?/i;
/** A caption's or a photo's credit, or a gallery's counter: "(Image: …)", "Photo: …", "(credit: …)", "© …", "Image 1 of 13". */
const CREDIT = /(?:^©|^(?:photo|image|picture|credit)s?\s*:|\((?:photo|image|picture|credit)s?\s*:[^)]{0,300}\)$|^(?:photo|image|picture|slide)\s+\d+\s+of\b)/i;
/** A call to action or a site notice: subscribe, newsletters, sign up, follow us, cookies, JavaScript, affiliate links. */
const SITE_NOTICE =
  /\b(?:subscribe|newsletters?|sign up|follow (?:us|@\w+)|uses cookies|requires javascript|enable javascript|affiliate commission|(?:earn|receive) a commission)\b/i;
/** A WordPress shortcode its site left unrendered: `[button …]…[/button]`. */
const SHORTCODE = /^\[([a-z_]+)\b[^\]]*\].*\[\/\1\]$/i;
/** A dateline of its own: "Published: 00:01, Tue, Nov 19, 2019", "Updated Nov 19, 9:41 AM". */
const DATELINE = /^\W*(?:published|updated|posted|last (?:updated|modified))\b/i;

/**
 * What Readability keeps around an article that is not its prose: links to other articles,
 * captions and credits, bylines and datelines, site notices, unrendered shortcodes, and the title
 * again as a heading.
 */
function keptParagraphs(paragraphs: Paragraph[], { title, author }: FoundMeta): Paragraph[] {
  const plain = (text: string) =>
    text
      .replace(/^## /, '')
      .replace(/^by\s+/i, '')
      .trim()
      .toLowerCase();
  const sameAsTitle = (text: string) => title !== undefined && plain(text) === title.toLowerCase();
  // A byline: the author's name, with or without "By" and their role.
  const byline = (text: string) => author !== undefined && (plain(author).includes(plain(text)) || plain(text).includes(plain(author)));
  return paragraphs.filter(({ text, linked, heading }) => {
    const count = words(text);
    if (count < 12 && byline(text)) return false;
    if (linked > 0.8 && count < 20) return false;
    if (count < 20 && LEAD_IN.test(text.replace(/^## /, '')) && (linked > 0 || heading || /:$/.test(text))) return false;
    if (count < 25 && CREDIT.test(text)) return false;
    if (count < 15 && DATELINE.test(text)) return false;
    if (count < 30 && SITE_NOTICE.test(text)) return false;
    if (SHORTCODE.test(text)) return false;
    return !sameAsTitle(text);
  });
}

/** The text of `root` as paragraphs: block elements end one, headings become `## …`. */
function paragraphsOf(root: TextNode): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  let current: string[] = [];
  let linkedChars = 0;
  let links = 0;
  const flush = (ending?: string) => {
    const raw = current.join('');
    const text = raw.replace(/\s+/g, ' ').trim();
    const heading = ending !== undefined && HEADINGS.has(ending);
    if (text !== '') paragraphs.push({ text: heading ? `## ${text}` : text, heading, linked: linkedChars / raw.replace(/\s+/g, ' ').length });
    current = [];
    linkedChars = 0;
  };
  // An explicit stack: a page's nesting depth is anyone's choice.
  const stack: Array<TextNode | { end: string } | { endLink: true }> = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('endLink' in item) {
      links -= 1;
      continue;
    }
    if ('end' in item) {
      flush(item.end);
      continue;
    }
    if (item.nodeType === 3) {
      const text = item.textContent ?? '';
      current.push(text);
      if (links > 0) linkedChars += text.replace(/\s+/g, ' ').length;
      continue;
    }
    if (item.nodeType !== 1 || DROPPED.has(item.nodeName)) continue;
    if (BLOCKS.has(item.nodeName)) {
      flush();
      stack.push({ end: item.nodeName });
    }
    if (item.nodeName === 'A') {
      links += 1;
      stack.push({ endLink: true });
    }
    const children = Array.from(item.childNodes);
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i]!);
  }
  flush();
  return paragraphs;
}
