/** How engine results look in Discord: embeds and components, built from engine types only. */
import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
} from 'discord.js';
import type { Answer, AnswerResult } from '../answers/answerQuestion.js';
import type { Duplicate } from '../corpus/findDuplicate.js';
import type { Span } from '../answers/selectQuote.js';
import type { PassageHit } from '../answers/searchPassages.js';
import type { CorpusProblem, DocumentInfo, DocumentMeta } from '../corpus/types.js';
import { documentKey, formatProblemLines } from '../corpus/types.js';
import { feedbackReport } from '../feedback/feedbackReport.js';
import type { FeedbackSummary } from '../feedback/feedbackStore.js';
import type { ReloadReport } from '../library/Library.js';
import { paragraphLabel } from '../answers/attribution.js';
import { passageRef, type Passage } from '../passages/splitIntoPassages.js';
import { shownName } from '../text/controls.js';
import { truncateAtWord } from '../text/sentences.js';
import type { Vote } from './feedbackLog.js';
import { LIMITS, escapeUserText, unescapeUserText } from './responses.js';

/** Embed colour: one accent for every answer. */
const ACCENT = 0x5865f2;
const WARNING = 0xfaa61a;

/** An article's title as shown (see `shownName`), within `max` characters. */
export function shownTitle(title: string, max: number): string {
  return truncateAtWord(shownName(title), max);
}

/** "Cate Cadell · TechNode · 2015-09-25 · paragraph 5": who said it, where and when. */
export function attributionLine(document: DocumentInfo, passage?: Passage): string {
  return [shownName(document.author), shownName(document.publisher), document.published, ...(passage ? [paragraphLabel(passage)] : [])].join(' · ');
}

/**
 * Corpus text as a Markdown block quote that renders exactly as written (Markdown characters
 * escaped, mentions shown as text), with `highlight` ([start, end) in `text`) in bold.
 */
