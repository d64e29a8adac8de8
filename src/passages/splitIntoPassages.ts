/** Splits a document's Markdown body into passages: the units the index retrieves and the bot quotes. */
import { createHash } from 'node:crypto';
import type { CorpusDocument } from '../corpus/types.js';
import { splitAtWords, splitSentences, spansOf } from '../text/sentences.js';

/**
 * Longest passage, in characters. A paragraph longer than this is split at sentence boundaries,
 * so that any passage fits one Discord embed field (1024) with room for quote markup.
 */
export const MAX_PASSAGE_CHARS = 1000;

export interface Passage {
  /** `documentId:paragraph`, or `documentId:paragraph.part` when a long paragraph was split. */
  id: string;
  documentId: string;
  /** The document's scope: the server whose own article it is; absent for the base (see CorpusDocument). */
  scope?: string;
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
  /**
   * A short hash of `text`. References held outside the bot (button custom_ids, autocomplete
   * values) carry it, so that after the article is edited an old button says the passage is
   * gone instead of quoting whatever paragraph now has that number.
   */
  fingerprint: string;
}

/** How a passage is referred to from outside: `id~fingerprint`. */
export function passageRef(passage: Passage): string {
  return `${passage.id}~${passage.fingerprint}`;
}

/** A `passageRef` read back: the passage id and the fingerprint of its text; undefined if it is none. */
export function parsePassageRef(ref: string): { id: string; fingerprint: string } | undefined {
  const separator = ref.lastIndexOf('~');
  return separator === -1 ? undefined : { id: ref.slice(0, separator), fingerprint: ref.slice(separator + 1) };
}

/**
 * The same text whatever its file, front matter or link: a hash of its passages' words, lower-cased,
 * without punctuation, so a re-saved copy of an article is known for what it is.
 */
export function articleFingerprint(passages: readonly Pick<Passage, 'text'>[]): string {
  const hash = createHash('sha256');
  for (const { text } of passages)
    hash.update(
      `${text
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, ' ')
        .trim()} `,
    );
  return hash.digest('base64url');
}

function fingerprintOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 6);
}

interface Block {
  text: string;
  line: number;
  section: string;
}

/** An ATX heading's opening: up to 3 spaces, 1–6 "#", whitespace (bounded, so it cannot backtrack far). */
const HEADING_OPENING = /^ {0,3}#{1,6}\s/;
/** Line breaks (a line split at "\n" may still hold the others): a heading's text cannot span one. */
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const LIST_OR_QUOTE_LINE = /^\s*(?:[-*+>]|\d+[.)])\s/;

/**
 * The text of an ATX heading line ("## Title ##" → "Title"), or undefined when the line is not
 * one. Parsed by hand, not with one regex: a lazy title followed by an optional closing run of
 * "#" backtracks quadratically on a long run of spaces inside the line.
 */
export function headingText(line: string): string | undefined {
  const opening = HEADING_OPENING.exec(line);
  if (!opening) return undefined;
  let text = line.slice(opening[0].length).trim();
  // A closing run of "#" counts only when whitespace separates it from the title ("# C#" keeps it).
  let closing = text.length;
  while (closing > 0 && text[closing - 1] === '#') closing -= 1;
  if (closing < text.length && closing > 0 && /\s/.test(text[closing - 1]!)) text = text.slice(0, closing).trimEnd();
  return LINE_TERMINATOR.test(text) ? undefined : text;
}

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
    const heading = inFence ? undefined : headingText(raw);
    if (heading !== undefined || (!inFence && THEMATIC_BREAK.test(raw))) {
      flush();
      if (heading !== undefined) section = heading;
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
  return lines.map((line) => line.trim()).reduce((text, line) => (text === '' ? line : `${text}${LIST_OR_QUOTE_LINE.test(line) ? '\n' : ' '}${line}`), '');
}

/**
 * Greedily packs consecutive pieces into runs of at most `maxChars`, as [from, to) index ranges.
 * Measured on `spans`, where the pieces stand in the text: a run is quoted as that slice, with
 * whatever spacing the text has between sentences.
 */
function packPieces(spans: Array<[number, number]>, maxChars: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let from = 0;
  spans.forEach(([, end], index) => {
    if (index > from && end - spans[from]![0] > maxChars) {
      runs.push([from, index]);
      from = index;
    }
  });
  if (from < spans.length) runs.push([from, spans.length]);
  return runs;
}

/** Sentences of `text`, a sentence over `maxChars` (a text without punctuation) cut at word boundaries. */
function sentencePieces(text: string, maxChars: number): string[] {
  return splitSentences(text).flatMap((sentence) => splitAtWords(sentence, maxChars));
}

/**
 * A passage's sentences, verbatim and in order (what quotes are cut from and what is embedded).
 * Computed when asked rather than kept: a corpus holds far more passages than are ever quoted.
 */
export function sentencesOf(passage: Passage): string[] {
  return sentencePieces(passage.text, MAX_PASSAGE_CHARS);
}

export function splitIntoPassages(document: CorpusDocument, maxChars = MAX_PASSAGE_CHARS): Passage[] {
  const passages: Passage[] = [];
  splitIntoBlocks(document.body, document.bodyLine).forEach((block, index) => {
    const paragraph = index + 1;
    // Only a paragraph too long for one passage needs its sentences now (to cut between them);
    // the others are split into sentences when a quote or an embedding needs them (sentencesOf).
    const pieces = block.text.length <= maxChars ? [block.text] : sentencePieces(block.text, maxChars);
    const spans = spansOf(block.text, pieces);
    const runs = block.text.length <= maxChars ? [[0, pieces.length] as [number, number]] : packPieces(spans, maxChars);
    runs.forEach(([from, to], partIndex) => {
      const text = runs.length === 1 ? block.text : block.text.slice(spans[from]![0], spans[to - 1]![1]);
      passages.push({
        id: runs.length === 1 ? `${document.id}:${paragraph}` : `${document.id}:${paragraph}.${partIndex + 1}`,
        documentId: document.id,
        ...(document.scope !== undefined && { scope: document.scope }),
        section: block.section,
        paragraph,
        part: partIndex + 1,
        parts: runs.length,
        line: block.line,
        text,
        fingerprint: fingerprintOf(text),
      });
    });
  });
  return passages;
}
