/**
 * `/corpus add|list|remove` (moderators): change this server's own articles from Discord (the base,
 * which every server sees, is the operator's, on disk). `add` takes a link, or an uploaded page,
 * PDF, .docx or .txt file, read as `prepareArticle` reads them (the metadata options override what
 * was found), or a .md file with its own front matter (the options must then be left out, so
 * there is one source of truth); it refuses an article the server already sees unless `replace`,
 * and stays within the server's quota.
 */
import path from 'node:path';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIAttachment,
  type APIChatInputApplicationCommandInteraction,
} from 'discord.js';
import { safeCorpusFileName, writtenDates, type Quota, type Usage } from '../../engine/corpusFiles.js';
import { FILE_KINDS, prepareArticle, type Prepared } from '../../engine/prepareArticle.js';
import { parseCorpusFile, REQUIRED_FIELDS } from '../../corpus/parseCorpusFile.js';
import { articleFingerprint, splitIntoPassages } from '../../passages/splitIntoPassages.js';
import type { DocumentMeta } from '../../corpus/types.js';
import { splitSentences, truncateAtWord } from '../../text/sentences.js';
import { DownloadError, downloadAttachment } from '../downloadAttachment.js';
import {
  articleChoice,
  duplicateRefusal,
  formatArticlePreview,
  formatBytes,
  formatOwnArticles,
  formatRejectedUpload,
  formatReloadEmbed,
  shownTitle,
} from '../messages.js';
import { LIMITS, escapeUserText, type ReplyInput } from '../responses.js';
import { focusedValue, invoker, readArguments, subcommandName } from './arguments.js';
import { refresh, refreshArticle } from './corpusRefresh.js';
import { feeds, follow, followFeed, listFeeds, suggestFeeds, unfollow, unfollowFeed } from './corpusFeeds.js';
import type { ChatInputCommand, CommandContext } from './types.js';

/** Long enough for a slow link to fetch the largest upload; well within the 15 minutes an interaction lives. */
const DOWNLOAD_TIMEOUT_MS = 15_000;