function blockQuote(text: string, highlight?: Span): string {
  const markdown = highlight
    ? `${escapeUserText(text.slice(0, highlight[0]))}**${escapeUserText(text.slice(...highlight))}**${escapeUserText(text.slice(highlight[1]))}`
    : escapeUserText(text);
  return markdown
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/**
 * One quoted passage: the quote (its best sentence in bold), the article's title linking to the
 * quoted text (the answer's one link), the attribution.
 */
export function formatQuoteEmbed(document: DocumentInfo, passage: Passage, quote: string, link: string, highlight?: Span): APIEmbed {
  return {
    color: ACCENT,
    title: shownTitle(document.title, LIMITS.title),
    url: link.length <= 2048 ? link : document.url,
    description: blockQuote(quote, highlight),
    footer: { text: attributionLine(document, passage) },
  };
}

/** What a button or a chosen suggestion says when its passage was edited or removed since. */
export const STALE_PASSAGE = 'That passage is no longer in the corpus as it was (it was edited or removed). Ask again for a fresh answer.';

/** A whole passage, linked to its article. */
export function formatPassageEmbed(document: DocumentInfo, passage: Passage): APIEmbed {
  return formatQuoteEmbed(document, passage, passage.text, document.url);
}

export function formatAnswerEmbed(result: AnswerResult): APIEmbed {
  return formatQuoteEmbed(result.document, result.passage, result.quote, result.link, result.quoteHighlight);
}

const QUESTION_LINE_PREFIX = '**Q:** ';

/** The question as asked, echoed safely above the answer. */
export function formatQuestionLine(question: string): string {
  return `${QUESTION_LINE_PREFIX}${escapeUserText(truncateAtWord(question.replace(/\s+/g, ' '), 300))}`;
}

/**
 * The question back from a message the bot sent with `formatQuestionLine` (its buttons carry no
 * question: it doesn't fit a custom_id); undefined if no line is one. Echo it only through
 * `formatQuestionLine` again.
 */
export function parseQuestionLine(content: string): string | undefined {
  const line = content.split('\n').find((candidate) => candidate.startsWith(QUESTION_LINE_PREFIX));
  return line === undefined ? undefined : unescapeUserText(line.slice(QUESTION_LINE_PREFIX.length));
}

/** Article titles listed when a decline has nothing related to show, at most. */
export const TITLES_IN_DECLINE = 5;

/**
 * A declined question, in the one form that fits what the engine found:
 * - passages about the subject that don't answer it: up to three, labelled as related (title,
 *   paragraph, first words, link), never as the answer;
 * - nothing related: no corpus text at all, only what the articles are about (`titles`: the
 *   first few, and how many there are);
 * - "did you mean" only for words the articles lack but have a likely typo of.
 * `onlyToAsker` when it was asked publicly but answered privately, which the footer says.
 */
export function formatAbstention(answer: Answer, titles: { shown: readonly string[]; total: number }, onlyToAsker = false): APIEmbed {
  const lines: string[] = [];
  if (answer.reason === 'no-terms' && answer.related.length === 0) lines.push('Your question has no words to look up: try naming what you want to know about.');
  if (answer.didYouMean.length > 0) lines.push(`Did you mean ${answer.didYouMean.map((word) => `**${escapeUserText(word)}**`).join(', ')}?`);
  const notSure = answer.reason === 'not-sure';
  if (answer.related.length > 0) {
    lines.push('', notSure ? 'The closest passages, though none clearly says what you asked:' : 'Related passages, which may not answer it:');
    for (const related of answer.related) {
      // The sentence its link highlights, so that what is read here is what the link opens on.
      const sentence = related.quoteHighlight ? related.quote.slice(...related.quoteHighlight) : related.passage.text;
      const excerpt = escapeUserText(truncateAtWord(sentence.replace(/\s+/g, ' '), 140));
      lines.push(
        `• [${escapeUserText(shownTitle(related.document.title, 70))}, ${paragraphLabel(related.passage)}](${related.link.length <= 2048 ? related.link : related.document.url}) — ${excerpt}`,
      );
    }
  } else if (titles.shown.length > 0) {
    const shown = titles.shown.slice(0, TITLES_IN_DECLINE).map((title) => `“${escapeUserText(shownTitle(title, 100))}”`);
    lines.push(`The articles are about: ${shown.join('; ')}${titles.total > shown.length ? ` and ${titles.total - shown.length} more` : ''}.`);
  }
  lines.push('', 'Use `/sources` to see what is in the corpus, or `/search` to browse it.');
  return {
    color: WARNING,
    title: notSure ? 'Not sure the articles answer that.' : 'The article doesn’t say that.',
    description: lines.join('\n').trim(),
    ...(onlyToAsker && { footer: { text: 'Shown only to you: there was nothing to quote to the channel.' } }),
  };
}

/** What a question about the article itself is answered with, from its front matter. */
export function formatAboutLine(about: NonNullable<Answer['about']>): string {
  const { document } = about;
  const title = `“${escapeUserText(shownTitle(document.title, 150))}”`;
  const author = escapeUserText(shownName(document.author));
  const publisher = escapeUserText(shownName(document.publisher));
  if (about.intent === 'author') return `${title} was written by **${author}** (${publisher}, ${document.published}).`;
  if (about.intent === 'published') return `${title} was published on **${document.published}** by ${publisher}.`;
  return `${title} (${author}, ${publisher}, ${document.published}). It begins:`;
}

/** A button that shows `face`: a label, or an emoji alone. */
function button(
  customId: string,
  face: string | { emoji: string },
  style: ButtonStyle.Primary | ButtonStyle.Secondary = ButtonStyle.Secondary,
): APIButtonComponent {
  const shown = typeof face === 'string' ? { label: face } : { emoji: { name: face.emoji } };
  return { type: ComponentType.Button, custom_id: customId.slice(0, LIMITS.customId), ...shown, style };
}

/**
 * A custom_id carrying passage references (`prefix` + refs joined by "|"), as many as fit in
 * Discord's 100 characters: the button's whole state, so it works after a restart.
 */
export function passageListId(prefix: string, refs: string[]): string {
  let value = prefix;
  for (const id of refs) {
    const next = value === prefix ? `${prefix}${id}` : `${value}|${id}`;
    if (next.length > LIMITS.customId) break;
    value = next;
  }
  return value;
}

export interface AnswerButtons {
  /** References (`passageRef`) of further passages for "More passages". */
  morePassageRefs: string[];
  /** Whether the answer was private (offers "Share to channel"). */
  isPrivate: boolean;
}

/**
 * An answer's buttons: a follow-up question, more passages, the full paragraph and sharing a
 * private answer in one row (at most 4 of Discord's 5), 👍/👎 in the next. There is no "Read the
 * article" button: the embed's title is the one link, and it opens the article at the quote.
 */
export function formatAnswerComponents(
  best: AnswerResult,
  { morePassageRefs, isPrivate }: AnswerButtons,
): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const buttons = [followUpButton([passageRef(best.passage), ...morePassageRefs])];
  const moreId = passageListId('ask:more:', morePassageRefs);
  if (moreId !== 'ask:more:') buttons.push(button(moreId, 'More passages'));
  if (best.quoteTrimmed || best.passage.parts > 1) buttons.push(button(`ask:paragraph:${passageRef(best.passage)}`, 'Full paragraph'));
  if (isPrivate) buttons.push(button(`ask:share:${passageRef(best.passage)}`, 'Share to channel', ButtonStyle.Primary));
  return [actionRow(buttons), actionRow(voteButtons(best.passage))];
}

