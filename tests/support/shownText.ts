/** What a message shows, for checks that no text in it could spoof what surrounds it. */

/**
 * Bidirectional controls and control characters: in a line the bot shows, either could reorder
 * or hide what follows. Written out here rather than imported, so a narrowed source list fails.
 */
export const SPOOFING = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cc}/u;

/** Every line of every string in `value`, however deep (a message's own line breaks split them). */
export function shownLines(value: unknown): string[] {
  if (typeof value === 'string') return value.split('\n');
  return typeof value === 'object' && value !== null ? Object.values(value).flatMap(shownLines) : [];
}
