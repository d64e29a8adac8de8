/** `npm run corpus:check [-- DIR]`: validates a corpus folder; exits 1 when any file has a problem. */
import { parseArgs } from 'node:util';
import { loadCorpus } from '../corpus/loadCorpus.js';
import { formatProblem } from '../corpus/types.js';
import { splitIntoPassages } from '../passages/splitIntoPassages.js';
import { runCli, UsageError } from './runCli.js';

const USAGE = 'Usage: npm run corpus:check [-- DIR]   (default: $CORPUS_DIR or ./corpus)';

runCli(async () => {
  const { positionals } = parseArgs({ allowPositionals: true });
  if (positionals.length > 1) throw new UsageError('Give at most one folder.', USAGE);
  const dir = positionals[0] ?? process.env.CORPUS_DIR ?? './corpus';
  const { documents, problems } = await loadCorpus(dir);
  for (const problem of problems) console.log(formatProblem(problem));
  const passages = documents.reduce((sum, document) => sum + splitIntoPassages(document).length, 0);
  console.log(`${dir}: ${documents.length} valid article(s), ${passages} passage(s), ${problems.length} problem(s).`);
  return problems.length > 0 ? 1 : 0;
});