/** The custom_id prefix of the *Follow up* button and of the form it opens. */
export const FOLLOW_UP_PREFIX = 'ask:followup:';

/**
 * *Follow up*: opens a form for another question on the same subject. Its custom_id carries the
 * passages the answer was found with (best first, as many as fit); the question comes back from
 * the message's `**Q:**` line.
 */
export function followUpButton(passageRefs: string[]): APIButtonComponent {
  return button(passageListId(FOLLOW_UP_PREFIX, passageRefs), 'Follow up');
}

export function actionRow(buttons: APIButtonComponent[]): APIActionRowComponent<APIComponentInMessageActionRow> {
  return { type: ComponentType.ActionRow, components: buttons };
}

/** The votes a member can give an answer, each with its button's emoji. */
export const VOTES: Readonly<Record<Vote, string>> = { up: '👍', down: '👎' };

/** 👍 and 👎 for a quoted passage: a custom_id `ask:vote:<vote>:<passage ref>` carries all they need. */
export function voteButtons(passage: Passage): APIButtonComponent[] {
  return Object.entries(VOTES).map(([vote, emoji]) => button(`ask:vote:${vote}:${passageRef(passage)}`, { emoji }));
}

/** A compact list of passages: title and paragraph as a link, then the start of the text. */
export function formatPassageList(title: string, hits: PassageHit[]): APIEmbed {
  const lines = hits.map(({ passage, document }, position) => {
    const excerpt = truncateAtWord(passage.text.replace(/\s+/g, ' '), 160);
    return `**${position + 1}.** [${escapeUserText(shownTitle(document.title, 60))}, ¶${passage.paragraph}](${document.url}) — ${escapeUserText(excerpt)}`;
  });
  return { color: ACCENT, title: truncateAtWord(title, LIMITS.title), description: lines.join('\n') };
}

/** Autocomplete label for a passage: "¶5 · Microsoft has also revealed…" within 100 characters. */
export function formatPassageChoice(hit: PassageHit, showDocument: boolean): string {
  const where = showDocument ? `${shownTitle(hit.document.title, 30)} ¶${hit.passage.paragraph}` : `¶${hit.passage.paragraph}`;
  return truncateAtWord(`${where} · ${hit.passage.text.replace(/\s+/g, ' ')}`, LIMITS.choiceName);
}

