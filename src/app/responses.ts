/**
 * The one place message bodies are built. Every response goes through `buildMessage` (the
 * responder, src/app/responder.ts, calls it), so every message gets Discord's limits enforced,
 * mentions disabled, and link previews suppressed; a form a button opens goes through
 * `buildModal`, within its own limits.
 */
import {
  ComponentType,
  MessageFlags,
  TextInputStyle,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIModalInteractionResponseCallbackData,
} from 'discord.js';
import { BIDI_CONTROLS } from '../text/controls.js';
import { truncateAtWord } from '../text/sentences.js';

/** Discord's message and embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  autocompleteChoices: 25,
  choiceName: 100,
  choiceValue: 100,
  customId: 100,
  modalTitle: 45,
  inputLabel: 45,
  placeholder: 100,
} as const;

export interface ReplyInput {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  /** Only the member who asked sees it. */
  ephemeral?: boolean;
}

/** A message body as Discord's API takes it: an interaction response's `data`, a follow-up, an edit, a channel message. */
export interface MessagePayload {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  allowed_mentions: { parse: [] };
  flags?: MessageFlags.Ephemeral;
}

/** Characters an embed counts against the 6000 total. */
export function embedLength(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}

function clampEmbed(embed: APIEmbed): APIEmbed {
  return {
    ...embed,
    ...(embed.title !== undefined && { title: truncateAtWord(embed.title, LIMITS.title) }),
    ...(embed.description !== undefined && { description: truncateAtWord(embed.description, LIMITS.description) }),
    ...(embed.footer && { footer: { ...embed.footer, text: truncateAtWord(embed.footer.text, LIMITS.footer) } }),
    ...(embed.author && { author: { ...embed.author, name: truncateAtWord(embed.author.name, LIMITS.author) } }),
    ...(embed.fields && {
      fields: embed.fields.slice(0, LIMITS.fields).map((field) => ({
        ...field,
        name: truncateAtWord(field.name, LIMITS.fieldName),
        value: truncateAtWord(field.value, LIMITS.fieldValue),
      })),
    }),
  };
}

/**
 * `embed` made to fit `room` characters of the 6000 total: trailing fields are dropped first (a
 * list reads fine shorter), then the description is shortened; undefined if it still can't fit.
 */
function shrinkEmbed(embed: APIEmbed, room: number): APIEmbed | undefined {
  let fitted = embed;
  while (embedLength(fitted) > room && fitted.fields && fitted.fields.length > 0) fitted = { ...fitted, fields: fitted.fields.slice(0, -1) };
  const overflow = embedLength(fitted) - room;
  if (overflow > 0 && fitted.description !== undefined && fitted.description.length - overflow >= 100) {
    fitted = { ...fitted, description: truncateAtWord(fitted.description, fitted.description.length - overflow) };
  }
  return embedLength(fitted) <= room ? fitted : undefined;
}

/** Keeps embeds while they fit Discord's 6000-character total, shrinking the one that crosses it. */
function fitEmbedTotal(embeds: APIEmbed[]): APIEmbed[] {
  const fitted: APIEmbed[] = [];
  let room = LIMITS.embedTotal;
  for (const embed of embeds) {
    const shrunk = shrinkEmbed(embed, room);
    if (!shrunk) break;
    fitted.push(shrunk);
    room -= embedLength(shrunk);
    if (shrunk !== embed) break;
  }
  return fitted;
}

