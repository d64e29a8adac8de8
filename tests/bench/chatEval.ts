/**
 * Each question of the chat-style set (tests/fixtures/chat-questions.json), what it expects and
 * what each system answered, then the totals: for tuning the engine on.
 *
 *   node --import tsx tests/bench/chatEval.ts [--half tuning|held-out|all]   (default: tuning)
 *
 * The held-out half is for reporting (npm run bench, tests/quality/accuracy-chat.test.ts): tuning on its
 * questions one by one would make its figures worthless.
 */
import { parseArgs } from 'node:util';
import type { EvalAnswer } from '../support/questionSet.js';
import { answerChatSet, CHAT_SYSTEMS, chatReport, type ChatQuestion } from './chatQuality.js';
import { chatTable } from './table.js';

const { values } = parseArgs({ options: { half: { type: 'string', default: 'tuning' } } });
const half = values.half;
if (half !== 'tuning' && half !== 'held-out' && half !== 'all') {
  process.stderr.write('usage: node --import tsx tests/bench/chatEval.ts [--half tuning|held-out|all]\n');
  process.exit(2);
}

const chat = await answerChatSet();

/** A paragraph key as "¶4" in the question's own article, else with the document's id. */
function paragraphOf(q: ChatQuestion, key: number): string {
  const name = chat.paragraphName(key);
  return name.startsWith(`${q.article} `) ? name.slice(q.article!.length + 1) : name;
}

function expected(q: ChatQuestion): string {
  if (q.paragraph === null) return 'declined';
  const paragraphs = [q.paragraph, ...(q.alsoAccept ?? [])].map((key) => paragraphOf(q, key)).join(' or ');
  return q.intent ? `about: ${q.intent}${q.intent === 'topic' ? ` (or ${paragraphs})` : ''}` : paragraphs;
}

function got(q: ChatQuestion, answer: EvalAnswer): string {
  if (!answer.answered) return 'declined';
  const about = answer.about ? `about: ${answer.about.intent}${answer.about.document === q.article ? '' : ` (${answer.about.document})`}, ` : '';
  return `${about}${paragraphOf(q, answer.results[0]!.paragraph)}`;
}

const questions = chat.questions.filter((q) => half === 'all' || q.half === half);
const reports = CHAT_SYSTEMS.map((system) => chatReport(chat, system, half));
const wrong = reports.map((report) => new Set(report.failures.map((failure) => failure.id)));
for (const q of questions) {
  const answers = CHAT_SYSTEMS.map((system, i) => `${system} ${wrong[i]!.has(q.id) ? '✗' : '✓'} ${got(q, chat.answers[system].get(q.id)!)}`);
  process.stdout.write(
    `${wrong[0]!.has(q.id) ? '✗' : '✓'} ${q.id} ${q.kind} (${q.article}): ${q.question}\n    expected ${expected(q)} | ${answers.join(' | ')}\n`,
  );
}
process.stdout.write(`\n${half} (${questions.length} questions)\n${chatTable(CHAT_SYSTEMS.map((system, i) => [system, reports[i]!]))}\n`);
if (chat.turnedAway > 0)
  process.stdout.write(`${chat.turnedAway} questions were answered by words alone (the encoder was busy): the engine's figures are not its own\n`);
