/**
 * `npm run corpus:check [-- PATH]`: validates a corpus folder, or one article file, as the bot
 * would read it; exits 1 when anything is wrong or no article is valid.
 */
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadCorpus, loadCorpusFile } from '../corpus/loadCorpus.js';
import { formatProblemLines } from '../corpus/types.js';
import { splitIntoPassages } from '../passages/splitIntoPassages.js';
import { forTerminal, runCli, UsageError } from './runCli.js';

const USAGE = `Usage: npm run corpus:check [-- PATH]

Checks every article in the corpus folder PATH (default: $CORPUS_DIR or ./corpus), or the
single article file PATH, and prints each problem as file:line: message. Exits 1 when there
is a problem or no valid article.

  --help        show this help`;

runCli(async () => {
  const { values, positionals } = parseArgs({ options: { help: { type: 'boolean', default: false } }, allowPositionals: true });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('Give at most one folder or file.');
  const target = positionals[0] ?? process.env.CORPUS_DIR ?? './corpus';
  const isFile = (await stat(target).catch(() => undefined))?.isFile() ?? false;
  const { documents, problems, skipped } = isFile ? await loadCorpusFile(target) : await loadCorpus(target);
  for (const line of [...formatProblemLines(problems), ...formatProblemLines(skipped)]) console.log(forTerminal(line));
  const passages = documents.reduce((sum, document) => sum + splitIntoPassages(document).length, 0);
  const notRead = skipped.length > 0 ? `, ${skipped.length} not read` : '';
  console.log(forTerminal(`${target}: ${documents.length} valid article(s), ${passages} passage(s), ${problems.length} problem(s)${notRead}.`));
  // The bot refuses to start, and a reload to apply, with nothing to answer from.
  if (documents.length === 0 && problems.length === 0) console.log('No valid article: the bot needs at least one .md article to answer from.');
  return problems.length > 0 || documents.length === 0 ? 1 : 0;
}, 'npm run corpus:check -- --help');
