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

export function formatProblem(problem: CorpusProblem): string {
  return `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}`;
}
