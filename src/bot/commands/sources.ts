/** `/sources`: the articles the bot answers from. */
import { ApplicationCommandType } from 'discord.js';
import { formatSourcesEmbed } from '../format.js';
import type { ChatInputCommand } from './types.js';

export const sourcesCommand: ChatInputCommand = {
  definition: { name: 'sources', type: ApplicationCommandType.ChatInput, description: 'List the articles the bot answers from.' },
  async execute(_interaction, responder, context) {
    await responder.send({ embeds: [formatSourcesEmbed(context.library.documents, context.library.passageCounts())] });
  },
};
