/** The metadata every corpus document carries in its front matter. */
export interface DocumentMeta {
  title: string;
  author: string;
  publisher: string;
  /** Publication date, `YYYY-MM-DD`. */
  published: string;
  /** The article's canonical web address (http or https). */
  url: string;
}

/** One article of the corpus, as read from one file. */
export interface CorpusDocument extends DocumentMeta {
  /** Stable id: front matter `id`, else the file name without `.md`. */
  id: string;
  /** File name relative to the corpus folder. */
  file: string;
  /** The Markdown body after the front matter. */
  body: string;
  /** 1-based line of the file where `body` starts, so problems in the body can name their line. */
  bodyLine: number;
  /** SHA-256 of the file's bytes: tells a reload which documents changed. */
  hash: string;
  /**
   * The server whose own article this is (its id, the name of its folder under `servers/`);
   * absent for the base corpus, which every server sees. Ids are unique within the base, and
   * within one server's articles; uploads may not reuse a base id either, though a base file added
   * later may take one a server uses (both are served: within that server, its own comes first).
   */
  scope?: string;
}

/**
 * A document's key where every document of the corpus is listed together: its id for the base,
 * `<scope>/<id>` for a server's own article (ids never contain "/", so keys never collide).
 */
export function documentKey(document: { id: string; scope?: string }): string {
  return scopedKey(document.scope, document.id);
}

export function scopedKey(scope: string | undefined, id: string): string {
  return scope === undefined ? id : `${scope}/${id}`;
}

/** Whether a document (or passage) of `scope` is seen by `viewer`: the base by everyone, a server's own by that server. */
export function isVisibleIn(scope: string | undefined, viewer: string | undefined): boolean {
  return scope === undefined || scope === viewer;
}

/** A document as served once indexed: its metadata and file, without the body (passages hold the text). */
export type DocumentInfo = Omit<CorpusDocument, 'body'>;

/** Something wrong with a corpus file, said so a moderator can find and fix it. */
export interface CorpusProblem {
  file: string;
  /** 1-based line, when the problem has one. */
  line?: number;
  message: string;
}

/** Where a problem is: `file:line`, or `file` alone. */
function problemLocation(problem: CorpusProblem): string {
  return `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}`;
}

export function formatProblem(problem: CorpusProblem): string {
  return `${problemLocation(problem)}: ${problem.message}`;
}

/**
 * Problems as lines, `file:line: message` each, except that a message several files share is one
 * line, `N files: message (a.md:5, b.md:5, …)`: thirty files with one fault must not push a
 * different fault out of sight. `listed` caps the locations named on such a line.
 */
export function formatProblemLines(problems: readonly CorpusProblem[], listed = Infinity): string[] {
  const byMessage = new Map<string, CorpusProblem[]>();
  for (const problem of problems) {
    const group = byMessage.get(problem.message);
    if (group) group.push(problem);
    else byMessage.set(problem.message, [problem]);
  }
  return [...byMessage].flatMap(([message, group]) => {
    const files = new Set(group.map((problem) => problem.file)).size;
    if (files < 2) return group.map(formatProblem);
    const locations = group.map(problemLocation);
    const more = locations.length > listed ? ` and ${locations.length - listed} more` : '';
    return [`${files} files: ${message} (${locations.slice(0, listed).join(', ')}${more})`];
  });
}
