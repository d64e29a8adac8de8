/** `/ask question private`: the best passage quoted with attribution, with buttons for more. */
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType, type ButtonInteraction } from 'discord.js';
import type { Answer } from '../../answers/answerQuestion.js';
import { validateQuestion } from '../../answers/validateQuestion.js';
import { passageRef } from '../../passages/splitIntoPassages.js';
import { STALE_PASSAGE, formatAbstention, formatAnswerComponents, formatAnswerEmbed, formatPassageEmbed, formatQuestionLine } from '../format.js';
import { send, type ReplyInput } from '../respond.js';
import { readArguments } from './arguments.js';
import type { ChatInputCommand, CommandContext } from './types.js';

/** Longest question Discord lets a member type into `/ask` (the engine accepts up to 500). */
const QUESTION_MAX_LENGTH = 300;

const definition = {
  name: 'ask',
  type: ApplicationCommandType.ChatInput,
  description: 'Ask a question about the articles; the answer quotes them, with the source.',
  contexts: [InteractionContextType.Guild],
  options: [
    { name: 'question', description: 'What do you want to know?', type: ApplicationCommandOptionType.String, required: true, min_length: 2, max_length: QUESTION_MAX_LENGTH },
    { name: 'private', description: 'Show the answer only to you (default: everyone sees it).', type: ApplicationCommandOptionType.Boolean, required: false },
  ],
} as const;

/** How many passages "More passages" can show. */
const MORE_PASSAGES = 3;

/**
 * The reply to a question, shared by `/ask` and the "Ask the article" message command: the
 * best quote with buttons, or a plain abstention with hints.
 */
export async function answerReply(question: string, context: CommandContext, isPrivate: boolean): Promise<ReplyInput> {
  const check = validateQuestion(question);
  if (!check.ok) return { content: check.message, ephemeral: true };
  const answer: Answer = await context.library.answer(check.question, { top: 1 + MORE_PASSAGES });
  const [best, ...more] = answer.results;
  if (!best) return { content: formatQuestionLine(check.question), embeds: [formatAbstention(answer)], ephemeral: isPrivate };
  return {
    content: formatQuestionLine(check.question),
    embeds: [formatAnswerEmbed(best)],
    components: formatAnswerComponents(best, { morePassageRefs: more.map((result) => passageRef(result.passage)), isPrivate }),
    ephemeral: isPrivate,
  };
}

/** Passages by reference, quoted whole; or a short note when they were edited or removed since. */
async function passageReply(context: CommandContext, refs: string[], ephemeral: boolean): Promise<ReplyInput> {
  const found = await Promise.all(refs.map((ref) => context.library.passageByRef(ref)));
  const embeds = found.flatMap((passage) => (passage ? [formatPassageEmbed(passage.document, passage.passage)] : []));
  if (embeds.length === 0) return { content: STALE_PASSAGE, ephemeral: true };
  return { embeds, ephemeral };
}

export const askCommand: ChatInputCommand = {
  definition,
  cooldown: true,
  async execute(interaction, context) {
    const args = readArguments(definition, interaction);
    await send(interaction, await answerReply(args.question, context, args.private ?? false));
  },
  buttons: {
    /** Further passages for the same question, privately. */
    async more(interaction: ButtonInteraction, argument, context) {
      await send(interaction, await passageReply(context, argument.split('|'), true));
    },
    /** Every part of the quoted paragraph, privately. */
    async paragraph(interaction, argument, context) {
      const found = await context.library.passageByRef(argument);
      const parts = found ? (await context.library.paragraph(found.document.id, found.passage.paragraph)).map(passageRef) : [argument];
      await send(interaction, await passageReply(context, parts, true));
    },
    /** A private answer posted to the channel for everyone. */
    async share(interaction, argument, context) {
      const reply = await passageReply(context, [argument], false);
      await send(interaction, reply.embeds ? { ...reply, content: `${interaction.user} shared:` } : reply);
    },
  },
};
