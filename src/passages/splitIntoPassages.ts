/** Splits a document's Markdown body into passages: the units the index retrieves and the bot quotes. */
import type { CorpusDocument } from '../corpus/types.js';
import { splitAtWords, splitSentences } from '../text/sentences.js';

/**
 * Longest passage, in characters. A paragraph longer than this is split at sentence boundaries,
 * so that any passage fits one Discord embed field (1024) with room for quote markup.
 */
export const MAX_PASSAGE_CHARS = 1000;

export interface Passage {
  /** `documentId:paragraph`, or `documentId:paragraph.part` when a long paragraph was split. */
  id: string;
  documentId: string;
  /** Nearest Markdown heading above the paragraph; '' before the first heading. */
  section: string;
  /** 1-based paragraph number within the document (headings are not paragraphs). */
  paragraph: number;
  /** 1-based part of the paragraph, and how many parts it was split into (usually 1 of 1). */
  part: number;
  parts: number;
  /** 1-based line of the corpus file where the paragraph starts. */
  line: number;
  /** Verbatim text (hard line breaks inside a paragraph folded to spaces, as Markdown renders them). */
  text: string;
  sentences: string[];
}

interface Block {
  text: string;
  line: number;
  section: string;
}

const HEADING = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const LIST_OR_QUOTE_LINE = /^\s*(?:[-*+>]|\d+[.)])\s/;

/** Paragraph blocks of a Markdown body, each with its heading and starting line. */
function splitIntoBlocks(body: string, firstLine: number): Block[] {
  const blocks: Block[] = [];
  let section = '';
  let current: { lines: string[]; line: number } | undefined;
  let inFence = false;
  const flush = () => {
    if (current) blocks.push({ text: joinLines(current.lines), line: current.line, section });
    current = undefined;
  };
  body.split('\n').forEach((raw, index) => {
    const line = firstLine + index;
    if (FENCE.test(raw)) inFence = !inFence;
    if (!inFence && raw.trim() === '') return flush();
    const heading = inFence ? null : HEADING.exec(raw);
    if (heading || (!inFence && THEMATIC_BREAK.test(raw))) {
      flush();
      if (heading) section = heading[1]!.trim();
      return;
    }
    current ??= { lines: [], line };
    current.lines.push(raw);
  });
  flush();
  return blocks;
}

/** Soft line breaks become spaces; list items, quotes and code keep their own lines. */
function joinLines(lines: string[]): string {
  if (FENCE.test(lines[0] ?? '')) return lines.join('\n');
  return lines
    .map((line) => line.trim())
    .reduce((text, line) => (text === '' ? line : `${text}${LIST_OR_QUOTE_LINE.test(line) ? '\n' : ' '}${line}`), '');
}

/** Greedily packs consecutive sentences into chunks of at most `maxChars`. */
function packSentences(sentences: string[], maxChars: number): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let length = 0;
  // A sentence over the limit (a text without punctuation) is first cut at word boundaries.
  for (const sentence of sentences.flatMap((whole) => splitAtWords(whole, maxChars))) {
    if (chunk.length > 0 && length + 1 + sentence.length > maxChars) {
      chunks.push(chunk);
      chunk = [];
      length = 0;
    }
    chunk.push(sentence);
    length += (length === 0 ? 0 : 1) + sentence.length;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export function splitIntoPassages(document: CorpusDocument, maxChars = MAX_PASSAGE_CHARS): Passage[] {
  const passages: Passage[] = [];
  splitIntoBlocks(document.body, document.bodyLine).forEach((block, index) => {
    const paragraph = index + 1;
    const sentences = splitSentences(block.text);
    const chunks = block.text.length <= maxChars ? [sentences] : packSentences(sentences, maxChars);
    chunks.forEach((chunk, partIndex) => {
      passages.push({
        id: chunks.length === 1 ? `${document.id}:${paragraph}` : `${document.id}:${paragraph}.${partIndex + 1}`,
        documentId: document.id,
        section: block.section,
        paragraph,
        part: partIndex + 1,
        parts: chunks.length,
        line: block.line,
        text: chunks.length === 1 ? block.text : chunk.join(' '),
        sentences: chunk,
      });
    });
  });
  return passages;
}
