/**
 * An extraction worker that answers with the id of its thread (as the title), throws on the text
 * "fail" and answers a clean failure for "unreadable": for the reuse of reader threads.
 */
import { parentPort, threadId } from 'node:worker_threads';

parentPort!.on('message', (source: { bytes: Uint8Array }) => {
  const text = new TextDecoder().decode(source.bytes);
  if (text === 'fail') throw new Error('a parser bug');
  if (text === 'unreadable') return parentPort!.postMessage({ error: 'not an article' });
  parentPort!.postMessage({ article: { meta: { title: String(threadId) }, text } });
});
