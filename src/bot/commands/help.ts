/** `/help`: how to use the bot, briefly. */
import { ApplicationCommandType } from 'discord.js';
import { send } from '../respond.js';
import type { ChatInputCommand } from './types.js';

const HELP = [
  '**/ask** `question` — the passage that answers it, quoted with its source. Add `private: True` to see it alone.',
  '**/search** `query` — find passages as you type; pick one to show it.',
  '**/sources** — the articles I answer from.',
  '**Apps → Ask the article** (right-click a message) — answer that message as a question.',
  '',
  'I only quote the articles, word for word, with a link to the exact passage. If they don’t answer your question, I say so.',
  'Moderators: **/corpus** `add`/`remove` for this server’s own articles (the shared ones are changed on disk); **/reload** after editing the files.',
].join('\n');

export const helpCommand: ChatInputCommand = {
  definition: { name: 'help', type: ApplicationCommandType.ChatInput, description: 'How to use this bot.' },
  async execute(interaction) {
    await send(interaction, { embeds: [{ title: 'citebot: answers quoted from the articles', description: HELP, color: 0x5865f2 }], ephemeral: true });
  },
};
