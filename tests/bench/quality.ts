/**
 * Section 1: answer quality on the evaluation sets (the news article's questions, SQuAD 2.0
 * development questions, and the chat-style set through Library.answer: see chatQuality.ts),
 * each also split into its tuning and held-out halves, for the engine (words and meaning), the
 * lexical engine alone (SEMANTIC=off) and naive minisearch; and what the semantic stage costs:
 * time to load the model and embed, per-question latency, memory.
 */
import { answerQuestion } from '../../src/answers/answerQuestion.js';
import { SemanticIndex } from '../../src/semantic/SemanticIndex.js';
import { evaluate, type EvalAnswer, type EvalReport } from '../support/questionSet.js';
import { answerByMeaning, articleSet, evalAnswerOf, squadSet, type Half, type QuestionSet } from '../support/questionSets.js';
import { baselineAnswer, buildBaseline } from './baseline.js';
import { measureChatSet, type ChatQuality } from './chatQuality.js';
import { settledHeapBytes } from './measure.js';

export interface SetQuality {
  name: string;
  /** By half ('all', 'tuning', 'held-out') and system. */
  halves: Record<'all' | Half, { engine: EvalReport; lexical: EvalReport; baseline: EvalReport }>;
}

export interface SemanticCost {
  /** Loading the model and embedding the set's passages (nothing saved beforehand). */
  openMs: number;
  /** Distinct passages embedded. */
  passages: number;
  /** Answering with words and meaning vs words alone, per question (question vectors not remembered). */
  hybridP50Ms: number;
  hybridP99Ms: number;
  lexicalP50Ms: number;
  lexicalP99Ms: number;
  /** Heap the model and the set's vectors retain. */
  heapMB: number;
}

export interface QualityReport {
  sets: SetQuality[];
  /** The chat-style set, through the public path (Library.answer). */
  chat: ChatQuality;
  /** Measured on the SQuAD set (61 passages, 418 questions). */
  semanticCost: SemanticCost;
}

/** How many results count for top-3. */
const TOP = 3;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;

async function measureSet(set: QuestionSet, cost?: (cost: SemanticCost) => void): Promise<SetQuality> {
  const heapBefore = settledHeapBytes();
  const opening = performance.now();
  const semantic = await SemanticIndex.open(set.index.passages);
  await semantic.fill();
  const openMs = performance.now() - opening;
  const heapMB = (settledHeapBytes() - heapBefore) / 1024 / 1024;
  const baseline = buildBaseline(set.documents);
  const engine = new Map<string, EvalAnswer>();
  const lexical = new Map<string, EvalAnswer>();
  const hybridMs: number[] = [];
  const lexicalMs: number[] = [];
  for (const q of set.questions) {
    let started = performance.now();
    engine.set(q.question, evalAnswerOf(set, await answerByMeaning(set, semantic, q.question, TOP)));
    hybridMs.push(performance.now() - started);
    started = performance.now();
    lexical.set(q.question, evalAnswerOf(set, answerQuestion(set.index, q.question, { top: TOP })));
    lexicalMs.push(performance.now() - started);
  }
  const naive = (question: string): EvalAnswer => {
    const passages = baselineAnswer(baseline, question, TOP);
    return {
      answered: passages.length > 0,
      results: passages.map((passage) => ({ paragraph: set.paragraphKey(passage.documentId, passage.paragraph), quote: passage.text })),
    };
  };
  const halves = {} as SetQuality['halves'];
  for (const half of ['all', 'tuning', 'held-out'] as const) {
    const questions = half === 'all' ? set.questions : set.questions.filter((q) => q.half === half);
    halves[half] = {
      engine: evaluate(questions, (question) => engine.get(question)!),
      lexical: evaluate(questions, (question) => lexical.get(question)!),
      baseline: evaluate(questions, naive),
    };
  }
  hybridMs.sort((a, b) => a - b);
  lexicalMs.sort((a, b) => a - b);
  cost?.({
    openMs,
    passages: semantic.progress.total,
    hybridP50Ms: percentile(hybridMs, 0.5),
    hybridP99Ms: percentile(hybridMs, 0.99),
    lexicalP50Ms: percentile(lexicalMs, 0.5),
    lexicalP99Ms: percentile(lexicalMs, 0.99),
    heapMB,
  });
  return { name: set.name, halves };
}

export async function benchQuality(): Promise<QualityReport> {
  let semanticCost: SemanticCost | undefined;
  const sets = [await measureSet(await articleSet()), await measureSet(await squadSet(), (cost) => (semanticCost = cost))];
  return { sets, chat: await measureChatSet(), semanticCost: semanticCost! };
}
