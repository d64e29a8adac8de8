/**
 * The article a new one repeats: `/corpus add` (through the engine's Library) and the operator's
 * `corpus:add` (on the corpus it loads itself) tell duplicates apart with this one comparison.
 */
import { addressKey } from './addressKey.js';
import { isVisibleIn } from './types.js';

export interface Duplicate<D> {
  document: D;
  by: 'address' | 'text';
}

/**
 * The document of `documents` that `scope` sees (a server's own first) at the same address as
 * `url` (`addressKey`), or whose text has `fingerprint` (`fingerprintOf`, the caller's
 * `articleFingerprint` of its passages), if any.
 */
export function findDuplicate<D extends { url: string; scope?: string }>(
  documents: readonly D[],
  url: string,
  fingerprint: string,
  fingerprintOf: (document: D) => string,
  scope?: string,
): Duplicate<D> | undefined {
  const key = addressKey(url);
  const visible = documents
    .filter((document) => isVisibleIn(document.scope, scope))
    .sort((a, b) => Number(a.scope === undefined) - Number(b.scope === undefined));
  // The address first: it names the article, where the same text may be another site's copy.
  const atAddress = visible.find((document) => addressKey(document.url) === key);
  if (atAddress) return { document: atAddress, by: 'address' };
  const sameText = visible.find((document) => fingerprintOf(document) === fingerprint);
  return sameText && { document: sameText, by: 'text' };
}
