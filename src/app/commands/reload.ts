/** `/reload` (moderators): re-reads the corpus folder; applies it only if every file is valid. */
import { ApplicationCommandType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import { formatReloadEmbed } from '../messages.js';
import { invoker } from './arguments.js';
import type { ChatInputCommand } from './types.js';

export const reloadCommand: ChatInputCommand = {
  definition: {
    name: 'reload',
    type: ApplicationCommandType.ChatInput,
    description: 'Moderators: reload the articles from disk (only if every file is valid).',
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    contexts: [InteractionContextType.Guild],
  },
  preconditions: ['moderator'],
  async execute(interaction, responder, context) {
    // Reading and indexing a large corpus can outlast the 3 s Discord allows for a first reply.
    await responder.defer({ ephemeral: true });
    const outcomes = await context.corpus.reload({ id: invoker(interaction)?.id ?? 'unknown', reason: '/reload' });
    await responder.send({ embeds: [formatReloadEmbed(outcomes)] });
  },
};
