/** A feedback summary in words, the same in Discord (`/feedback`) and the terminal (`npm run feedback`). */
import type { FeedbackSummary } from './feedbackStore.js';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * The summary as lines of text: totals, votes, then the questions most often declined or voted
 * 👎. `showQuestion` makes a member's question safe for where it is shown (escaped, shortened).
 */
export function feedbackReport(summary: FeedbackSummary, days: number, showQuestion: (question: string) => string): string[] {
  const period = days === 1 ? 'the last day' : `the last ${days} days`;
  if (summary.questions === 0 && summary.up + summary.down === 0) return [`No questions or votes in ${period}.`];
  const lines = [
    `${plural(summary.questions, 'question')} in ${period}: ${summary.answered} answered, ${summary.declined} declined.`,
    `Votes on answers: 👍 ${summary.up} · 👎 ${summary.down}`,
  ];
  if (summary.worst.length > 0) {
    lines.push('', 'Most down-voted or declined:');
    for (const [position, { question, declined, down }] of summary.worst.entries()) {
      const counts = [...(declined > 0 ? [`declined ${declined}×`] : []), ...(down > 0 ? [`👎 ${down}`] : [])].join(', ');
      lines.push(`${position + 1}. “${showQuestion(question)}” (${counts})`);
    }
  }
  return lines;
}
