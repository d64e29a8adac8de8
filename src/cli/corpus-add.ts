/**
 * `npm run -s corpus:add -- [options] FILE|URL`: adds an article to the base corpus (or a server's
 * folder) from a link, a saved web page, a PDF, a Word .docx or a plain-text file, read and checked
 * as the bot does; `--dry-run --json` prints what would be kept and writes nothing.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { duplicateRefusal } from '../app/messages.js';
import { findDuplicate } from '../corpus/findDuplicate.js';
import { loadCorpus } from '../corpus/loadCorpus.js';
import { formatProblem, type DocumentMeta } from '../corpus/types.js';
import { unwritableFolderMessage, writeCorpusFile } from '../engine/corpusFiles.js';
import { prepareArticle, type Source } from '../engine/prepareArticle.js';
import { allowPrivateFrom } from '../ingest/safeFetch.js';
import { articleFingerprint, splitIntoPassages } from '../passages/splitIntoPassages.js';
import { forTerminal, runCli, UsageError } from './runCli.js';

const USAGE = `Usage: npm run -s corpus:add -- [--dry-run] [--json] [--server ID] [--replace] [--title T] [--author A]
         [--publisher P] [--published YYYY-MM-DD] [--url U] FILE|URL

Reads the article at URL (a web page, PDF, .docx or text file), or in FILE (.html, .htm,
.pdf, .docx, .txt), finds its title, author, publisher, date and canonical link, and adds it
to the corpus folder ($CORPUS_DIR or ./corpus), or to server ID's own articles. The options
override what was found, and must give whatever could not be found. Nothing is written when
anything is missing or wrong. An article already there (the same canonical link or the same
text, in the base corpus or, with --server, in that server's articles) is refused unless
--replace.

  --dry-run       write nothing; show what would be added
  --json          print one JSON object {"title","author","publisher","published","url","text"}
  --server ID     add to this server's own articles instead of the base corpus
  --replace       update the article already there at the same link or with the same text
  --title, --author, --publisher, --published YYYY-MM-DD, --url U
                  the article's metadata, overriding what was found
  --help          show this help

Links to this machine or its network are refused unless FETCH_ALLOW_PRIVATE=true.`;

runCli(async () => {
  const { values, positionals } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      server: { type: 'string' },
      replace: { type: 'boolean', default: false },
      title: { type: 'string' },
      author: { type: 'string' },
      publisher: { type: 'string' },
      published: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('Give one FILE or URL to add.');
  loadDotenv({ quiet: true });
  const target = positionals[0]!;
  const source: Source = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? { link: target } : { file: target };
  const overrides: Partial<DocumentMeta> = {
    title: values.title,
    author: values.author,
    publisher: values.publisher,
    published: values.published,
    url: values.url,
  };
  const prepared = await prepareArticle(source, { overrides, optionFor: (field) => `--${field}`, fetch: { allowPrivate: allowPrivateFrom(process.env) } });
  if (!prepared.ok) {
    console.error(forTerminal(prepared.message));
    return 1;
  }
  const { meta, text } = prepared;
  const summary = `${meta.title} (${meta.author}, ${meta.publisher}, ${meta.published}) ${meta.url}`;
  const dir = process.env.CORPUS_DIR ?? './corpus';
  const scope = values.server;
  const duplicate = await findDuplicateIn(dir, prepared, scope);
  // As `/corpus add` does: a duplicate is replaced only among the articles being added to.
  const inTarget = duplicate?.document.scope === scope;
  const refusal =
    duplicate &&
    (!values.replace || !inTarget) &&
    duplicateRefusal(duplicate, {
      inTarget,
      replace: values.replace,
      rerun: 'run `npm run -s corpus:add` again with `--replace`',
      baseReplace: 'which --replace with --server does not change: add it without --server to update it',
    });
  if (refusal && !values['dry-run']) {
    console.error(forTerminal(refusal));
    return 1;
  }
  // A dry run still shows what was read; the refusal it would meet is said beside it.
  if (refusal) console.error(forTerminal(refusal));
  if (!values['dry-run']) {
    const fileName = duplicate ? path.basename(duplicate.document.file) : prepared.fileName;
    const written = await writeCorpusFile(dir, fileName, new TextEncoder().encode(prepared.markdown), {
      replace: values.replace,
      ...(scope !== undefined && { scope }),
    }).catch((error: unknown) => {
      const message = unwritableFolderMessage(error);
      if (message === undefined) throw error;
      return { ok: false as const, reason: 'unwritable' as const, message };
    });
    if (!written.ok) {
      const lines = 'message' in written ? [written.message] : 'problems' in written ? written.problems.map(formatProblem) : ['the server is over its quota'];
      for (const line of lines) console.error(forTerminal(`not added: ${line}`));
      return 1;
    }
    const done = written.replaced ? 'replaced' : 'added';
    if (!values.json)
      console.log(forTerminal(`${done} ${written.file}${scope === undefined ? '' : ` ${done === 'added' ? 'to' : 'in'} server ${scope}`}: ${summary}`));
  } else if (!values.json) console.log(forTerminal(`would add ${prepared.fileName}: ${summary}\n\n${text.trim()}`));
  if (values.json)
    console.log(JSON.stringify({ title: meta.title, author: meta.author, publisher: meta.publisher, published: meta.published, url: meta.url, text }));
  return 0;
}, 'npm run corpus:add -- --help');

/**
 * The article `prepared` repeats among those `scope` sees (the base, and that server's own), read
 * from `dir` as the bot reads it: the CLI works on the folder, not through a running engine.
 */
async function findDuplicateIn(dir: string, prepared: { meta: DocumentMeta; fingerprint: string }, scope: string | undefined) {
  const { documents } = await loadCorpus(dir, { servers: scope === undefined ? [] : [scope] });
  return findDuplicate(documents, prepared.meta.url, prepared.fingerprint, (document) => articleFingerprint(splitIntoPassages(document)), scope);
}
