import { answerHybrid } from './src/answers/answerHybrid.js';
import { answerQuestion } from './src/answers/answerQuestion.js';
import { SemanticIndex } from './src/semantic/SemanticIndex.js';
import { evaluate, type EvalAnswer } from './tests/support/questionSet.js';
import { articleSet, squadSet } from './tests/support/questionSets.js';
for (const set of [await articleSet(), await squadSet()]) {
  const semantic = await SemanticIndex.open(set.index.passages);
  await semantic.fill();
  const answers = new Map<string, EvalAnswer>();
  const lexical = new Map<string, EvalAnswer>();
  const toEval = (a: Awaited<ReturnType<typeof answerHybrid>>): EvalAnswer => ({ answered: a.answered, results: a.results.map((r) => ({ paragraph: set.paragraphKey(r.passage.documentId, r.passage.paragraph), quote: r.quote })) });
  for (const q of set.questions) {
    answers.set(q.question, toEval(await answerHybrid(set.index, q.question, semantic, { top: 3 })));
    lexical.set(q.question, toEval(answerQuestion(set.index, q.question, { top: 3 })));
  }
  for (const half of ['tuning', 'held-out'] as const) {
    const qs = set.questions.filter((q) => q.half === half);
    for (const [name, m] of [['hybrid', answers], ['lexical', lexical]] as const) {
      const r = evaluate(qs, (q) => m.get(q)!);
      console.log(set.name, half, name, `top1 ${r.top1}/${r.answerable} top3 ${r.top3} declined ${r.abstained}/${r.unanswerable} wrongDecl ${r.falseAbstentions}`, JSON.stringify(r.byKind));
    }
  }
  if (process.argv.includes('--fail') && set.name === 'questions.json') for (const f of evaluate(set.questions, (q) => answers.get(q)!).failures) console.log('  ', f.id, f.expected, f.got, f.question);
}
