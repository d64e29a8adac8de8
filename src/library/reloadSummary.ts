/** A reload's report as a log line: what every process that reloads logs, the same way. */
import { formatProblemLines } from '../corpus/types.js';
import type { ReloadReport } from './Library.js';

/**
 * Ids and problems a reload's log line lists, at most: enough to find what changed or what is
 * broken (other servers' files included), never a whole large corpus on every reload.
 */
const LOGGED_ITEMS = 20;

/** A reload's outcome for a log line: counts, the first few ids of each change, and the first problems (files left out, or why it was refused). */
export function reloadSummary({ applied, added, removed, changed, analysed, problems, documents, passages, ms }: ReloadReport): Record<string, unknown> {
  return {
    applied,
    documents,
    passages,
    ms: Math.round(ms),
    analysed,
    counts: { added: added.length, removed: removed.length, changed: changed.length, problems: problems.length },
    added: added.slice(0, LOGGED_ITEMS),
    removed: removed.slice(0, LOGGED_ITEMS),
    changed: changed.slice(0, LOGGED_ITEMS),
    ...(problems.length > 0 && { firstProblems: formatProblemLines(problems).slice(0, LOGGED_ITEMS) }),
  };
}
