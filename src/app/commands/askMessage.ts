/** "Ask the article" (message context menu): answers the target message's text as a question. */
import { ApplicationCommandType, InteractionContextType } from 'discord.js';
import { answerReply } from './ask.js';
import type { MessageCommand } from './types.js';

export const askMessageCommand: MessageCommand = {
  definition: { name: 'Ask the article', type: ApplicationCommandType.Message, contexts: [InteractionContextType.Guild] },
  preconditions: ['cooldown'],
  async execute(interaction, responder, context) {
    const text = interaction.data.resolved.messages[interaction.data.target_id]?.content ?? '';
    if (text.trim() === '') {
      await responder.send({ content: 'That message has no text to ask about.', ephemeral: true });
      return;
    }
    // Private: the member asked about someone else's message; "Share to channel" makes it public.
    await responder.send(await answerReply(text, context, { isPrivate: true, guildId: interaction.guild_id ?? null }));
  },
};
