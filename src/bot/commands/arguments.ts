/** Reads an interaction's options into an object typed from the command definition. */
import { ApplicationCommandOptionType, type ChatInputCommandInteraction } from 'discord.js';
import type { ArgumentsOf } from './types.js';

export function readArguments<Definition extends Parameters<typeof readOptionsOf>[0]>(
  definition: Definition,
  interaction: ChatInputCommandInteraction,
): ArgumentsOf<Definition> {
  return readOptionsOf(definition, interaction) as ArgumentsOf<Definition>;
}

function readOptionsOf(
  definition: { readonly options?: readonly { readonly name: string; readonly type: ApplicationCommandOptionType; readonly required?: boolean }[] },
  interaction: ChatInputCommandInteraction,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const option of definition.options ?? []) {
    const required = option.required === true;
    switch (option.type) {
      case ApplicationCommandOptionType.String:
        values[option.name] = interaction.options.getString(option.name, required) ?? undefined;
        break;
      case ApplicationCommandOptionType.Integer:
        values[option.name] = interaction.options.getInteger(option.name, required) ?? undefined;
        break;
      case ApplicationCommandOptionType.Number:
        values[option.name] = interaction.options.getNumber(option.name, required) ?? undefined;
        break;
      case ApplicationCommandOptionType.Boolean:
        values[option.name] = interaction.options.getBoolean(option.name, required) ?? undefined;
        break;
      case ApplicationCommandOptionType.Attachment:
        values[option.name] = interaction.options.getAttachment(option.name, required) ?? undefined;
        break;
      default:
        break; // subcommands are read through their own definitions
    }
  }
  return values;
}
