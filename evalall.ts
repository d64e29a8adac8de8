import { answerHybrid } from './src/answers/answerHybrid.js';
import { SemanticIndex } from './src/semantic/SemanticIndex.js';
import { evaluate, type EvalAnswer } from './tests/support/questionSet.js';
import { articleSet, squadSet } from './tests/support/questionSets.js';
const t0 = performance.now();
for (const set of [await articleSet(), await squadSet()]) {
  const semantic = await SemanticIndex.open(set.index.passages);
  await semantic.fill();
  const answers = new Map<string, EvalAnswer>();
  let wrong = 0;
  for (const q of set.questions) {
    const a = await answerHybrid(set.index, q.question, semantic, { top: 3 });
    answers.set(q.question, { answered: a.answered, results: a.results.map((r) => ({ paragraph: set.paragraphKey(r.passage.documentId, r.passage.paragraph), quote: r.quote })) });
  }
  const r = evaluate(set.questions, (q) => answers.get(q)!);
  for (const q of set.questions) { const a = answers.get(q.question)!; if (a.answered && q.paragraph !== null && a.results[0]!.paragraph !== q.paragraph) wrong++; }
  console.log(set.name, `top1 ${r.top1}/${r.answerable} top3 ${r.top3} declined ${r.abstained}/${r.unanswerable} wrongDecl ${r.falseAbstentions} wrongAnswers ${wrong} median ${r.medianQuoteChars}`, JSON.stringify(r.byKind));
}
console.log('ms', Math.round(performance.now() - t0));
