/**
 * Reads what Discord sent with an interaction, from its plain data (the same JSON over the gateway
 * and over HTTP): options typed from the command definition, the focused autocomplete value, the
 * subcommand, what was typed into a form, and who invoked it.
 */
import {
  ApplicationCommandOptionType,
  ComponentType,
  type APIApplicationCommandAutocompleteInteraction,
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandInteraction,
  type APIInteraction,
  type APIModalSubmitInteraction,
  type APIUser,
} from 'discord.js';
import type { ArgumentsOf } from './types.js';

type OptionsInteraction = APIChatInputApplicationCommandInteraction | APIApplicationCommandAutocompleteInteraction;

/**
 * The options given for `definition`: those under the subcommand of that name when one was used
 * (a subcommand's definition), else the command's own.
 */
function optionsFor(definition: { readonly name: string }, interaction: OptionsInteraction): readonly APIApplicationCommandInteractionDataOption[] {
  const top = interaction.data.options ?? [];
  const subcommand = top.find((option) => option.type === ApplicationCommandOptionType.Subcommand && option.name === definition.name);
  return subcommand && 'options' in subcommand ? (subcommand.options ?? []) : top;
}

/**
 * The values of the options `definition` declares, typed from it. An attachment option's value is
 * its id; the attachment itself (name, size, url) comes from `data.resolved.attachments`.
 */
export function readArguments<
  Definition extends {
    readonly name: string;
    readonly options?: readonly { readonly name: string; readonly type: ApplicationCommandOptionType; readonly required?: boolean }[];
  },
>(definition: Definition, interaction: OptionsInteraction): ArgumentsOf<Definition> {
  const given = optionsFor(definition, interaction);
  const values: Record<string, unknown> = {};
  for (const option of definition.options ?? []) {
    const sent = given.find((candidate) => candidate.name === option.name && candidate.type === option.type);
    if (!sent || !('value' in sent)) continue;
    values[option.name] = option.type === ApplicationCommandOptionType.Attachment ? interaction.data.resolved?.attachments?.[String(sent.value)] : sent.value;
  }
  return values as ArgumentsOf<Definition>;
}

/** What the member has typed so far into the option being autocompleted ('' if none). */
export function focusedValue(interaction: APIApplicationCommandAutocompleteInteraction): string {
  const find = (options: readonly APIApplicationCommandInteractionDataOption[]): string | undefined => {
    for (const option of options) {
      if ('focused' in option && option.focused) return String(option.value);
      if ('options' in option && option.options) {
        const nested = find(option.options);
        if (nested !== undefined) return nested;
      }
    }
    return undefined;
  };
  return find(interaction.data.options) ?? '';
}

/** The subcommand used, if any. */
export function subcommandName(interaction: OptionsInteraction): string | undefined {
  return interaction.data.options?.find((option) => option.type === ApplicationCommandOptionType.Subcommand)?.name;
}

/** What was typed into a submitted form's text field `customId` ('' if the form has no such field). */
export function textInputValue(interaction: APIModalSubmitInteraction, customId: string): string {
  // The bot's forms put each field under its label (`buildModal`), and Discord sends them back so.
  for (const component of interaction.data.components ?? []) {
    if (component.type !== ComponentType.Label) continue;
    const field = component.component;
    if (field.type === ComponentType.TextInput && field.custom_id === customId && typeof field.value === 'string') return field.value;
  }
  return '';
}

/** Who used the interaction: the member in a server, the user elsewhere. */
export function invoker(interaction: APIInteraction): APIUser | undefined {
  return interaction.member?.user ?? interaction.user;
}
