/** `/help`: how to use the bot, briefly. */
import { ApplicationCommandType } from 'discord.js';
import type { ChatInputCommand } from './types.js';

const HELP = [
  '**/ask** `question` — the passage that answers it, quoted with its source. Add `private: True` to see it alone.',
  '**/search** `query` — find passages as you type; pick one to show it.',
  '**/sources** — the articles I answer from.',
  '**Apps → Ask the article** (right-click a message) — answer that message as a question.',
  '',
  'I only quote the articles, word for word, the sentence that answers in **bold**, with a link to it. If they don’t answer your question, I tell you alone.',
  'Was an answer right? Vote 👍 or 👎 under it: moderators see the totals, never who voted.',
  'Moderators: **/corpus** `add`/`refresh`/`remove` for this server’s own articles (the shared ones are changed on disk), `follow` a feed to add its new articles by themselves; **/reload** after editing the files; **/feedback** for what members asked this week and what failed.',
].join('\n');

export const helpCommand: ChatInputCommand = {
  definition: { name: 'help', type: ApplicationCommandType.ChatInput, description: 'How to use this bot.' },
  async execute(_interaction, responder) {
    await responder.send({ embeds: [{ title: 'citebot: answers quoted from the articles', description: HELP, color: 0x5865f2 }], ephemeral: true });
  },
};
