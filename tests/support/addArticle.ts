/**
 * A separate process adding one server article, for the cross-process write test: waits until
 * `startAt` (epoch ms) so that two such processes write at the same moment, then prints the
 * WriteResult as JSON. Usage: addArticle.ts DIR SCOPE FILE ID START_AT
 */
import { writeCorpusFile } from '../../src/engine/corpusFiles.js';

const [dir, scope, file, id, startAt] = process.argv.slice(2) as [string, string, string, string, string];
const bytes = new TextEncoder().encode(
  `---\nid: ${id}\ntitle: Written by ${file}\nauthor: A\npublisher: P\npublished: 2020-01-01\nurl: https://example.com/${file}\n---\n\nText of ${file}.\n`,
);
while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 1));
const result = await writeCorpusFile(dir, file, bytes, { replace: false, scope });
process.stdout.write(JSON.stringify(result));