/** `documents`: the first of `total` articles (all of them by default); `passageCounts` by `documentKey`. */
export function formatSourcesEmbed(documents: readonly DocumentInfo[], passageCounts: ReadonlyMap<string, number>, total = documents.length): APIEmbed {
  const title = `Sources (${total} article${total === 1 ? '' : 's'})`;
  // As many articles as fit both the 25-field and the 6,000-character limits, saying so if not all.
  const room = LIMITS.embedTotal - title.length - 100;
  const fields: Array<{ name: string; value: string }> = [];
  let used = 0;
  for (const document of documents.slice(0, LIMITS.fields)) {
    const field = {
      name: shownTitle(document.title, LIMITS.fieldName),
      value: truncateAtWord(`${attributionLine(document)} · ${passageCounts.get(documentKey(document)) ?? 0} passages\n${document.url}`, LIMITS.fieldValue),
    };
    if (used + field.name.length + field.value.length > room) break;
    fields.push(field);
    used += field.name.length + field.value.length;
  }
  return {
    color: ACCENT,
    title,
    description: fields.length < total ? `Showing ${fields.length} of ${total}; \`/search\` finds passages in all of them.` : undefined,
    fields,
  };
}

/** What members will be given from an article just added: its details, how many passages it makes and how it begins. */
export function formatArticlePreview(meta: DocumentMeta, passages: number, firstSentence: string): APIEmbed {
  const field = (name: string, value: string, inline = true) => ({ name, value: truncateAtWord(escapeUserText(shownName(value)), LIMITS.fieldValue), inline });
  // The date and the count are checked formats, not free text: shown as they are.
  const plain = (name: string, value: string) => ({ name, value, inline: true });
  return {
    color: ACCENT,
    title: shownTitle(meta.title, LIMITS.title),
    ...(meta.url.length <= 2048 && { url: meta.url }),
    description: blockQuote(truncateAtWord(firstSentence, 1000)),
    fields: [
      field('Author', meta.author),
      field('Publisher', meta.publisher),
      plain('Published', meta.published),
      plain('Passages', String(passages)),
      field('Link', meta.url, false),
    ],
  };
}

/** Where an article is from, as a reader names it: its site's host name (the address itself when it has none). */
function siteOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

/** A `/corpus remove` suggestion: the title, then the day it was added and its site, which tell look-alikes apart. */
export function articleChoice(document: DocumentInfo, added: string | undefined): string {
  const details = ` · ${added ? `added ${added} · ` : ''}${siteOf(document.url)}`.slice(0, LIMITS.choiceName / 2);
  return `${shownTitle(document.title, LIMITS.choiceName - details.length)}${details}`;
}

/** One page of `/corpus list`: each of this server's own articles with the day it was added, its passages and its link. */
export function formatOwnArticles(
  documents: readonly DocumentInfo[],
  passageCounts: ReadonlyMap<string, number>,
  added: ReadonlyMap<string, string>,
  { page, pages, total }: { page: number; pages: number; total: number },
): APIEmbed {
  return {
    color: ACCENT,
    title: `This server’s articles (${total})`,
    ...(pages > 1 && { description: `Page ${page} of ${pages}${page < pages ? `: \`/corpus list page: ${page + 1}\` shows the next.` : '.'}` }),
    fields: documents.map((document) => {
      const passages = passageCounts.get(documentKey(document)) ?? 0;
      const when = added.has(document.file) ? `added ${added.get(document.file)} · ` : '';
      return {
        name: shownTitle(document.title, LIMITS.fieldName),
        value: truncateAtWord(
          `${when}${passages} passage${passages === 1 ? '' : 's'} · \`${document.id}\`\n${escapeUserText(document.url)}`,
          LIMITS.fieldValue,
        ),
      };
    }),
  };
}

