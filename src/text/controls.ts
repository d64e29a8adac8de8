/** Characters that change how text reads without being seen, shared by everything that shows text back. */

/**
 * Direction marks, embeddings, overrides and isolates: a U+202E shows the rest of the line (and
 * whatever follows it) reversed, so echoed or printed text could pass for something else.
 */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
