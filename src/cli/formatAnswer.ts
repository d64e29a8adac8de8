/** How the CLI shows answers: readable text for people, stable JSON for programs. */
import type { Answer } from '../answers/answerQuestion.js';
import { paragraphLabel } from '../answers/attribution.js';

/** The `--json` shape: a contract, so it is built field by field. */
export function toAnswerJson(answer: Answer) {
  return {
    question: answer.question,
    /** The question as the engine read it (chat spellings spelled out, typos corrected); null when as asked. */
    understood: answer.understood ?? null,
    answered: answer.answered,
    /** Why it was not answered (not-sure: the closest passages went to the asker alone); null when answered. */
    reason: answer.reason ?? null,
    /** For a question about the article itself: what it asked (author, published, topic). */
    about: answer.about ? { intent: answer.about.intent, document: answer.about.document.id } : null,
    results: answer.results.map((result) => ({
      id: result.id,
      document: {
        id: result.document.id,
        title: result.document.title,
        author: result.document.author,
        publisher: result.document.publisher,
        published: result.document.published,
        url: result.document.url,
      },
      paragraph: result.passage.paragraph,
      score: Number(result.score.toFixed(4)),
      quote: result.quote,
      /** [start, end) in `quote` of the sentence a Discord member sees in bold; null when none is. */
      highlight: result.quoteHighlight ?? null,
    })),
  };
}

const WIDTH = 78;

/** Wraps `text` to `WIDTH` columns, each line starting with `indent`. */
function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}

export function formatAnswerText(answer: Answer): string {
  if (!answer.answered) {
    const typo = answer.didYouMean.length > 0 ? `\nDid you mean: ${answer.didYouMean.join(', ')}?` : '';
    const related = answer.related.map(
      (result) =>
        `\n\nRelated, may not answer it (“${result.document.title}”, ${paragraphLabel(result.passage)}):\n${wrap(`“${result.quote}”`, '   ')}\n   ${result.link}`,
    );
    return `Q: ${answer.question}\n\nThe article doesn't say that.${typo}${related.join('')}\n`;
  }
  const about = answer.about;
  const intro =
    about?.intent === 'author'
      ? `Written by ${about.document.author} (${about.document.publisher}, ${about.document.published}). From the article:\n\n`
      : about?.intent === 'published'
        ? `Published on ${about.document.published} by ${about.document.publisher}. It begins:\n\n`
        : about
          ? `“${about.document.title}” (${about.document.author}, ${about.document.publisher}, ${about.document.published}). It begins:\n\n`
          : '';
  const blocks = answer.results.map((result, position) => {
    const { document, passage } = result;
    const where = paragraphLabel(passage);
    return [
      wrap(`${position + 1}. “${result.quote}”`, '   ').replace(/^ {3}/, ''),
      wrap(`— ${document.author}, “${document.title}”, ${document.publisher}, ${document.published}, ${where}`, '   '),
      `   ${result.link}`,
    ].join('\n');
  });
  return `Q: ${answer.question}\n\n${intro}${blocks.join('\n\n')}\n`;
}