/** What a moderator sees after a reload: what changed, or why nothing did. */
export function formatReloadEmbed(outcomes: Array<{ shard?: number; report: ReloadReport }>): APIEmbed {
  const [first] = outcomes;
  if (!first) return { color: WARNING, title: 'Nothing was reloaded.' };
  const { report } = first;
  const list = (ids: string[]) => (ids.length === 0 ? 'none' : ids.map((id) => `\`${id}\``).join(', '));
  const perShard =
    outcomes.length > 1
      ? `\n${outcomes.map(({ shard, report: r }) => `Shard ${shard ?? '?'}: ${r.applied ? `applied (${Math.round(r.ms)} ms)` : 'kept the previous corpus'}`).join('\n')}`
      : '';
  // Files a moderator may expect to be articles, though the loader does not read them.
  const notRead = report.skipped.length > 0 ? `\nNot read:\n${problemList(report.skipped, 600)}` : '';
  if (!report.applied) {
    return {
      color: WARNING,
      title: 'Reload refused: still serving the previous corpus',
      description: `Fix these and reload again:\n${problemList(report.problems)}${notRead}${perShard}`,
    };
  }
  // Each broken file fails alone: the others are served, and these are for their owners to fix.
  const leftOut =
    report.problems.length > 0 ? `\nLeft out until fixed (a file that was served keeps its last good version):\n${problemList(report.problems, 1500)}` : '';
  return {
    color: ACCENT,
    title: 'Corpus reloaded',
    description:
      `${report.documents} article(s), ${report.passages} passage(s), in ${Math.round(report.ms)} ms.\n` +
      `Added: ${list(report.added)}\nRemoved: ${list(report.removed)}\nChanged: ${list(report.changed)}${leftOut}${notRead}${perShard}`,
  };
}

/** Why an uploaded file was not added, problem by problem. */
export function formatRejectedUpload(file: string, problems: CorpusProblem[]): APIEmbed {
  return {
    color: WARNING,
    title: truncateAtWord(`Not added: ${file} has problems`, LIMITS.title),
    description: `Fix these and upload it again:\n${problemList(problems)}\nNothing was written; the corpus is unchanged.`,
  };
}

/**
 * Problems as a code block, one `file:line: message` each (one line for a message several files
 * share), cut to about `budget` characters to fit an embed.
 */
export function problemList(problems: CorpusProblem[], budget = 3000): string {
  const lines = formatProblemLines(problems, 3).map((line) => truncateAtWord(line.replace(/`/g, "'"), 300));
  let text = '';
  for (const [index, line] of lines.entries()) {
    if (text.length + line.length > budget) {
      text += `\n… and ${lines.length - index} more`;
      break;
    }
    text += (text ? '\n' : '') + line;
  }
  return `\`\`\`\n${text}\n\`\`\``;
}

/** What `/feedback` shows: a server's recent feedback, its members' questions escaped and shortened. */
export function formatFeedbackEmbed(summary: FeedbackSummary, days: number): APIEmbed {
  return {
    color: summary.worst.length > 0 ? WARNING : ACCENT,
    title: 'Feedback from this server',
    description: feedbackReport(summary, days, (question) => escapeUserText(truncateAtWord(question.replace(/\s+/g, ' '), 200))).join('\n'),
    footer: { text: 'Members vote with 👍/👎 under each answer. Who asked or voted is never recorded.' },
  };
}

/** "900 bytes", "512 KiB", "1.5 MiB"; rounded up, so a size just over a limit never reads as the limit. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KiB'] : [bytes / (1024 * 1024), 'MiB'];
  return `${Math.ceil(value * 10) / 10} ${unit}`;
}

/**
 * Why an article already served refused a new one (`findDuplicate`), and what to do: `/corpus add`
 * and `corpus:add` say it alike, each naming its own way to replace (`rerun`). `inTarget`: the
 * article is among those being added to, so replacing updates it; otherwise it is a base article
 * seen from a server's, which `baseReplace` says who may change.
 */
export function duplicateRefusal(
  { document, by }: Duplicate<DocumentInfo>,
  { inTarget, replace, rerun, baseReplace }: { inTarget: boolean; replace: boolean; rerun: string; baseReplace: string },
): string {
  const named = `“${escapeUserText(shownTitle(document.title, 200))}” (\`${document.id}\`)`;
  const same = by === 'address' ? 'at the same address' : 'with the same text';
  if (!inTarget) return `Not added: ${named} is ${same} among the articles every server is answered from${replace ? `, ${baseReplace}` : ''}.`;
  const holder = document.scope === undefined ? 'the corpus' : 'this server';
  return `Not added: ${holder} already has ${named} ${same}. To update it, ${rerun}.`;
}
