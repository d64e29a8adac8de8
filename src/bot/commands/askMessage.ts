/** "Ask the article" (message context menu): answers the target message's text as a question. */
import { ApplicationCommandType, InteractionContextType } from 'discord.js';
import { send } from '../respond.js';
import { answerReply } from './ask.js';
import type { MessageCommand } from './types.js';

export const askMessageCommand: MessageCommand = {
  definition: { name: 'Ask the article', type: ApplicationCommandType.Message, contexts: [InteractionContextType.Guild] },
  cooldown: true,
  async execute(interaction, context) {
    const text = interaction.targetMessage.content;
    if (text.trim() === '') {
      await send(interaction, { content: 'That message has no text to ask about.', ephemeral: true });
      return;
    }
    // Private: the member asked about someone else's message; "Share to channel" makes it public.
    await send(interaction, await answerReply(text, context, { isPrivate: true, guildId: interaction.guildId }));
  },
};
