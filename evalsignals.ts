import { retrieve, coverageOf } from './src/answers/answerQuestion.js';
import { RANKING, scoreCandidates, type LexicalCandidate } from './src/semantic/rank.js';
import { SemanticIndex } from './src/semantic/SemanticIndex.js';
import { articleSet, squadSet } from './tests/support/questionSets.js';
const which = process.argv[2] ?? 'article';
const set = which === 'article' ? await articleSet() : await squadSet();
const semantic = await SemanticIndex.open(set.index.passages);
await semantic.fill();
for (const q of set.questions) {
  if (q.half !== 'tuning') continue;
  const r = retrieve(set.index, q.question);
  const vec = await semantic.questionVector(q.question);
  const byId = new Map<string, any>();
  const cands: LexicalCandidate[] = r.candidates.slice(0, 30).map((c) => { const p = set.index.passageAt.get(c.id as number)!; byId.set(p.id, p); return { passageId: p.id, bm25Score: c.score, coverage: coverageOf(r.terms, c) }; });
  for (const [, p] of set.index.passageAt) if (!byId.has(p.id)) { byId.set(p.id, p); cands.push({ passageId: p.id, bm25Score: 0, coverage: 0 }); }
  const ranked = scoreCandidates(cands, (id) => semantic.sentenceCosines(byId.get(id), vec), { ...RANKING, candidatePool: cands.length });
  const top = ranked[0]!;
  const p = byId.get(top.passageId);
  const got = set.paragraphKey(p.documentId, p.paragraph);
  const right = q.paragraph === null ? 'NA' : got === q.paragraph ? 'OK' : 'WRONG';
  console.log(`${q.kind.padEnd(12)} ${right.padEnd(5)} cov ${top.coverage.toFixed(2)} cos ${top.bestSentenceCosine.toFixed(2)} ${q.question.slice(0, 70)}`);
}
