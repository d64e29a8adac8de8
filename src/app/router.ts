/**
 * Routes every interaction to its command, with the one error boundary: whatever a handler
 * throws is logged and answered with a short ephemeral message, and the bot keeps serving.
 * It also logs one line per interaction, counts it in the metrics, and checks each command's
 * declared preconditions (moderators only, the cooldown) before its handlers run. It takes the
 * interaction as Discord sends it and a responder, so the gateway bot and the HTTP endpoint share it.
 */
import {
  ApplicationCommandType,
  ComponentType,
  InteractionType,
  type APIInteraction,
  type APIMessageComponentButtonInteraction,
  type APIModalSubmitInteraction,
} from 'discord.js';
import type { BotServices, ChatInputCommand, Command, CommandContext, ComponentHandler, MessageCommand } from './commands/types.js';
import { invoker } from './commands/arguments.js';
import { EngineNotReady, EngineTimeout } from '../engine/WorkerConnection.js';
import { createPreconditions, type Refusal, type Use } from './preconditions/preconditions.js';
import type { Metrics } from '../runtime/metrics.js';
import type { Responder } from './responder.js';

export const SOMETHING_WENT_WRONG = 'Something went wrong while answering. Please try again in a moment.';
/** While the corpus is being opened (start-up, or a lost engine worker being replaced). */
export const STILL_LOADING = 'Still loading the articles — try again in a few seconds.';
export const TOO_SLOW = 'That took too long to look up. Please try again in a moment.';

/** Outcomes whose interaction named nothing the bot knows: counted under one "unknown" command, so forged names can't grow the metrics. */
const UNKNOWN_OUTCOMES = new Set(['unknown-command', 'unknown-button', 'unknown-form', 'unsupported', 'ignored']);

export interface RouterOptions {
  /** Counts each interaction by command and outcome, with its latency. */
  metrics?: Metrics;
  /** Added to each interaction's log line (the shard, the HTTP worker). */
  logFields?: Record<string, unknown>;
}

/** How buttons and forms are routed: where a command keeps their handlers, and what a stale one says. */
interface ComponentKind<Interaction> {
  handlers(command: ChatInputCommand): Record<string, ComponentHandler<Interaction>> | undefined;
  stale: string;
  unknownOutcome: string;
  use: Use;
}

const BUTTONS: ComponentKind<APIMessageComponentButtonInteraction> = {
  handlers: (command) => command.buttons,
  stale: 'That button no longer does anything. Run the command again.',
  unknownOutcome: 'unknown-button',
  use: 'button',
};

const FORMS: ComponentKind<APIModalSubmitInteraction> = {
  handlers: (command) => command.modals,
  stale: 'That form no longer does anything. Run the command again.',
  unknownOutcome: 'unknown-form',
  use: 'form',
};

export class InteractionRouter {
  readonly #chatInput = new Map<string, ChatInputCommand>();
  readonly #message = new Map<string, MessageCommand>();
  readonly #refusal: ReturnType<typeof createPreconditions>;

  constructor(
    commands: readonly Command[],
    private readonly services: BotServices,
    private readonly options: RouterOptions = {},
  ) {
    for (const command of commands) {
      if (command.definition.type === ApplicationCommandType.Message) this.#message.set(command.definition.name, command as MessageCommand);
      else this.#chatInput.set(command.definition.name, command as ChatInputCommand);
    }
    this.#refusal = createPreconditions(services.config.askCooldownSeconds * 1000);
  }

  async handle(interaction: APIInteraction, responder: Responder): Promise<void> {
    const started = performance.now();
    const name = describe(interaction);
    let outcome = 'ok';
    try {
      outcome = await this.#dispatch(interaction, responder, this.#contextFor(interaction));
    } catch (error) {
      if (error instanceof EngineNotReady || error instanceof EngineTimeout) {
        outcome = error instanceof EngineNotReady ? 'not-ready' : 'engine-timeout';
        this.services.logger.warn({ interactionId: interaction.id, command: name, reason: error.message }, 'the engine could not answer');
        await this.#apologize(interaction, responder, error instanceof EngineNotReady ? STILL_LOADING : TOO_SLOW);
      } else {
        outcome = 'error';
        this.services.logger.error({ err: error, interactionId: interaction.id, command: name }, 'interaction handler failed');
        await this.#apologize(interaction, responder, SOMETHING_WENT_WRONG);
      }
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.options.metrics?.observeInteraction(UNKNOWN_OUTCOMES.has(outcome) ? 'unknown' : name, outcome, seconds);
      this.services.logger.info(
        {
          interactionId: interaction.id,
          command: name,
          userId: invoker(interaction)?.id,
          guildId: interaction.guild_id ?? null,
          ...this.options.logFields,
          latencyMs: Math.round(seconds * 1000),
          outcome,
        },
        'interaction',
      );
    }
  }

