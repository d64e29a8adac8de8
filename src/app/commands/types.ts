/** What a command module exports, and what it is given to work with. */
import type {
  APIApplicationCommandAutocompleteInteraction,
  APIAttachment,
  APIChatInputApplicationCommandInteraction,
  APIInteraction,
  APIMessageApplicationCommandInteraction,
  APIMessageComponentButtonInteraction,
  APIModalSubmitInteraction,
  ApplicationCommandOptionType,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { Engine, EngineView } from '../../engine/Engine.js';
import type { BotConfig } from '../../runtime/config.js';
import type { Logger } from '../../runtime/logger.js';
import type { CorpusChanges, ServerCorpusChanges } from '../corpusChanges/corpusChanges.js';
import type { FeedbackLog } from '../feedbackLog.js';
import type { Feeds, ScopeFeeds } from '../feeds/feeds.js';
import type { Responder } from '../responder.js';

/**
 * Everything a handler may use: commands are given their dependencies, never import them. The
 * corpus is given as the interaction's server sees it: the base and that server's own articles.
 */
export interface CommandContext {
  /** The served corpus as this server sees it (answers come from the engine's worker thread). */
  engine: EngineView;
  config: BotConfig;
  logger: Logger;
  /** Reloads the corpus everywhere it is served (every shard), edits this server's own articles, and audits it. */
  corpus: ServerCorpusChanges;
  /** The feeds this server follows, whose new items become its articles. */
  feeds: ScopeFeeds;
  /** Where questions' outcomes and members' votes are recorded, and summarised for moderators. */
  feedback: FeedbackLog;
  /** Whether the member may use moderator commands (checked here, whatever Discord's own settings say). */
  isModerator(interaction: APIInteraction): boolean;
}

/** What the router is given: the whole engine and corpus changes, which it binds to each interaction's server. */
export interface BotServices extends Omit<CommandContext, 'engine' | 'corpus' | 'feeds'> {
  engine: Engine;
  corpus: CorpusChanges;
  feeds: Feeds;
}

/** What must hold before a command runs: the router checks them (see src/app/preconditions/preconditions.ts). */
export type PreconditionName = 'moderator' | 'cooldown';

/** `T` with every nested property and array read-only, so definitions can be declared `as const`. */
export type Immutable<T> =
  T extends ReadonlyArray<infer Item> ? ReadonlyArray<Immutable<Item>> : T extends object ? { readonly [Key in keyof T]: Immutable<T[Key]> } : T;

/**
 * Handlers receive the interaction as Discord sent it (the same JSON over the gateway and over
 * HTTP) and a responder to answer it: they never know which transport brought it.
 */
export interface ChatInputCommand {
  definition: Immutable<RESTPostAPIChatInputApplicationCommandsJSONBody>;
  execute(interaction: APIChatInputApplicationCommandInteraction, responder: Responder, context: CommandContext): Promise<void>;
  autocomplete?(interaction: APIApplicationCommandAutocompleteInteraction, responder: Responder, context: CommandContext): Promise<void>;
  /**
   * Button handlers by action: a button's custom_id is `command:action:argument`, all its state,
   * so buttons keep working after a restart.
   */
  buttons?: Record<string, ComponentHandler<APIMessageComponentButtonInteraction>>;
  /** Handlers of submitted forms (modals a button opened), by action: routed like buttons. */
  modals?: Record<string, ComponentHandler<APIModalSubmitInteraction>>;
  /** Checked in order before the command, its suggestions, buttons and forms run (see preconditions.ts). */
  preconditions?: readonly PreconditionName[];
}

/** A button's or a form's handler; `argument` is what its custom_id carries after `command:action:`. */
export type ComponentHandler<Interaction> = (interaction: Interaction, responder: Responder, argument: string, context: CommandContext) => Promise<void>;

export interface MessageCommand {
  definition: Immutable<RESTPostAPIContextMenuApplicationCommandsJSONBody>;
  execute(interaction: APIMessageApplicationCommandInteraction, responder: Responder, context: CommandContext): Promise<void>;
  preconditions?: readonly PreconditionName[];
}

export type Command = ChatInputCommand | MessageCommand;

/** A command option as declared in a definition (`as const`), enough to derive its value's type. */
interface OptionDefinition {
  readonly name: string;
  readonly type: ApplicationCommandOptionType;
  readonly required?: boolean;
}

type OptionValue<Type> = Type extends ApplicationCommandOptionType.String
  ? string
  : Type extends ApplicationCommandOptionType.Integer | ApplicationCommandOptionType.Number
    ? number
    : Type extends ApplicationCommandOptionType.Boolean
      ? boolean
      : Type extends ApplicationCommandOptionType.Attachment
        ? APIAttachment
        : never;

/** The arguments of a command (or subcommand), typed from its definition's options. */
export type ArgumentsOf<Definition extends { readonly options?: readonly OptionDefinition[] }> = {
  [Option in NonNullable<Definition['options']>[number] as Option['name']]: Option['required'] extends true
    ? OptionValue<Option['type']>
    : OptionValue<Option['type']> | undefined;
};
