/**
 * What changed between two versions of an article, passage by passage (`/corpus refresh`): a
 * passage whose text is in both is unchanged, wherever it moved; of the rest, the old and the new
 * are paired in order as changed, and the surplus of either side was added or removed.
 */

export interface PassageChanges {
  unchanged: number;
  changed: number;
  added: number;
  removed: number;
}

/**
 * Counts the changes from `before` to `after` (passages' texts, in order) in time linear in their
 * length: one pass over each, texts matched through a map of how many times each old text is left.
 */
export function passageChanges(before: readonly string[], after: readonly string[]): PassageChanges {
  const left = new Map<string, number>();
  for (const text of before) left.set(text, (left.get(text) ?? 0) + 1);
  let unchanged = 0;
  for (const text of after) {
    const count = left.get(text) ?? 0;
    if (count === 0) continue;
    left.set(text, count - 1);
    unchanged += 1;
  }
  const oldOnly = before.length - unchanged;
  const newOnly = after.length - unchanged;
  const changed = Math.min(oldOnly, newOnly);
  return { unchanged, changed, added: newOnly - changed, removed: oldOnly - changed };
}