  /** The handlers' context for this interaction: the corpus as its server sees it (outside a server: the base). */
  #contextFor(interaction: APIInteraction): CommandContext {
    const { engine, corpus, feeds, ...shared } = this.services;
    const scope = interaction.guild_id ?? undefined;
    return { ...shared, engine: engine.view(scope), corpus: corpus.forScope(scope), feeds: feeds.forScope(scope) };
  }

  /** Runs the handler; returns the outcome to log. */
  async #dispatch(interaction: APIInteraction, responder: Responder, context: CommandContext): Promise<string> {
    switch (interaction.type) {
      case InteractionType.ApplicationCommandAutocomplete: {
        const command = this.#chatInput.get(interaction.data.name);
        if (!command?.autocomplete || this.#refusal(command.preconditions, interaction, context, 'suggestions')) {
          await responder.autocomplete([]);
          return 'no-autocomplete';
        }
        await command.autocomplete(interaction, responder, context);
        return 'ok';
      }
      case InteractionType.MessageComponent:
        if (interaction.data.component_type !== ComponentType.Button)
          return this.#refuse(responder, { message: 'I can’t handle that kind of interaction.', outcome: 'unsupported' });
        return this.#byCustomId(interaction as APIMessageComponentButtonInteraction, responder, context, BUTTONS);
      case InteractionType.ModalSubmit:
        return this.#byCustomId(interaction, responder, context, FORMS);
      case InteractionType.ApplicationCommand: {
        if (interaction.data.type === ApplicationCommandType.ChatInput) {
          const command = this.#chatInput.get(interaction.data.name);
          if (!command)
            return this.#refuse(responder, { message: 'I don’t know that command (it may have been removed). Try `/help`.', outcome: 'unknown-command' });
          const refusal = this.#refusal(command.preconditions, interaction, context, 'command');
          if (refusal) return this.#refuse(responder, refusal);
          await command.execute(interaction as Parameters<ChatInputCommand['execute']>[0], responder, context);
          return 'ok';
        }
        if (interaction.data.type === ApplicationCommandType.Message) {
          const command = this.#message.get(interaction.data.name);
          if (!command) return this.#refuse(responder, { message: 'I don’t know that command (it may have been removed).', outcome: 'unknown-command' });
          const refusal = this.#refusal(command.preconditions, interaction, context, 'command');
          if (refusal) return this.#refuse(responder, refusal);
          await command.execute(interaction as Parameters<MessageCommand['execute']>[0], responder, context);
          return 'ok';
        }
        return this.#refuse(responder, { message: 'I can’t handle that kind of interaction.', outcome: 'unsupported' });
      }
      default:
        return 'ignored';
    }
  }

  /**
   * A button or a submitted form: its custom_id, `command:action:argument`, names its handler;
   * the command's preconditions apply to it as well.
   */
  async #byCustomId<Interaction extends APIMessageComponentButtonInteraction | APIModalSubmitInteraction>(
    interaction: Interaction,
    responder: Responder,
    context: CommandContext,
    kind: ComponentKind<Interaction>,
  ): Promise<string> {
    const [commandName = '', action = '', ...rest] = interaction.data.custom_id.split(':');
    const command = this.#chatInput.get(commandName);
    const handlers = command && kind.handlers(command);
    // Own properties only: a forged id such as "ask:constructor:x" must not reach Object.prototype.
    const handler = handlers && Object.hasOwn(handlers, action) ? handlers[action] : undefined;
    if (!command || !handler) return this.#refuse(responder, { message: kind.stale, outcome: kind.unknownOutcome });
    const refusal = this.#refusal(command.preconditions, interaction, context, kind.use);
    if (refusal) return this.#refuse(responder, refusal);
    await handler(interaction, responder, rest.join(':'), context);
    return 'ok';
  }

  async #refuse(responder: Responder, { message, outcome }: Refusal): Promise<string> {
    await responder.send({ content: message, ephemeral: true });
    return outcome;
  }

  /** The error reply, in whichever form the interaction still accepts; never throws. */
  async #apologize(interaction: APIInteraction, responder: Responder, message: string): Promise<void> {
    try {
      if (interaction.type === InteractionType.ApplicationCommandAutocomplete) {
        if (responder.state === 'new') await responder.autocomplete([]);
      } else if (interaction.type !== InteractionType.Ping) {
        await responder.send({ content: message, ephemeral: true });
      }
    } catch (error) {
      this.services.logger.warn({ err: error, interactionId: interaction.id }, 'could not send the error reply');
    }
  }
}

/** "ask", "search (autocomplete)", "button ask:more", "form ask:followup", for logs and metrics. */
export function describe(interaction: APIInteraction): string {
  switch (interaction.type) {
    case InteractionType.ApplicationCommandAutocomplete:
      return `${interaction.data.name} (autocomplete)`;
    case InteractionType.ApplicationCommand:
      return interaction.data.name;
    case InteractionType.MessageComponent:
      return `button ${interaction.data.custom_id.split(':').slice(0, 2).join(':')}`;
    case InteractionType.ModalSubmit:
      return `form ${interaction.data.custom_id.split(':').slice(0, 2).join(':')}`;
    default:
      return `type ${interaction.type}`;
  }
}
