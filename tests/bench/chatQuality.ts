/**
 * The chat-style question set (tests/fixtures/chat-questions.json) answered the way members are
 * answered: by `Library.answer`, with its semantic side enabled and filled as the CLI and the bot
 * do; beside words alone (a Library without it) and naive minisearch. Shared by the bench
 * (section 1), tests/bench/chatEval.ts and tests/quality/accuracy-chat.test.ts.
 */
import { Library } from '../../src/library/Library.js';
import { openSemanticIndex } from '../../src/semantic/SemanticIndex.js';
import { evaluate, type EvalAnswer, type EvalReport } from '../support/questionSet.js';
import { chatSets, evalAnswerOf, paragraphKeys, type Half, type QuestionSet } from '../support/questionSets.js';
import { baselineAnswer, buildBaseline } from './baseline.js';

export const CHAT_SYSTEMS = ['engine', 'lexical', 'baseline'] as const;
export type ChatSystem = (typeof CHAT_SYSTEMS)[number];
export type ChatQuestion = QuestionSet['questions'][number];

export interface ChatAnswers {
  /** Both corpora's questions, in file order within each corpus. */
  questions: ChatQuestion[];
  /** Each system's answer, by question id. */
  answers: Record<ChatSystem, Map<string, EvalAnswer>>;
  /** A paragraph key's readable name ("normans ¶4"). */
  paragraphName: (key: number) => string;
  /**
   * Questions the engine answered by words alone because the encoder did not get to them in
   * time: its figures are its own only when there are none.
   */
  turnedAway: number;
}

/** Results per answer, as the other sets are measured (the bot shows the first and offers more). */
const TOP = 3;

async function openLibrary(dir: string): Promise<Library> {
  const { library, report } = await Library.open({ dir });
  if (!library) throw new Error(`${dir}: ${report.problems.map((problem) => problem.message).join('; ')}`);
  return library;
}

export async function answerChatSet(): Promise<ChatAnswers> {
  const sets = await chatSets();
  const answers: ChatAnswers['answers'] = { engine: new Map(), lexical: new Map(), baseline: new Map() };
  let turnedAway = 0;
  for (const set of sets) {
    const words = await openLibrary(set.dir);
    const semantic = await openSemanticIndex(words.index.passages, undefined, { onBusy: (event) => (turnedAway += event.turnedAway) });
    await semantic.fill();
    const engine = words.withMeaning(semantic);
    const lexical = await openLibrary(set.dir);
    const baseline = buildBaseline(set.documents);
    for (const q of set.questions) {
      // As a question asked before (its vector remembered), so that a busy machine does not turn
      // the engine into words alone; Library.answer still decides everything else.
      await semantic.questionVector(q.question, 60_000);
      answers.engine.set(q.id, evalAnswerOf(set, await engine.answer(q.question, { top: TOP })));
      answers.lexical.set(q.id, evalAnswerOf(set, await lexical.answer(q.question, { top: TOP })));
      const passages = baselineAnswer(baseline, q.question, TOP);
      answers.baseline.set(q.id, {
        answered: passages.length > 0,
        results: passages.map((passage) => ({ paragraph: set.paragraphKey(passage.documentId, passage.paragraph), quote: passage.text })),
      });
    }
  }
  // The encoder reports askers it turned away on the turn after its queue empties.
  await new Promise((resolve) => setImmediate(resolve));
  return {
    questions: sets.flatMap((set) => set.questions),
    answers,
    paragraphName: paragraphKeys(sets.flatMap((set) => set.documents.map((document) => document.id))).name,
    turnedAway,
  };
}

/** One system's report on one half (or all). */
export function chatReport(chat: ChatAnswers, system: ChatSystem, half: 'all' | Half): EvalReport {
  return evaluate(
    chat.questions.filter((q) => half === 'all' || q.half === half),
    (_question, q) => chat.answers[system].get(q.id)!,
  );
}

export interface ChatQuality {
  questions: number;
  /** Each half's report, per system. */
  halves: Record<Half, Record<ChatSystem, EvalReport>>;
  /** See `ChatAnswers.turnedAway`. */
  turnedAway: number;
}

/** The figures the bench and the quality floor report: per half, per system. */
export async function measureChatSet(): Promise<ChatQuality> {
  const chat = await answerChatSet();
  const report = (half: Half) => Object.fromEntries(CHAT_SYSTEMS.map((system) => [system, chatReport(chat, system, half)])) as Record<ChatSystem, EvalReport>;
  return { questions: chat.questions.length, halves: { tuning: report('tuning'), 'held-out': report('held-out') }, turnedAway: chat.turnedAway };
}