const add = {
  name: 'add',
  type: ApplicationCommandOptionType.Subcommand,
  description: 'Add an article from its link, or from a file: a saved web page, PDF, Word, .txt or .md.',
  options: [
    { name: 'link', description: 'The article’s web address (http or https).', type: ApplicationCommandOptionType.String, required: false, max_length: 2000 },
    {
      name: 'file',
      description: 'Or the article as a file: .html, .htm, .pdf, .docx, .txt, or .md with front matter.',
      type: ApplicationCommandOptionType.Attachment,
      required: false,
    },
    {
      name: 'replace',
      description: 'Update the article if this server already has it (default: refuse).',
      type: ApplicationCommandOptionType.Boolean,
      required: false,
    },
    { name: 'title', description: 'The article’s title, if not the one found.', type: ApplicationCommandOptionType.String, required: false, max_length: 300 },
    { name: 'author', description: 'Who wrote it, if not the one found.', type: ApplicationCommandOptionType.String, required: false, max_length: 200 },
    {
      name: 'publisher',
      description: 'Where it was published, if not the one found.',
      type: ApplicationCommandOptionType.String,
      required: false,
      max_length: 200,
    },
    {
      name: 'published',
      description: 'The publication date, YYYY-MM-DD, if not the one found.',
      type: ApplicationCommandOptionType.String,
      required: false,
      max_length: 10,
    },
    {
      name: 'url',
      description: 'The article’s canonical web address, if not the one found.',
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

const list = {
  name: 'list',
  type: ApplicationCommandOptionType.Subcommand,
  description: 'List this server’s own articles: title, date added, link and passages.',
  options: [
    { name: 'page', description: 'Which page of the list (default: the first).', type: ApplicationCommandOptionType.Integer, required: false, min_value: 1 },
  ],
} as const;

/** Articles per page of `/corpus list`: each a field, well within an embed's 25 fields and 6,000 characters. */
const LIST_PAGE = 10;

const definition = {
  name: 'corpus',
  type: ApplicationCommandType.ChatInput,
  description: 'Moderators: add, list, refresh or remove this server’s own articles, or follow feeds.',
  default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
  contexts: [InteractionContextType.Guild],
  options: [add, list, refresh, remove, follow, unfollow, feeds],
} as const;

const fieldList = (fields: readonly string[]) => fields.map((field) => `\`${field}\``).join(', ');

/** An article ready to write, and what the preview shows of it. */
type Ready = Pick<Extract<Prepared, { ok: true }>, 'fileName' | 'meta' | 'text' | 'passages' | 'fingerprint'> & { bytes: Uint8Array };

async function addArticle(interaction: APIChatInputApplicationCommandInteraction, context: CommandContext): Promise<ReplyInput> {
  const { file, link, replace = false, ...meta } = readArguments(add, interaction);
  if ((file === undefined) === (link === undefined)) return { content: 'Give `/corpus add` the article’s `link`, or upload it as `file`: one of the two.' };
  const ready = file ? await fromUpload(file, meta, context) : await fromLink(link!, meta, context);
  if (!('fingerprint' in ready)) return ready;

  const { write, refused, duplicate, outcomes } = await context.corpus.add(
    { id: invoker(interaction)?.id ?? 'unknown', reason: '/corpus add' },
    { fileName: ready.fileName, bytes: ready.bytes, replace, unique: { url: ready.meta.url, fingerprint: ready.fingerprint } },
  );
  if (duplicate)
    return {
      content: duplicateRefusal(duplicate, {
        // A server replaces its own articles only, never the base's.
        inTarget: duplicate.document.scope !== undefined,
        replace,
        rerun: 'run `/corpus add` again with `replace: True`',
        baseReplace: 'which only whoever runs the bot can change',
      }),
    };
  if (!write) return { content: refused };
  if (!write.ok && write.reason === 'exists')
    return { content: `\`${ready.fileName}\` is already in the corpus. To overwrite it, run \`/corpus add\` again with \`replace: True\`.` };
  if (!write.ok && write.reason === 'quota') return { content: quotaRefusal(write.usage, write.quota, ready.bytes.length) };
  if (!write.ok) return { embeds: [formatRejectedUpload(ready.fileName, write.problems)] };
  const served = outcomes[0]?.report.applied ? '' : ' It is saved, and will be served once a reload succeeds.';
  const { serverMaxArticles, serverMaxBytes } = context.config;
  const usage = write.usage
    ? ` This server now has ${write.usage.articles} of its ${serverMaxArticles} articles (${formatBytes(write.usage.bytes)} of ${formatBytes(serverMaxBytes)}).`
    : '';
  // The first paragraph, not a heading above it.
  const firstParagraph = ready.text.split(/\n{2,}/).find((block) => block.trim() !== '' && !block.trimStart().startsWith('#')) ?? '';
  const firstSentence = splitSentences(firstParagraph.trim())[0] ?? '';
  return {
    content: `${write.replaced ? 'Replaced' : 'Added'} \`${write.file}\` (article \`${write.documentId}\`).${served}${usage}`,
    embeds: [formatArticlePreview(ready.meta, ready.passages, firstSentence), formatReloadEmbed(outcomes)],
  };
}

type Overrides = Partial<DocumentMeta>;

/** A link, fetched and read off this thread (safeFetch, the extraction worker). */
async function fromLink(link: string, overrides: Overrides, context: CommandContext): Promise<Ready | ReplyInput> {
  return prepared(await prepareArticle({ link }, { overrides, optionFor, fetch: { allowPrivate: context.config.fetchAllowPrivate } }));
}

/** An upload, downloaded from Discord's attachment server only; a .md file carries its own front matter. */
async function fromUpload(file: APIAttachment, overrides: Overrides, context: CommandContext): Promise<Ready | ReplyInput> {
  const shown = `“${escapeUserText(truncateAtWord(file.filename, 100))}”`;
  const kind = path.extname(file.filename).toLowerCase();
  if (kind !== '.md' && !(kind in FILE_KINDS))
    return {
      content: `${shown} cannot be read: add a saved web page (.html, .htm), a PDF, a Word file (.docx), plain text (.txt) or Markdown with front matter (.md), or give the article’s \`link\`.`,
    };
  const given = REQUIRED_FIELDS.filter((field) => overrides[field] !== undefined);
  if (kind === '.md' && given.length > 0)
    return { content: `A .md file carries its details in its front matter: leave out ${fieldList(given)}, or upload it as a .txt file.` };

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
  if (kind !== '.md') return prepared(await prepareArticle({ name: file.filename, bytes }, { overrides, optionFor }));

  const fileName = safeCorpusFileName(file.filename);
  if (fileName === undefined)
    return { content: `${shown} has no letter or digit to name the corpus file after: rename it (for example \`my-article.md\`) and upload it again.` };
  const { document, problems } = parseCorpusFile(fileName, bytes, maxUploadBytes);
  if (!document) return { embeds: [formatRejectedUpload(fileName, problems)] };
  const { title, author, publisher, published, url } = document;
  const passages = splitIntoPassages(document);
  return {
    fileName,
    bytes,
    meta: { title, author, publisher, published, url },
    text: document.body,
    passages: passages.length,
    fingerprint: articleFingerprint(passages),
  };
}

/** How the reply names the option that sets a field. */
const optionFor = (field: keyof DocumentMeta) => `${field}:`;

function prepared(article: Prepared): Ready | ReplyInput {
  // The message names the link or file as given: escaped, it cannot ping or format.
  if (!article.ok) return { content: truncateAtWord(escapeUserText(article.message), LIMITS.content) };
  return { ...article, bytes: new TextEncoder().encode(article.markdown) };
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

async function listArticles(interaction: APIChatInputApplicationCommandInteraction, context: CommandContext): Promise<ReplyInput> {
  const { page = 1 } = readArguments(list, interaction);
  const { documents, passageCounts, total } = await context.engine.sources(LIST_PAGE, { own: true, offset: (page - 1) * LIST_PAGE });
  if (total === 0) return { content: 'This server has no articles of its own yet: add one with `/corpus add link:`.' };
  const pages = Math.ceil(total / LIST_PAGE);
  if (documents.length === 0) return { content: `This server’s articles fill ${pages} page${pages === 1 ? '' : 's'}: pick a page from 1 to ${pages}.` };
  const added = await writtenDates(
    context.config.corpusDir,
    documents.map((document) => document.file),
  );
  return { embeds: [formatOwnArticles(documents, passageCounts, added, { page, pages, total })] };
}

/** Each subcommand's handler, by name. */
const SUBCOMMANDS: Record<string, (interaction: APIChatInputApplicationCommandInteraction, context: CommandContext) => Promise<ReplyInput>> = {
  [add.name]: addArticle,
  [list.name]: listArticles,
  [refresh.name]: refreshArticle,
  [remove.name]: removeArticle,
  [follow.name]: followFeed,
  [unfollow.name]: unfollowFeed,
  [feeds.name]: listFeeds,
};

export const corpusCommand: ChatInputCommand = {
  definition,
  preconditions: ['moderator'],
  async execute(interaction, responder, context) {
    // Downloading, validating and reindexing can outlast the 3 s Discord allows for a first reply.
    await responder.defer({ ephemeral: true });
    const run = SUBCOMMANDS[subcommandName(interaction) ?? ''];
    // A subcommand Discord still offers from an older registration of the commands.
    await responder.send(run ? await run(interaction, context) : { content: 'That subcommand is not offered any more: run `/help` to see what is.' });
  },
  /**
   * This server's own served articles whose title or id contains what was typed, each with the day
   * it was added and its site, so look-alikes can be told apart; the value is the id.
   */
  async autocomplete(interaction, responder, context) {
    if (subcommandName(interaction) === unfollow.name) return responder.autocomplete(await suggestFeeds(interaction, context));
    const matches = await context.engine.findDocuments(focusedValue(interaction), LIMITS.autocompleteChoices, { own: true });
    const added = await writtenDates(
      context.config.corpusDir,
      matches.map((document) => document.file),
    );
    await responder.autocomplete(matches.map((document) => ({ name: articleChoice(document, added.get(document.file)), value: document.id })));
  },
};
