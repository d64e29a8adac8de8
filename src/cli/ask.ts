/**
 * `npm run ask -- [--json] [--top N] [--corpus DIR] [QUESTION]`: answers questions about the
 * corpus in a terminal. Without QUESTION, answers each line of standard input.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Answer } from '../answers/answerQuestion.js';
import { validateQuestion } from '../answers/validateQuestion.js';
import { formatProblem } from '../corpus/types.js';
import { Library } from '../library/Library.js';
import { semanticEnabled } from '../semantic/setting.js';
import { formatAnswerText, toAnswerJson } from './formatAnswer.js';
import { forTerminal, runCli, UsageError } from './runCli.js';

const USAGE = `Usage: npm run ask -- [--json] [--top N] [--corpus DIR] [QUESTION]

Answers QUESTION by quoting the corpus, with attribution. Without QUESTION, reads one
question per line from standard input.

  --json        print JSON (one object per question)
  --top N       show up to N passages (1-25, default 3)
  --corpus DIR  corpus folder (default: $CORPUS_DIR or ./corpus)
  --help        show this help`;

runCli(async () => {
  const { values, positionals } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      top: { type: 'string', default: '3' },
      corpus: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 25) throw new UsageError(`--top must be a whole number from 1 to 25, not "${values.top}".`);

  const dir = values.corpus ?? process.env.CORPUS_DIR ?? './corpus';
  const cacheDir = process.env.CACHE_DIR || './.cache';
  const { library: opened, report } = await Library.open({ dir, cacheDir });
  let library = opened;
  for (const problem of report.problems) console.error(forTerminal(`warning: skipped ${formatProblem(problem)}`));
  if (!library) {
    console.error(`No valid articles in ${dir}. Check them with: npm run corpus:check -- ${dir}`);
    return 1;
  }

  if (semanticEnabled(process.env)) {
    const { openSemanticIndex } = await import('../semantic/SemanticIndex.js');
    const semantic = await openSemanticIndex(library.index.passages, cacheDir);
    library = library.withMeaning(semantic);
    if (!semantic.ready)
      console.error(`Computing sentence vectors for ${semantic.progress.total - semantic.progress.embedded} passages (saved in ${cacheDir} for next time)…`);
    await semantic.fill();
  }
  const answer = (question: string): Promise<Answer> => library.answer(question, { top });
  const print = (result: Answer) => console.log(values.json ? JSON.stringify(toAnswerJson(result)) : forTerminal(formatAnswerText(result)));

  if (positionals.length > 0) {
    const check = validateQuestion(positionals.join(' '));
    if (!check.ok) throw new UsageError(check.message);
    print(await answer(check.question));
    return 0;
  }

  if (process.stdin.isTTY) console.error('Type a question per line (Ctrl-D to finish):');
  let invalid = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const check = validateQuestion(line);
    if (!check.ok) {
      invalid += 1;
      console.error(`skipped line: ${check.message}`);
      // Keep one output line per input question, so batch output stays aligned with its input.
      if (values.json) console.log(JSON.stringify({ question: line, answered: false, results: [] }));
      continue;
    }
    print(await answer(check.question));
  }
  return invalid > 0 ? 2 : 0;
}, 'npm run ask -- --help');
