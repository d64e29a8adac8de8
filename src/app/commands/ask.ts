/** `/ask question private`: the best passage quoted with attribution, with buttons for more and the *Follow up* form. */
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType, MessageFlags, type APIMessage } from 'discord.js';
import type { FollowUpContext } from '../../answers/answerQuestion.js';
import { validateQuestion } from '../../answers/validateQuestion.js';
import type { FoundPassage } from '../../engine/protocol.js';
import { passageRef } from '../../passages/splitIntoPassages.js';
import type { Vote } from '../feedbackLog.js';
import {
  FOLLOW_UP_PREFIX,
  STALE_PASSAGE,
  TITLES_IN_DECLINE,
  VOTES,
  actionRow,
  followUpButton,
  formatAboutLine,
  formatAbstention,
  formatAnswerComponents,
  formatAnswerEmbed,
  formatPassageEmbed,
  formatQuestionLine,
  parseQuestionLine,
  voteButtons,
} from '../messages.js';
import type { ModalInput, ReplyInput } from '../responses.js';
import { invoker, readArguments, textInputValue } from './arguments.js';
import type { ChatInputCommand, CommandContext } from './types.js';

/** Longest question Discord lets a member type into `/ask` (the engine accepts up to 500). */
const QUESTION_MAX_LENGTH = 300;

const definition = {
  name: 'ask',
  type: ApplicationCommandType.ChatInput,
  description: 'Ask a question about the articles; the answer quotes them, with the source.',
  contexts: [InteractionContextType.Guild],
  options: [
    {
      name: 'question',
      description: 'What do you want to know?',
      type: ApplicationCommandOptionType.String,
      required: true,
      min_length: 2,
      max_length: QUESTION_MAX_LENGTH,
    },
    { name: 'private', description: 'Show the answer only to you (default: everyone sees it).', type: ApplicationCommandOptionType.Boolean, required: false },
  ],
} as const;

/** How many passages "More passages" can show. */
const MORE_PASSAGES = 3;

/** Where a question was asked: whether the member asked privately, and in which server. */
export interface AskedWhere {
  isPrivate: boolean;
  guildId: string | null;
}

/**
 * The reply to a question, shared by `/ask`, the "Ask the article" message command and the
 * *Follow up* form (which gives the answer it follows, `previous`): the best quote with
 * buttons, or a plain abstention with hints. Either outcome goes to the feedback log.
 */
export async function answerReply(
  question: string,
  context: CommandContext,
  { isPrivate, guildId }: AskedWhere,
  previous?: FollowUpContext,
): Promise<ReplyInput> {
  const check = validateQuestion(question);
  if (!check.ok) return { content: check.message, ephemeral: true };
  // Declined with nothing related, the answer comes with what the articles this server sees are about.
  const answer = await context.engine.answer(check.question, { top: 1 + MORE_PASSAGES, ...(previous && { previous }) }, TITLES_IN_DECLINE);
  const [best, ...more] = answer.results;
  context.feedback.recordQuestion({ guildId, question: check.question, answered: best !== undefined, ...(best && { passageId: best.id }) });
  // Declined, it goes to the asker alone even when asked publicly: the channel learns nothing from it.
  if (!best) {
    const titles = answer.titles ?? { shown: [], total: 0 };
    // Related passages are a subject to follow up on, rewording the question.
    const components = answer.related.length > 0 ? [actionRow([followUpButton(answer.related.map((result) => passageRef(result.passage)))])] : [];
    return { content: formatQuestionLine(check.question), embeds: [formatAbstention(answer, titles, !isPrivate)], components, ephemeral: true };
  }
  return {
    // A question about the article itself is answered from its front matter, above the passage quoted.
    content: [formatQuestionLine(check.question), ...(answer.about ? [formatAboutLine(answer.about)] : [])].join('\n'),
    embeds: [formatAnswerEmbed(best)],
    components: formatAnswerComponents(best, { morePassageRefs: more.map((result) => passageRef(result.passage)), isPrivate }),
    ephemeral: isPrivate,
  };
}

/** The *Follow up* form's one field. */
const FOLLOW_UP_FIELD = 'question';

/** The *Follow up* form: submitted, it comes back with the custom_id of the button that opened it. */
function followUpForm(argument: string): ModalInput {
  return {
    customId: `${FOLLOW_UP_PREFIX}${argument}`,
    title: 'Follow up',
    field: { customId: FOLLOW_UP_FIELD, label: 'Your follow-up question', placeholder: 'And what about…?', minLength: 2, maxLength: QUESTION_MAX_LENGTH },
  };
}

