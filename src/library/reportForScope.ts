/**
 * A reload's report as one server's moderators see it: what changed among the articles that
 * server is served (the base and its own), under their plain ids, and how many it is served.
 * Other servers' articles are never named; problems in their files are counted, not shown.
 */
import { SERVERS_FOLDER, isServerId } from '../corpus/loadCorpus.js';
import { isVisibleIn, type CorpusProblem } from '../corpus/types.js';
import type { ReloadReport } from './Library.js';

/** The scope of a document key (`documentKey`), and its plain id. */
function splitKey(key: string): { scope?: string; id: string } {
  const slash = key.indexOf('/');
  return slash === -1 ? { id: key } : { scope: key.slice(0, slash), id: key.slice(slash + 1) };
}

/** The server whose folder a reported file is in, if any (`servers/<id>/…`). */
function scopeOfFile(file: string): string | undefined {
  const [folder, scope] = file.split('/');
  return folder === SERVERS_FOLDER && scope !== undefined && isServerId(scope) ? scope : undefined;
}

export function reportForScope(report: ReloadReport, scope: string | undefined): ReloadReport {
  const titles: Record<string, string> = {};
  const visibleIds = (keys: string[]) =>
    keys.flatMap((key) => {
      const { scope: keyScope, id } = splitKey(key);
      if (!isVisibleIn(keyScope, scope)) return [];
      titles[id] = report.titles[key] ?? id;
      return [id];
    });
  const visibleFiles = (entries: CorpusProblem[]) => entries.filter((entry) => isVisibleIn(scopeOfFile(entry.file), scope));
  const problems = visibleFiles(report.problems);
  const hidden = report.problems.length - problems.length;
  if (hidden > 0)
    problems.push({ file: `${SERVERS_FOLDER}/`, message: `${hidden} problem(s) in other servers' articles: whoever runs the bot sees them in its log` });
  const base = report.scopeSizes[''] ?? { documents: 0, passages: 0 };
  const own = scope === undefined ? undefined : report.scopeSizes[scope];
  return {
    ...report,
    problems,
    skipped: visibleFiles(report.skipped),
    added: visibleIds(report.added),
    removed: visibleIds(report.removed),
    changed: visibleIds(report.changed),
    titles,
    documents: base.documents + (own?.documents ?? 0),
    passages: base.passages + (own?.passages ?? 0),
    scopeSizes: { '': base, ...(scope !== undefined && own && { [scope]: own }) },
  };
}
