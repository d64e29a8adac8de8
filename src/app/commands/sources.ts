/** `/sources`: the articles the bot answers from in this server (the shared ones and the server's own). */
import { ApplicationCommandType } from 'discord.js';
import { formatSourcesEmbed } from '../messages.js';
import { LIMITS } from '../responses.js';
import type { ChatInputCommand } from './types.js';

export const sourcesCommand: ChatInputCommand = {
  definition: { name: 'sources', type: ApplicationCommandType.ChatInput, description: 'List the articles the bot answers from.' },
  async execute(_interaction, responder, context) {
    // No more than an embed can list: the worker keeps the rest.
    const { documents, passageCounts, total } = await context.engine.sources(LIMITS.fields);
    await responder.send({ embeds: [formatSourcesEmbed(documents, passageCounts, total)] });
  },
};
