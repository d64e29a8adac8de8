/**
 * `/corpus add|remove` (moderators): change the corpus from Discord. `add` takes an uploaded
 * .md file (with its own front matter; the metadata options must then be left out, so there is
 * one source of truth) or a .txt file (the metadata options become its front matter).
 */
import path from 'node:path';
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType, PermissionFlagsBits, type APIChatInputApplicationCommandInteraction } from 'discord.js';
import { decodeText, markdownFromText, metadataProblems, safeCorpusFileName } from '../../corpus/corpusFiles.js';
import { REQUIRED_FIELDS } from '../../corpus/parseCorpusFile.js';
import type { DocumentMeta } from '../../corpus/types.js';
import { truncateAtWord } from '../../text/sentences.js';
import { DownloadError, downloadAttachment } from '../downloadAttachment.js';
import { formatBytes, formatRejectedUpload, formatReloadEmbed } from '../format.js';
import { LIMITS, escapeUserText, type ReplyInput } from '../respond.js';
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
    { name: 'replace', description: 'Overwrite the corpus file of the same name (default: refuse).', type: ApplicationCommandOptionType.Boolean, required: false },
    { name: 'title', description: 'For a .txt file: the article’s title.', type: ApplicationCommandOptionType.String, required: false, max_length: 300 },
    { name: 'author', description: 'For a .txt file: who wrote it.', type: ApplicationCommandOptionType.String, required: false, max_length: 200 },
    { name: 'publisher', description: 'For a .txt file: where it was published.', type: ApplicationCommandOptionType.String, required: false, max_length: 200 },
    { name: 'published', description: 'For a .txt file: the publication date, YYYY-MM-DD.', type: ApplicationCommandOptionType.String, required: false, max_length: 10 },
    { name: 'url', description: 'For a .txt file: the article’s web address (http or https).', type: ApplicationCommandOptionType.String, required: false, max_length: 2000 },
  ],
} as const;

const remove = {
  name: 'remove',
  type: ApplicationCommandOptionType.Subcommand,
  description: 'Retire an article: its file moves to .removed/ in the corpus folder.',
  options: [
    { name: 'document', description: 'The article to remove (pick it from the list).', type: ApplicationCommandOptionType.String, required: true, autocomplete: true, max_length: 100 },
  ],
} as const;

const definition = {
  name: 'corpus',
  type: ApplicationCommandType.ChatInput,
  description: 'Moderators: add or remove articles.',
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
  if (kind !== '.md' && kind !== '.txt') return { content: `Only .md (Markdown with front matter) and .txt (plain text) files can be added, and ${shown} is neither.` };
  const fileName = safeCorpusFileName(file.filename);
  if (fileName === undefined) return { content: `${shown} has no letter or digit to name the corpus file after: rename it (for example \`my-article${kind}\`) and upload it again.` };

  const given = REQUIRED_FIELDS.filter((field) => meta[field] !== undefined);
  const missing = REQUIRED_FIELDS.filter((field) => meta[field] === undefined);
  if (kind === '.md' && given.length > 0) return { content: `A .md file carries its details in its front matter: leave out ${fieldList(given)}, or upload a .txt file.` };
  if (kind === '.txt' && missing.length > 0) return { content: `A .txt file needs the article’s details as options. Missing: ${fieldList(missing)}.` };
  // Named as the options they are: the front matter they would become is a file the moderator never saw.
  const badOptions = kind === '.txt' ? metadataProblems(meta as DocumentMeta) : [];
  if (badOptions.length > 0) {
    const lines = badOptions.map(({ field, message }) => `The \`${field}\` option ${escapeUserText(truncateAtWord(message, 300))}.`);
    return { content: `Not added: fix ${badOptions.length === 1 ? 'this option' : 'these options'} and run \`/corpus add\` again.\n${lines.join('\n')}\nNothing was written.` };
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

  const { write, refused, outcomes } = await context.corpus.add({ id: invoker(interaction)?.id ?? 'unknown', reason: '/corpus add' }, { fileName, bytes, replace });
  if (!write) return { content: refused };
  if (!write.ok && write.reason === 'exists') return { content: `\`${fileName}\` is already in the corpus. To overwrite it, run \`/corpus add\` again with \`replace: True\`.` };
  if (!write.ok) return { embeds: [formatRejectedUpload(fileName, write.problems)] };
  const served = outcomes[0]?.report.applied ? '' : ' It is saved, and will be served once a reload succeeds.';
  return { content: `${write.replaced ? 'Replaced' : 'Added'} \`${write.file}\` (article \`${write.documentId}\`).${served}`, embeds: [formatReloadEmbed(outcomes)] };
}

async function removeArticle(interaction: APIChatInputApplicationCommandInteraction, context: CommandContext): Promise<ReplyInput> {
  const { document } = readArguments(remove, interaction);
  const { retired, refused, outcomes } = await context.corpus.remove({ id: invoker(interaction)?.id ?? 'unknown', reason: '/corpus remove' }, document);
  if (refused) return { content: refused };
  if (!retired) return { content: `No article file has the id “${escapeUserText(truncateAtWord(document, 100))}”. Pick one from the list; \`/sources\` shows them all.` };
  // The file is gone from the folder, but a refused reload keeps the previous corpus, this article included.
  const stillServed = outcomes[0]?.report.applied ? '' : ' The article is still served until the problems below are fixed and a reload succeeds.';
  return {
    content: `Moved \`${retired.file}\` (“${escapeUserText(truncateAtWord(retired.title, 200))}”) to \`${retired.movedTo}\`.${stillServed}`,
    embeds: [formatReloadEmbed(outcomes)],
  };
}

export const corpusCommand: ChatInputCommand = {
  definition,
  moderatorOnly: true,
  async execute(interaction, responder, context) {
    // Downloading, validating and reindexing can outlast the 3 s Discord allows for a first reply.
    await responder.defer({ ephemeral: true });
    await responder.send(subcommandName(interaction) === add.name ? await addArticle(interaction, context) : await removeArticle(interaction, context));
  },
  /** The served articles whose title or id contains what was typed; the value is the id. */
  async autocomplete(interaction, responder, context) {
    const matches = await context.library.findDocuments(focusedValue(interaction), LIMITS.autocompleteChoices);
    await responder.autocomplete(matches.map((document) => ({ name: truncateAtWord(document.title, LIMITS.choiceName), value: document.id })));
  },
};
