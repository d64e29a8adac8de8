/** Characters that change how text reads without being seen, shared by everything that shows text back. */

/**
 * Direction marks, embeddings, overrides and isolates: a U+202E shows the rest of the line (and
 * whatever follows it) reversed, so echoed or printed text could pass for something else.
 */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Control characters (C0, DEL, C1): a line break, tab, NUL or bell has no place in a one-line name. */
const CONTROL_CHARACTERS = /\p{Cc}/gu;

/**
 * An article's title, author or publisher as shown (embeds, lists, suggestions): its file may
 * carry anything YAML can escape, so bidirectional controls are dropped and other controls become
 * spaces, on one line.
 */
export function shownName(name: string): string {
  return name.replace(BIDI_CONTROLS, '').replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
}
