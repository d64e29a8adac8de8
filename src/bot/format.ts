/** How engine results look in Discord: embeds and components, built from engine types only. */
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type APIComponentInMessageActionRow, type APIEmbed } from 'discord.js';
import type { Answer, AnswerResult } from '../answers/answerQuestion.js';
import type { PassageHit } from '../answers/searchPassages.js';
import type { DocumentInfo, CorpusProblem } from '../corpus/types.js';
import { formatProblemLines } from '../corpus/types.js';
import type { ReloadReport } from '../library/Library.js';
import { paragraphLabel } from '../answers/attribution.js';
import { passageRef, type Passage } from '../passages/splitIntoPassages.js';
import { truncateAtWord } from '../text/sentences.js';
import { LIMITS, escapeUserText, neutralizeMentions } from './respond.js';

/** Embed colour: one accent for every answer. */
const ACCENT = 0x5865f2;
const WARNING = 0xfaa61a;

/** "Cate Cadell · TechNode · 2015-09-25 · paragraph 5": who said it, where and when. */
export function attributionLine(document: DocumentInfo, passage?: Passage): string {
  return [document.author, document.publisher, document.published, ...(passage ? [paragraphLabel(passage)] : [])].join(' · ');
}

/** Corpus text as a Markdown block quote (mentions shown as text). */
function blockQuote(text: string): string {
  return neutralizeMentions(text)
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/** One quoted passage: the quote, the article's title linking to the quoted text, the attribution. */
export function formatQuoteEmbed(document: DocumentInfo, passage: Passage, quote: string, link: string): APIEmbed {
  return {
    color: ACCENT,
    title: truncateAtWord(document.title, LIMITS.title),
    url: link.length <= 2048 ? link : document.url,
    description: blockQuote(quote),
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
  return formatQuoteEmbed(result.document, result.passage, result.quote, result.link);
}

/** The question as asked, echoed safely above the answer. */
export function formatQuestionLine(question: string): string {
  return `**Q:** ${escapeUserText(truncateAtWord(question.replace(/\s+/g, ' '), 300))}`;
}

export function formatAbstention(answer: Answer): APIEmbed {
  const hint =
    answer.reason === 'no-terms'
      ? 'Your question has no words to look up: try naming what you want to know about.'
      : answer.suggestions.length > 0 && !answer.closest
        ? `The articles talk about: ${answer.suggestions.map((word) => `**${escapeUserText(word)}**`).join(', ')}.`
        : '';
  const closest = answer.closest;
  const nearest = closest
    ? `\n\nThe closest passage, which may not answer it (${escapeUserText(truncateAtWord(closest.document.title, 80))}, ${paragraphLabel(closest.passage)}):\n${blockQuote(truncateAtWord(closest.quote, 300))}\n[Read it in the article](${closest.link.length <= 2048 ? closest.link : closest.document.url})`
    : '';
  return {
    color: WARNING,
    title: 'The article doesn’t say that.',
    description: `${hint}${nearest}\nUse \`/sources\` to see what is in the corpus, or \`/search\` to browse it.`.trim(),
  };
}

function button(customId: string, label: string, style: ButtonStyle.Primary | ButtonStyle.Secondary = ButtonStyle.Secondary): APIButtonComponent {
  return { type: ComponentType.Button, custom_id: customId.slice(0, LIMITS.customId), label, style };
}

function linkButton(url: string, label: string): APIButtonComponent | undefined {
  return url.length <= LIMITS.linkButtonUrl ? { type: ComponentType.Button, style: ButtonStyle.Link, url, label } : undefined;
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

export function formatAnswerComponents(best: AnswerResult, { morePassageRefs, isPrivate }: AnswerButtons): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const buttons: APIButtonComponent[] = [];
  const moreId = passageListId('ask:more:', morePassageRefs);
  if (moreId !== 'ask:more:') buttons.push(button(moreId, 'More passages'));
  if (best.quoteTrimmed || best.passage.parts > 1) buttons.push(button(`ask:paragraph:${passageRef(best.passage)}`, 'Full paragraph'));
  if (isPrivate) buttons.push(button(`ask:share:${passageRef(best.passage)}`, 'Share to channel', ButtonStyle.Primary));
  const read = linkButton(best.document.url, 'Read the article');
  if (read) buttons.push(read);
  return buttons.length > 0 ? [{ type: ComponentType.ActionRow, components: buttons }] : [];
}

/** A compact list of passages: title and paragraph as a link, then the start of the text. */
export function formatPassageList(title: string, hits: PassageHit[]): APIEmbed {
  const lines = hits.map(({ passage, document }, position) => {
    const excerpt = truncateAtWord(passage.text.replace(/\s+/g, ' '), 160);
    return `**${position + 1}.** [${escapeUserText(truncateAtWord(document.title, 60))}, ¶${passage.paragraph}](${document.url}) — ${neutralizeMentions(excerpt)}`;
  });
  return { color: ACCENT, title: truncateAtWord(title, LIMITS.title), description: lines.join('\n') };
}

/** Autocomplete label for a passage: "¶5 · Microsoft has also revealed…" within 100 characters. */
export function formatPassageChoice(hit: PassageHit, showDocument: boolean): string {
  const where = showDocument ? `${truncateAtWord(hit.document.title, 30)} ¶${hit.passage.paragraph}` : `¶${hit.passage.paragraph}`;
  return truncateAtWord(`${where} · ${hit.passage.text.replace(/\s+/g, ' ')}`, LIMITS.choiceName);
}

/** `documents`: the first of `total` articles (all of them by default). */
export function formatSourcesEmbed(documents: readonly DocumentInfo[], passageCounts: ReadonlyMap<string, number>, total = documents.length): APIEmbed {
  const title = `Sources (${total} article${total === 1 ? '' : 's'})`;
  // As many articles as fit both the 25-field and the 6,000-character limits, saying so if not all.
  const room = LIMITS.embedTotal - title.length - 100;
  const fields: Array<{ name: string; value: string }> = [];
  let used = 0;
  for (const document of documents.slice(0, LIMITS.fields)) {
    const field = {
      name: truncateAtWord(document.title, LIMITS.fieldName),
      value: truncateAtWord(`${attributionLine(document)} · ${passageCounts.get(document.id) ?? 0} passages\n${document.url}`, LIMITS.fieldValue),
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
  return {
    color: ACCENT,
    title: 'Corpus reloaded',
    description:
      `${report.documents} article(s), ${report.passages} passage(s), in ${Math.round(report.ms)} ms.\n` +
      `Added: ${list(report.added)}\nRemoved: ${list(report.removed)}\nChanged: ${list(report.changed)}${notRead}${perShard}`,
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

/** "900 bytes", "512 KiB", "1.5 MiB"; rounded up, so a size just over a limit never reads as the limit. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KiB'] : [bytes / (1024 * 1024), 'MiB'];
  return `${Math.ceil(value * 10) / 10} ${unit}`;
}
