/**
 * `/corpus add|remove` (moderators): change this server's own articles from Discord (the base,
 * which every server sees, is the operator's, on disk). `add` takes an uploaded .md file (with its
 * own front matter; the metadata options must then be left out, so there is one source of truth)
 * or a .txt file (the metadata options become its front matter), within the server's quota.
 */
import path from 'node:path';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIChatInputApplicationCommandInteraction,
} from 'discord.js';
import { decodeText, markdownFromText, metadataProblems, safeCorpusFileName, type Quota, type Usage } from '../../engine/corpusFiles.js';
import { REQUIRED_FIELDS } from '../../corpus/parseCorpusFile.js';
import type { DocumentMeta } from '../../corpus/types.js';
import { truncateAtWord } from '../../text/sentences.js';
import { DownloadError, downloadAttachment } from '../downloadAttachment.js';
import { formatBytes, formatRejectedUpload, formatReloadEmbed, shownTitle } from '../messages.js';
import { LIMITS, escapeUserText, type ReplyInput } from '../responses.js';
import { focusedValue, invoker, readArguments, subcommandName } from './arguments.js';
import type { ChatInputCommand, CommandContext } from './types.js';

/** Long enough for a slow link to fetch the largest upload; well within the 15 minutes an interaction lives. */
const DOWNLOAD_TIMEOUT_MS = 15_000;

const add = {
  name: 'add',
  type: ApplicationCommandOptionType.Subcommand,
  description: 'Add an article: a .md file with front matter, or a .txt file with the options below.',
  options: [
    { name: 'file', description: 'The article (.md with front matter, or .txt plain text).', type: ApplicationCommandOptionType.Attachment, required: true },
    {
      name: 'replace',
      description: 'Overwrite the corpus file of the same name (default: refuse).',
      type: ApplicationCommandOptionType.Boolean,
      required: false,
    },
    { name: 'title', description: 'For a .txt file: the article’s title.', type: ApplicationCommandOptionType.String, required: false, max_length: 300 },
    { name: 'author', description: 'For a .txt file: who wrote it.', type: ApplicationCommandOptionType.String, required: false, max_length: 200 },
    { name: 'publisher', description: 'For a .txt file: where it was published.', type: ApplicationCommandOptionType.String, required: false, max_length: 200 },
    {
      name: 'published',
      description: 'For a .txt file: the publication date, YYYY-MM-DD.',
      type: ApplicationCommandOptionType.String,
      required: false,
      max_length: 10,
    },
    {
      name: 'url',
      description: 'For a .txt file: the article’s web address (http or https).',
      type: ApplicationCommandOptionType.String,
      required: false,
      max_length: 2000,
    },
  ],
} as const;

const remove = {
  name: 'remove',
  type: ApplicationCommandOptionType.Subcommand,
  description: 'Retire one of this server’s own articles: its file moves to .removed/ in the server’s folder.',
  options: [
    {
      name: 'document',
      description: 'This server’s article to remove (pick it from the list).',
      type: ApplicationCommandOptionType.String,
      required: true,
      autocomplete: true,
      max_length: 100,
    },
  ],
} as const;

const definition = {
  name: 'corpus',
  type: ApplicationCommandType.ChatInput,
  description: 'Moderators: add or remove this server’s own articles.',
  default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
  contexts: [InteractionContextType.Guild],
  options: [add, remove],
} as const;

const fieldList = (fields: readonly string[]) => fields.map((field) => `\`${field}\``).join(', ');

