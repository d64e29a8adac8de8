import { loadEmbedder } from '../../src/semantic/embedder.js';
import { loadQuestionSet } from '../support/questionSet.js';
const e = await loadEmbedder();
const qs = loadQuestionSet().map((q) => q.question);
await e.embed(qs.slice(0, 10));
for (const n of [1, 10, 50]) {
  const t = performance.now();
  for (let r = 0; r < 5; r++) await e.embed(qs.slice(r, r + n));
  console.log(n, ((performance.now() - t) / 5).toFixed(1), 'ms per batch');
}
