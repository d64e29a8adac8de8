/** `/search query`: passages as you type (autocomplete); pick one to show it, or list the matches. */
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType } from 'discord.js';
import { passageRef } from '../../passages/splitIntoPassages.js';
import { formatPassageChoice, formatPassageEmbed, formatPassageList } from '../messages.js';
import { LIMITS, escapeUserText } from '../responses.js';
import { truncateAtWord } from '../../text/sentences.js';
import { focusedValue, readArguments } from './arguments.js';
import type { ChatInputCommand } from './types.js';

const definition = {
  name: 'search',
  type: ApplicationCommandType.ChatInput,
  description: 'Find passages in the articles by keyword.',
  contexts: [InteractionContextType.Guild],
  options: [
    {
      name: 'query',
      description: 'Words to look for; pick a suggestion to see that passage.',
      type: ApplicationCommandOptionType.String,
      required: true,
      max_length: 200,
      autocomplete: true,
    },
  ],
} as const;

/** Passages listed for a free-text search. */
const LISTED = 5;

export const searchCommand: ChatInputCommand = {
  definition,
  async execute(interaction, responder, context) {
    const { query } = readArguments(definition, interaction);
    // A suggestion's value is a passage reference: show that passage.
    const { chosen, hits } = await context.engine.lookup(query, LISTED);
    if (chosen) {
      await responder.send({ embeds: [formatPassageEmbed(chosen.document, chosen.passage)] });
      return;
    }
    if (hits.length === 0 || query.trim() === '') {
      await responder.send({
        content: `No passage matches “${escapeUserText(truncateAtWord(query, 100))}”. Try other words, or \`/sources\`.`,
        ephemeral: true,
      });
      return;
    }
    await responder.send({ embeds: [formatPassageList(`Passages matching “${escapeUserText(truncateAtWord(query, 100))}”`, hits)] });
  },
  async autocomplete(interaction, responder, context) {
    const typed = focusedValue(interaction);
    const hits = await context.engine.search(typed, { limit: LIMITS.autocompleteChoices, partial: true });
    const showDocument = context.engine.documentCount() > 1;
    await responder.autocomplete(
      hits
        .map((hit) => ({ name: formatPassageChoice(hit, showDocument), value: passageRef(hit.passage) }))
        .filter((choice) => choice.value.length <= LIMITS.choiceValue),
    );
  },
};
