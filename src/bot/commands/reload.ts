/** `/reload` (moderators): re-reads the corpus folder; applies it only if every file is valid. */
import { ApplicationCommandType, InteractionContextType, MessageFlags, PermissionFlagsBits } from 'discord.js';
import { formatReloadEmbed } from '../format.js';
import { send } from '../respond.js';
import type { ChatInputCommand } from './types.js';

export const reloadCommand: ChatInputCommand = {
  definition: {
    name: 'reload',
    type: ApplicationCommandType.ChatInput,
    description: 'Moderators: reload the articles from disk (only if every file is valid).',
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    contexts: [InteractionContextType.Guild],
  },
  moderatorOnly: true,
  async execute(interaction, context) {
    // Reading and indexing a large corpus can outlast the 3 s Discord allows for a first reply.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const outcomes = await context.corpus.reload({ id: interaction.user.id, reason: '/reload' });
    await send(interaction, { embeds: [formatReloadEmbed(outcomes)] });
  },
};
