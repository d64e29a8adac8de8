/** `/feedback` (moderators): this server's questions and votes over the last week, and the questions that failed most. */
import { ApplicationCommandType, InteractionContextType, MessageFlags, PermissionFlagsBits } from 'discord.js';
import { formatFeedbackEmbed } from '../format.js';
import { send } from '../respond.js';
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
  moderatorOnly: true,
  async execute(interaction, context) {
    if (!interaction.guildId) {
      await send(interaction, { content: 'Use `/feedback` in a server: it shows that server’s feedback.', ephemeral: true });
      return;
    }
    // Reading up to a week of records from disk should be quick, but the 3 s for a first reply are not the place to find out.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const summary = await context.feedback.summary(interaction.guildId, FEEDBACK_DAYS);
    await send(interaction, { embeds: [formatFeedbackEmbed(summary, FEEDBACK_DAYS)] });
  },
};
