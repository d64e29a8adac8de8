/** The bundled article corpus (`corpus/`), which quality, the small latency row and end-to-end use. */
import { fileURLToPath } from 'node:url';
import { loadCorpus } from '../../src/corpus/loadCorpus.js';
import { formatProblem, type CorpusDocument } from '../../src/corpus/types.js';

export const ARTICLE_DIR = fileURLToPath(new URL('../../corpus', import.meta.url));

export async function loadArticle(): Promise<CorpusDocument[]> {
  const { documents, problems } = await loadCorpus(ARTICLE_DIR);
  if (problems.length > 0) throw new Error(`corpus/ has problems:\n${problems.map(formatProblem).join('\n')}`);
  return documents;
}
