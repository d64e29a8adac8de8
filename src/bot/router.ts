/**
 * Routes every interaction to its command, with the one error boundary: whatever a handler
 * throws is logged and answered with a short ephemeral message, and the bot keeps serving.
 * It also logs one line per interaction and applies the moderator check and the cooldown.
 */
import { ApplicationCommandType, type Interaction } from 'discord.js';
import type { BotServices, ChatInputCommand, Command, CommandContext, MessageCommand } from './commands/types.js';
import { EngineNotReady, EngineTimeout } from '../engine/Engine.js';
import { Cooldowns } from './cooldowns.js';
import { send } from './respond.js';

export const SOMETHING_WENT_WRONG = 'Something went wrong while answering. Please try again in a moment.';
/** While the corpus is being opened (start-up, or a lost engine worker being replaced). */
export const STILL_LOADING = 'Still loading the articles — try again in a few seconds.';
export const TOO_SLOW = 'That took too long to look up. Please try again in a moment.';

export class InteractionRouter {
  readonly #chatInput = new Map<string, ChatInputCommand>();
  readonly #message = new Map<string, MessageCommand>();
  readonly #cooldowns: Cooldowns;

  constructor(
    commands: readonly Command[],
    private readonly services: BotServices,
  ) {
    for (const command of commands) {
      if (command.definition.type === ApplicationCommandType.Message) this.#message.set(command.definition.name, command as MessageCommand);
      else this.#chatInput.set(command.definition.name, command as ChatInputCommand);
    }
    this.#cooldowns = new Cooldowns(services.config.askCooldownSeconds * 1000);
  }

  async handle(interaction: Interaction): Promise<void> {
    const started = performance.now();
    const name = describe(interaction);
    let outcome = 'ok';
    try {
      outcome = await this.#dispatch(interaction, this.#contextFor(interaction));
    } catch (error) {
      if (error instanceof EngineNotReady || error instanceof EngineTimeout) {
        outcome = error instanceof EngineNotReady ? 'not-ready' : 'engine-timeout';
        this.services.logger.warn({ interactionId: interaction.id, command: name, reason: error.message }, 'the engine could not answer');
        await this.#apologize(interaction, error instanceof EngineNotReady ? STILL_LOADING : TOO_SLOW);
      } else {
        outcome = 'error';
        this.services.logger.error({ err: error, interactionId: interaction.id, command: name }, 'interaction handler failed');
        await this.#apologize(interaction, SOMETHING_WENT_WRONG);
      }
    } finally {
      this.services.logger.info(
        { interactionId: interaction.id, command: name, userId: interaction.user.id, guildId: interaction.guildId, shard: interaction.client.shard?.ids[0], latencyMs: Math.round(performance.now() - started), outcome },
        'interaction',
      );
    }
  }

  /** The handlers' context for this interaction: the corpus as its server sees it (outside a server: the base). */
  #contextFor(interaction: Interaction): CommandContext {
    const { engine, corpus, ...shared } = this.services;
    const scope = interaction.guildId ?? undefined;
    return { ...shared, library: engine.view(scope), corpus: corpus.forScope(scope) };
  }

  /** Runs the handler; returns the outcome to log. */
  async #dispatch(interaction: Interaction, context: CommandContext): Promise<string> {
    if (interaction.isAutocomplete()) {
      const command = this.#chatInput.get(interaction.commandName);
      if (!command?.autocomplete || (command.moderatorOnly && !context.isModerator(interaction))) {
        await interaction.respond([]);
        return 'no-autocomplete';
      }
      await command.autocomplete(interaction, context);
      return 'ok';
    }
    if (interaction.isButton()) {
      const [commandName = '', action = '', ...rest] = interaction.customId.split(':');
      const command = this.#chatInput.get(commandName);
      // Own properties only: a forged id such as "ask:constructor:x" must not reach Object.prototype.
      const handler = command?.buttons && Object.hasOwn(command.buttons, action) ? command.buttons[action] : undefined;
      if (!command || !handler) return this.#refuse(interaction, 'That button no longer does anything. Run the command again.', 'unknown-button');
      if (command.moderatorOnly && !context.isModerator(interaction)) return this.#refuse(interaction, 'Only moderators can use that.', 'refused');
      await handler(interaction, rest.join(':'), context);
      return 'ok';
    }
    if (interaction.isChatInputCommand()) {
      const command = this.#chatInput.get(interaction.commandName);
      if (!command) return this.#refuse(interaction, 'I don’t know that command (it may have been removed). Try `/help`.', 'unknown-command');
      if (command.moderatorOnly && !context.isModerator(interaction)) {
        return this.#refuse(interaction, 'Only moderators can use this command (Manage Server, or a moderator role).', 'refused');
      }
      if (command.cooldown && (await this.#coolingDown(interaction))) return 'cooldown';
      await command.execute(interaction, context);
      return 'ok';
    }
    if (interaction.isMessageContextMenuCommand()) {
      const command = this.#message.get(interaction.commandName);
      if (!command) return this.#refuse(interaction, 'I don’t know that command (it may have been removed).', 'unknown-command');
      if (command.cooldown && (await this.#coolingDown(interaction))) return 'cooldown';
      await command.execute(interaction, context);
      return 'ok';
    }
    if (interaction.isRepliable()) return this.#refuse(interaction, 'I can’t handle that kind of interaction.', 'unsupported');
    return 'ignored';
  }

  async #refuse(interaction: Interaction, message: string, outcome: string): Promise<string> {
    if (interaction.isRepliable()) await send(interaction, { content: message, ephemeral: true });
    return outcome;
  }

  /** Answers "try again <relative time>" when the member asked too recently. */
  async #coolingDown(interaction: Interaction & { user: { id: string } }): Promise<boolean> {
    const readyAt = this.#cooldowns.take(interaction.user.id);
    if (readyAt === undefined) return false;
    await this.#refuse(interaction, `You’re asking quickly: try again <t:${Math.ceil(readyAt / 1000)}:R>.`, 'cooldown');
    return true;
  }

  /** The error reply, in whichever form the interaction still accepts; never throws. */
  async #apologize(interaction: Interaction, message: string): Promise<void> {
    try {
      if (interaction.isAutocomplete()) {
        if (!interaction.responded) await interaction.respond([]);
      } else if (interaction.isRepliable()) {
        await send(interaction, { content: message, ephemeral: true });
      }
    } catch (error) {
      this.services.logger.warn({ err: error, interactionId: interaction.id }, 'could not send the error reply');
    }
  }
}

/** "ask", "search (autocomplete)", "button ask:more", for logs. */
function describe(interaction: Interaction): string {
  if (interaction.isAutocomplete()) return `${interaction.commandName} (autocomplete)`;
  if (interaction.isCommand()) return interaction.commandName;
  if (interaction.isMessageComponent()) return `button ${interaction.customId.split(':').slice(0, 2).join(':')}`;
  return `type ${interaction.type}`;
}