/** Bare links in content get <…>, which stops Discord from unfurling a preview of each. */
function suppressLinkPreviews(content: string): string {
  return content.replace(/(^|[^<(])(https?:\/\/[^\s<>]+)/g, '$1<$2>');
}

/**
 * A message body within every limit Discord enforces, with `allowedMentions: { parse: [] }` so
 * that no quoted or echoed text (`@everyone`, `<@&role>`) can ping anyone.
 */
export function buildMessage(input: ReplyInput): MessagePayload {
  const content = input.content === undefined ? undefined : truncateAtWord(suppressLinkPreviews(input.content), LIMITS.content);
  const embeds = fitEmbedTotal((input.embeds ?? []).slice(0, LIMITS.embeds).map(clampEmbed));
  // Discord refuses a message with neither content nor embeds: say so rather than fail.
  const fallback = content === undefined && embeds.length === 0 && (input.embeds?.length ?? 0) > 0 ? 'That reply is too long to show here.' : undefined;
  return {
    ...((content ?? fallback) !== undefined && { content: content ?? fallback }),
    embeds,
    components: input.components ?? [],
    allowed_mentions: { parse: [] },
    ...(input.ephemeral && { flags: MessageFlags.Ephemeral }),
  };
}

/** A form (a modal) with one text field: what a button can open instead of answering. */
export interface ModalInput {
  /** Routed like a button's (`command:action:argument`) when the form is submitted. */
  customId: string;
  title: string;
  field: { customId: string; label: string; placeholder?: string; minLength: number; maxLength: number };
}

/** A modal body within Discord's limits: the field under its label, several lines tall. */
export function buildModal(input: ModalInput): APIModalInteractionResponseCallbackData {
  const { field } = input;
  return {
    custom_id: input.customId.slice(0, LIMITS.customId),
    title: truncateAtWord(input.title, LIMITS.modalTitle),
    components: [
      {
        type: ComponentType.Label,
        label: truncateAtWord(field.label, LIMITS.inputLabel),
        component: {
          type: ComponentType.TextInput,
          custom_id: field.customId.slice(0, LIMITS.customId),
          style: TextInputStyle.Paragraph,
          min_length: field.minLength,
          max_length: field.maxLength,
          required: true,
          ...(field.placeholder !== undefined && { placeholder: truncateAtWord(field.placeholder, LIMITS.placeholder) }),
        },
      },
    ],
  };
}

const URL_IN_TEXT = /https?:\/\/[^\s<>]+/g;
/** Characters that are Markdown anywhere in a line: emphasis, code, spoilers, links, tags (`<t:…>`, `<:emoji:…>`). */
const MARKDOWN_INLINE = /[\\*_~`|[\]()<>]/g;
/** What is Markdown only at the start of a line: headings and lists ("# ", "- ", "+ ", "1. "). */
const MARKDOWN_LINE_START = /^([ \t]*\d*)([#+.-])/gm;

/**
 * Text made safe to show back (what a member typed, or corpus text): every Markdown character
 * backslash-escaped, so it renders exactly as written and cannot close or open the bot's own
 * markup (a quote's bold sentence stays bold whatever "*" or "_" it contains; a "[Free
 * Nitro](https://…)" question cannot become the bot's link); bare links kept whole and wrapped in
 * <…>, so they can't unfurl a preview; mentions broken with a zero-width space so they show as
 * text rather than as pills; bidirectional controls removed (a U+202E would show the rest of the
 * line, and the bot's words after it, reversed). `unescapeUserText` undoes all but the last.
 */
export function escapeUserText(input: string): string {
  const text = input.replace(BIDI_CONTROLS, '');
  let escaped = '';
  let position = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    escaped += escapePlainText(text.slice(position, match.index));
    // A "*" left in a link could pair with the markers of bold text around it; %2A is the same URL.
    escaped += `<${match[0].replace(/\*/g, '%2A')}>`;
    position = match.index + match[0].length;
  }
  return neutralizeMentions(escaped + escapePlainText(text.slice(position)));
}

function escapePlainText(text: string): string {
  return text.replace(MARKDOWN_INLINE, '\\$&').replace(MARKDOWN_LINE_START, '$1\\$2');
}

/** The text `escapeUserText` was given, back from what it returned (less any zero-width spaces after "@" or "<"). */
export function unescapeUserText(escaped: string): string {
  // One pass, left to right, so that nothing inside a link is taken for an escape.
  return escaped.replace(
    /<(https?:\/\/[^\s<>]+)>|\\([^\p{L}\p{N}\s])|([@<])\u200b/gu,
    (_match, url?: string, escapedCharacter?: string, mentionStart?: string) =>
      url !== undefined ? url.replace(/%2A/g, '*').replace(/([@<])\u200b/g, '$1') : (escapedCharacter ?? mentionStart!),
  );
}

/** Mentions in text (quoted or echoed) shown as plain text; `allowedMentions` already stops pings. */
export function neutralizeMentions(text: string): string {
  return text.replace(/@(everyone|here)/g, '@\u200b$1').replace(/<(@[!&]?|#)(\d+)>/g, '<\u200b$1$2>');
}
