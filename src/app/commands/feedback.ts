/** `/feedback` (moderators): this server's questions and votes over the last week, and the questions that failed most. */
import { ApplicationCommandType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import { formatFeedbackEmbed } from '../messages.js';
import type { ChatInputCommand } from './types.js';

/** The period `/feedback` covers, in days. */
const FEEDBACK_DAYS = 7;

export const feedbackCommand: ChatInputCommand = {
  definition: {
    name: 'feedback',
    type: ApplicationCommandType.ChatInput,
    description: 'Moderators: questions, answers and votes here over the last 7 days, and what failed most.',
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    contexts: [InteractionContextType.Guild],
  },
  preconditions: ['moderator'],
  async execute(interaction, responder, context) {
    if (!interaction.guild_id) {
      await responder.send({ content: 'Use `/feedback` in a server: it shows that server’s feedback.', ephemeral: true });
      return;
    }
    // Reading up to a week of records from disk should be quick, but the 3 s for a first reply are not the place to find out.
    await responder.defer({ ephemeral: true });
    const summary = await context.feedback.summary(interaction.guild_id, FEEDBACK_DAYS);
    await responder.send({ embeds: [formatFeedbackEmbed(summary, FEEDBACK_DAYS)] });
  },
};
