/** Reads an interaction's options into an object typed from the command definition. */
import { ApplicationCommandOptionType, type ChatInputCommandInteraction } from 'discord.js';
import type { ArgumentsOf } from './types.js';

type Options = ChatInputCommandInteraction['options'];

/** How each option type is read; subcommands and groups are read through their own definitions. */
const READERS: Partial<Record<ApplicationCommandOptionType, (options: Options, name: string, required: boolean) => unknown>> = {
  [ApplicationCommandOptionType.String]: (options, name, required) => options.getString(name, required),
  [ApplicationCommandOptionType.Integer]: (options, name, required) => options.getInteger(name, required),
  [ApplicationCommandOptionType.Number]: (options, name, required) => options.getNumber(name, required),
  [ApplicationCommandOptionType.Boolean]: (options, name, required) => options.getBoolean(name, required),
  [ApplicationCommandOptionType.Attachment]: (options, name, required) => options.getAttachment(name, required),
};

export function readArguments<Definition extends { readonly options?: readonly { readonly name: string; readonly type: ApplicationCommandOptionType; readonly required?: boolean }[] }>(
  definition: Definition,
  interaction: ChatInputCommandInteraction,
): ArgumentsOf<Definition> {
  const values: Record<string, unknown> = {};
  for (const option of definition.options ?? []) {
    const read = READERS[option.type];
    if (read) values[option.name] = read(interaction.options, option.name, option.required === true) ?? undefined;
  }
  return values as ArgumentsOf<Definition>;
}