/** Passages quoted whole; or a short note when they were all edited or removed since. */
function passageReply(found: Array<FoundPassage | undefined>, ephemeral: boolean): ReplyInput {
  const embeds = found.flatMap((passage) => (passage ? [formatPassageEmbed(passage.document, passage.passage)] : []));
  if (embeds.length === 0) return { content: STALE_PASSAGE, ephemeral: true };
  return { embeds, ephemeral };
}

/** The question of the answer a button is under, read back from its `**Q:**` line and checked again; undefined if it has none. */
function questionAbove(message: APIMessage | undefined): string | undefined {
  const question = message && parseQuestionLine(message.content);
  const check = question === undefined ? undefined : validateQuestion(question);
  return check?.ok ? check.question : undefined;
}

export const askCommand: ChatInputCommand = {
  definition,
  preconditions: ['cooldown'],
  async execute(interaction, responder, context) {
    const args = readArguments(definition, interaction);
    await responder.send(await answerReply(args.question, context, { isPrivate: args.private ?? false, guildId: interaction.guild_id ?? null }));
  },
  buttons: {
    /** Further passages for the same question, privately. */
    async more(_interaction, responder, argument, context) {
      await responder.send(passageReply(await context.engine.passages(argument.split('|')), true));
    },
    /** Every part of the quoted paragraph, privately. */
    async paragraph(_interaction, responder, argument, context) {
      await responder.send(passageReply(await context.engine.paragraph(argument), true));
    },
    /**
     * A private answer posted to the channel for everyone, under its question: the quote as the
     * member saw it (bold sentence included) while the question still finds that passage, else
     * the whole passage.
     */
    async share(interaction, responder, argument, context) {
      const question = questionAbove(interaction.message);
      const { found, result } = await context.engine.share(argument, question, 1 + MORE_PASSAGES);
      if (!found) {
        await responder.send({ content: STALE_PASSAGE, ephemeral: true });
        return;
      }
      await responder.send({
        content: [`<@${invoker(interaction)?.id}> shared:`, ...(question === undefined ? [] : [formatQuestionLine(question)])].join('\n'),
        embeds: [result ? formatAnswerEmbed(result) : formatPassageEmbed(found.document, found.passage)],
        components: result ? formatAnswerComponents(result, { morePassageRefs: [], isPrivate: false }) : [actionRow(voteButtons(found.passage))],
      });
    },
    /** Opens the follow-up form at once: a form can't follow a deferral, so nothing slow comes first. */
    async followup(_interaction, responder, argument) {
      await responder.modal(followUpForm(argument));
    },
    /** 👍 or 👎 on an answer, by any member, once per member and answer. */
    async vote(interaction, responder, argument, context) {
      const [vote = '', ref = ''] = argument.split(/:(.*)/s);
      const question = questionAbove(interaction.message);
      if (!Object.hasOwn(VOTES, vote) || ref === '' || question === undefined) {
        await responder.send({ content: 'That button no longer does anything. Ask again to vote on a fresh answer.', ephemeral: true });
        return;
      }
      const recorded = context.feedback.recordVote({
        guildId: interaction.guild_id ?? null,
        question,
        passageId: ref.split('~')[0]!,
        vote: vote as Vote,
        voterId: invoker(interaction)?.id ?? '',
        messageId: interaction.message.id,
      });
      await responder.send({
        content: recorded
          ? `Thanks: your ${VOTES[vote as Vote]} is counted. Moderators see the totals, never who voted.`
          : 'You have already voted on this answer: one vote per answer.',
        ephemeral: true,
      });
    },
  },
  modals: {
    /**
     * A follow-up question, answered like `/ask` with the answer it follows as context: that
     * answer's question (its `**Q:**` line) and passages (the custom_id). Private when that
     * answer was; on its own when the message has no question to follow.
     */
    async followup(interaction, responder, argument, context) {
      const question = questionAbove(interaction.message);
      const previous = question === undefined ? undefined : { question, passageRefs: argument.split('|').filter((ref) => ref !== '') };
      const isPrivate = ((interaction.message?.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
      await responder.send(
        await answerReply(textInputValue(interaction, FOLLOW_UP_FIELD), context, { isPrivate, guildId: interaction.guild_id ?? null }, previous),
      );
    },
  },
};