async function addArticle(interaction: APIChatInputApplicationCommandInteraction, context: CommandContext): Promise<ReplyInput> {
  const { file, replace = false, ...meta } = readArguments(add, interaction);
  if (!file) return { content: 'Attach the article file to `/corpus add` (the `file` option).' };
  const shown = `“${escapeUserText(truncateAtWord(file.filename, 100))}”`;
  const kind = path.extname(file.filename).toLowerCase();
  if (kind !== '.md' && kind !== '.txt')
    return { content: `Only .md (Markdown with front matter) and .txt (plain text) files can be added, and ${shown} is neither.` };
  const fileName = safeCorpusFileName(file.filename);
  if (fileName === undefined)
    return { content: `${shown} has no letter or digit to name the corpus file after: rename it (for example \`my-article${kind}\`) and upload it again.` };

  const given = REQUIRED_FIELDS.filter((field) => meta[field] !== undefined);
  const missing = REQUIRED_FIELDS.filter((field) => meta[field] === undefined);
  if (kind === '.md' && given.length > 0)
    return { content: `A .md file carries its details in its front matter: leave out ${fieldList(given)}, or upload a .txt file.` };
  if (kind === '.txt' && missing.length > 0) return { content: `A .txt file needs the article’s details as options. Missing: ${fieldList(missing)}.` };
  // Named as the options they are: the front matter they would become is a file the moderator never saw.
  const badOptions = kind === '.txt' ? metadataProblems(meta as DocumentMeta) : [];
  if (badOptions.length > 0) {
    const lines = badOptions.map(({ field, message }) => `The \`${field}\` option ${escapeUserText(truncateAtWord(message, 300))}.`);
    return {
      content: `Not added: fix ${badOptions.length === 1 ? 'this option' : 'these options'} and run \`/corpus add\` again.\n${lines.join('\n')}\nNothing was written.`,
    };
  }

  const { maxUploadBytes } = context.config;
  // Discord states the size up front: a file over the limit is refused without downloading it.
  if (file.size > maxUploadBytes) return { content: `${shown} is ${formatBytes(file.size)}; the upload limit is ${formatBytes(maxUploadBytes)}.` };
  let bytes: Uint8Array;
  try {
    bytes = await downloadAttachment(file.url, { allowedBase: context.config.cdnUrl, maxBytes: maxUploadBytes, timeoutMs: DOWNLOAD_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof DownloadError) return { content: error.message };
    throw error;
  }
  if (kind === '.txt') {
    const decoded = decodeText(fileName, bytes, maxUploadBytes);
    if ('problem' in decoded) return { embeds: [formatRejectedUpload(fileName, [decoded.problem])] };
    bytes = new TextEncoder().encode(markdownFromText(decoded.text, meta as DocumentMeta));
  }

  const { write, refused, outcomes } = await context.corpus.add(
    { id: invoker(interaction)?.id ?? 'unknown', reason: '/corpus add' },
    { fileName, bytes, replace },
  );
  if (!write) return { content: refused };
  if (!write.ok && write.reason === 'exists')
    return { content: `\`${fileName}\` is already in the corpus. To overwrite it, run \`/corpus add\` again with \`replace: True\`.` };
  if (!write.ok && write.reason === 'quota') return { content: quotaRefusal(write.usage, write.quota, bytes.length) };
  if (!write.ok) return { embeds: [formatRejectedUpload(fileName, write.problems)] };
  const served = outcomes[0]?.report.applied ? '' : ' It is saved, and will be served once a reload succeeds.';
  const { serverMaxArticles, serverMaxBytes } = context.config;
  const usage = write.usage
    ? ` This server now has ${write.usage.articles} of its ${serverMaxArticles} articles (${formatBytes(write.usage.bytes)} of ${formatBytes(serverMaxBytes)}).`
    : '';
  return {
    content: `${write.replaced ? 'Replaced' : 'Added'} \`${write.file}\` (article \`${write.documentId}\`).${served}${usage}`,
    embeds: [formatReloadEmbed(outcomes)],
  };
}

/** Why an upload would take the server past its quota, with the limit and where the server stands. */
function quotaRefusal(usage: Usage, quota: Quota, uploadBytes: number): string {
  if (quota.maxArticles === 0) return 'Not added: whoever runs this bot has not allowed servers to add their own articles.';
  if (usage.passages !== undefined) {
    return (
      `Not added: a server’s own articles may make at most ${quota.maxPassages} passages (paragraphs, or parts of long ones) in all. ` +
      `This server’s make ${usage.passages}, and this file would add more than fit. ` +
      'Join short paragraphs together, remove an article with `/corpus remove`, or ask whoever runs the bot for a higher limit.'
    );
  }
  return (
    `Not added: a server may have at most ${quota.maxArticles} articles of its own, ${formatBytes(quota.maxBytes)} in all. ` +
    `This server has ${usage.articles} (${formatBytes(usage.bytes)}), and this file is ${formatBytes(uploadBytes)}. ` +
    'Remove one with `/corpus remove` first, or ask whoever runs the bot for a higher limit.'
  );
}

async function removeArticle(interaction: APIChatInputApplicationCommandInteraction, context: CommandContext): Promise<ReplyInput> {
  const { document } = readArguments(remove, interaction);
  const { retired, refused, outcomes } = await context.corpus.remove({ id: invoker(interaction)?.id ?? 'unknown', reason: '/corpus remove' }, document);
  if (refused) return { content: refused };
  if (!retired)
    return {
      content: `None of this server’s own articles has the id “${escapeUserText(truncateAtWord(document, 100))}”. Pick one from the list; \`/sources\` shows them all.`,
    };
  // The file is gone from the folder, but a refused reload keeps the previous corpus, this article included.
  const stillServed = outcomes[0]?.report.applied ? '' : ' The article is still served until the problems below are fixed and a reload succeeds.';
  return {
    content: `Moved \`${retired.file}\` (“${escapeUserText(shownTitle(retired.title, 200))}”) to \`${retired.movedTo}\`.${stillServed}`,
    embeds: [formatReloadEmbed(outcomes)],
  };
}

export const corpusCommand: ChatInputCommand = {
  definition,
  preconditions: ['moderator'],
  async execute(interaction, responder, context) {
    // Downloading, validating and reindexing can outlast the 3 s Discord allows for a first reply.
    await responder.defer({ ephemeral: true });
    await responder.send(subcommandName(interaction) === add.name ? await addArticle(interaction, context) : await removeArticle(interaction, context));
  },
  /** This server's own served articles whose title or id contains what was typed; the value is the id. */
  async autocomplete(interaction, responder, context) {
    const matches = await context.engine.findDocuments(focusedValue(interaction), LIMITS.autocompleteChoices, { own: true });
    await responder.autocomplete(matches.map((document) => ({ name: shownTitle(document.title, LIMITS.choiceName), value: document.id })));
  },
};
