/**
 * `/corpus refresh document:` (moderators): fetches one of this server's own articles again from
 * its address, read as `/corpus add link:` reads a page (the article's current details kept where
 * the page no longer gives them), and writes it over the article's file, through the same checks,
 * log, audit and reload as an add, when anything changed. The reply says what did: passages
 * changed, added and removed, and details; or that nothing did, and then nothing is written.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ApplicationCommandOptionType, type APIChatInputApplicationCommandInteraction } from 'discord.js';
import type { Quota, Usage } from '../../engine/corpusFiles.js';
import { prepareArticle } from '../../engine/prepareArticle.js';
import type { DocumentInfo, DocumentMeta } from '../../corpus/types.js';
import { passageChanges, type PassageChanges } from '../../passages/passageChanges.js';
import { truncateAtWord } from '../../text/sentences.js';
import { formatBytes, formatReloadEmbed, problemList, shownTitle } from '../messages.js';
import { LIMITS, escapeUserText, type ReplyInput } from '../responses.js';
import { invoker, readArguments } from './arguments.js';
import type { CommandContext } from './types.js';

export const refresh = {
  name: 'refresh',
  type: ApplicationCommandOptionType.Subcommand,
  description: 'Fetch one of this server’s articles again from its link, and see what changed.',
  options: [
    {
      name: 'document',
      description: 'This server’s article to refresh (pick it from the list).',
      type: ApplicationCommandOptionType.String,
      required: true,
      autocomplete: true,
      max_length: 100,
    },
  ],
} as const;

/** How every refusal ends: members are still answered from the version they were. */
const UNCHANGED = 'The article served is unchanged.';

/** The details a refresh compares, in the order the reply names them. */
const DETAILS = ['title', 'author', 'publisher', 'published', 'url'] as const satisfies ReadonlyArray<keyof DocumentMeta>;

export async function refreshArticle(interaction: APIChatInputApplicationCommandInteraction, context: CommandContext): Promise<ReplyInput> {
  const { document: id } = readArguments(refresh, interaction);
  const found = await context.engine.documentPassages(id);
  if (!found)
    return {
      content: `None of this server’s own articles has the id “${escapeUserText(truncateAtWord(id, 100))}”. Pick one from the list; \`/corpus list\` shows them all.`,
    };
  const { document, passages } = found;
  const named = `“${escapeUserText(shownTitle(document.title, 200))}” (\`${document.id}\`)`;
  if (document.scope === undefined)
    return {
      content: `${named} is one of the articles every server is answered from, so it cannot be refreshed from Discord; only whoever runs the bot can change it, in the corpus folder. \`/corpus refresh\` refreshes this server’s own articles.`,
    };

  const { title, author, publisher, published, url } = document;
  const article = await prepareArticle(
    { link: url },
    {
      fallbacks: { title, author, publisher, published, url },
      refused: 'was not refreshed',
      optionFor: (field) => `\`/corpus add\` with \`replace: True\` and \`${field}:\``,
      fetch: { allowPrivate: context.config.fetchAllowPrivate },
    },
  );
  // The message names the address as stored: escaped, it cannot ping or format.
  if (!article.ok) return { content: truncateAtWord(`${escapeUserText(article.message)} ${UNCHANGED}`, LIMITS.content) };

  const bytes = new TextEncoder().encode(article.markdown);
  // The same page and details make the same file, byte for byte.
  if (createHash('sha256').update(bytes).digest('hex') === document.hash)
    return { content: `Nothing changed: ${named} is as its page has it now, so nothing was written.` };

  const { write, refused, duplicate, outcomes } = await context.corpus.add(
    { id: invoker(interaction)?.id ?? 'unknown', reason: '/corpus refresh' },
    {
      fileName: path.basename(document.file),
      bytes,
      replace: true,
      unique: { url: article.meta.url, fingerprint: article.fingerprint },
      refreshes: { documentId: document.id, hash: document.hash },
    },
  );
  if (duplicate) {
    const other = `“${escapeUserText(shownTitle(duplicate.document.title, 200))}” (\`${duplicate.document.id}\`)`;
    const where = duplicate.document.scope === undefined ? 'one of the articles every server is answered from' : 'another of this server’s articles';
    const same = duplicate.by === 'address' ? 'now has the address of' : 'now has the same text as';
    return { content: `Not refreshed: the page ${same} ${other}, ${where}. ${UNCHANGED}` };
  }
  if (!write) return { content: refused };
  if (!write.ok && write.reason === 'quota') return { content: quotaRefusal(write.usage, write.quota) };
  if (!write.ok)
    return { content: truncateAtWord(`Not refreshed: the new version has problems:\n${problemList(write.problems, 1500)}\n${UNCHANGED}`, LIMITS.content) };
  const served = outcomes[0]?.report.applied ? '' : ' It is saved, and will be served once a reload succeeds.';
  const texts = passages.map((passage) => passage.text);
  const changes = [describePassages(passageChanges(texts, article.passageTexts)), ...describeDetails(document, article.meta)];
  return {
    content: truncateAtWord(`Refreshed ${named} from its page: ${changes.join('; ')}.${served}`, LIMITS.content),
    embeds: [formatReloadEmbed(outcomes)],
  };
}

function describePassages({ unchanged, changed, added, removed }: PassageChanges): string {
  const total = unchanged + changed + added;
  if (changed + added + removed === 0) return `no passage’s text changed (${total} passage${total === 1 ? '' : 's'})`;
  return `${changed} passage${changed === 1 ? '' : 's'} changed, ${added} added, ${removed} removed (${total} now)`;
}

/** Each detail the page changed, as it was and as it is. */
function describeDetails(before: DocumentInfo, after: DocumentMeta): string[] {
  const shown = (value: string) => `“${escapeUserText(shownTitle(value, 100))}”`;
  return DETAILS.filter((field) => before[field] !== after[field]).map((field) => `${field} ${shown(before[field])} → ${shown(after[field])}`);
}

/** Why the new version does not fit the server's quota (`usage` is the server's with the current version). */
function quotaRefusal(usage: Usage, quota: Quota): string {
  const over =
    usage.passages !== undefined
      ? `it makes more passages than fit in the ${quota.maxPassages} a server’s own articles may make (the others make ${usage.passages})`
      : usage.articles > quota.maxArticles
        ? `this server has ${usage.articles} articles of its own, more than the ${quota.maxArticles} it may have now`
        : `it would take this server’s own articles past the ${formatBytes(quota.maxBytes)} they may take (${formatBytes(usage.bytes)} now)`;
  return `Not refreshed: ${over}. Remove an article with \`/corpus remove\`, or ask whoever runs the bot for a higher limit. ${UNCHANGED}`;
}
