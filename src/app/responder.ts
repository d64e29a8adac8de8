/**
 * How a command answers an interaction, whatever transport brought it. Both transports use the
 * one implementation here: the first response goes the transport's way (a POST to the callback
 * route for the gateway, the HTTP response body for the interactions endpoint), and everything
 * after it goes through Discord's REST webhook routes with the interaction's token.
 */
import {
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  Routes,
  type APIApplicationCommandOptionChoice,
  type APIInteraction,
  type APIInteractionResponse,
  type REST,
} from 'discord.js';
import { buildMessage, buildModal, type ModalInput, type ReplyInput } from './responses.js';

/** How long one REST call to Discord may take before it is abandoned (and retried), on either transport. */
export const REST_TIMEOUT_MS = 8_000;

/** Nothing sent yet; a deferral sent (a "thinking…" reply, or a silent acknowledgement of a button); a response sent. */
export type ResponderState = 'new' | 'deferred' | 'replied';

export interface Responder {
  readonly state: ResponderState;
  /** Sends `input` in whatever way is valid now: the first reply, the edit of a deferred reply, or a follow-up. */
  send(input: ReplyInput): Promise<void>;
  /** The first response: a message. */
  reply(input: ReplyInput): Promise<void>;
  /**
   * The first response, when the answer may take longer than Discord's 3 s: a "thinking…" reply
   * (whose visibility `ephemeral` fixes) or, for a button, an acknowledgement that shows nothing.
   */
  defer(options: { ephemeral: boolean }): Promise<void>;
  /** Replaces the original response (after a deferral or a reply). */
  edit(input: ReplyInput): Promise<void>;
  /** Another message under the interaction (after the first response). */
  followUp(input: ReplyInput): Promise<void>;
  /** The answer to an autocomplete interaction: at most 25 choices. */
  autocomplete(choices: APIApplicationCommandOptionChoice<string>[]): Promise<void>;
  /**
   * The first response: a form for the member to fill in (its submission is another
   * interaction). It cannot follow a deferral, so it is sent before any slow work.
   */
  modal(input: ModalInput): Promise<void>;
}

/** Delivers the first response to Discord; rejects if Discord refused it. */
export type FirstResponse = (body: APIInteractionResponse) => Promise<void>;

/** The interaction fields a responder needs: where to answer, and what kind of interaction it is. */
export type RespondTo = Pick<APIInteraction, 'id' | 'token' | 'application_id' | 'type'>;

export class RestResponder implements Responder {
  #state: ResponderState = 'new';
  /** A first response is on its way: a transport must not send another. */
  #firstInFlight = false;
  /** How the interaction was deferred, which decides how the answer can follow. */
  #deferral?: { ephemeral: boolean; silent: boolean };

  constructor(
    private readonly rest: REST,
    private readonly interaction: RespondTo,
    private readonly deliverFirst: FirstResponse,
  ) {}

  get state(): ResponderState {
    return this.#state;
  }

  async send(input: ReplyInput): Promise<void> {
    if (this.#state === 'new') return this.reply(input);
    if (this.#state === 'replied' || this.#deferral?.silent) return this.followUp(input);
    // A deferred reply's visibility is fixed: a private answer after a public "thinking…" (only an
    // endpoint's automatic deferral does that) replaces it with a private follow-up.
    if (input.ephemeral && !this.#deferral?.ephemeral) {
      await this.rest.delete(Routes.webhookMessage(this.interaction.application_id, this.interaction.token, '@original'), { auth: false });
      return this.followUp(input);
    }
    return this.edit(input);
  }

  reply(input: ReplyInput): Promise<void> {
    return this.#first({ type: InteractionResponseType.ChannelMessageWithSource, data: buildMessage(input) }, 'replied');
  }

  defer({ ephemeral }: { ephemeral: boolean }): Promise<void> {
    const silent = this.interaction.type === InteractionType.MessageComponent;
    return this.#first(
      silent
        ? { type: InteractionResponseType.DeferredMessageUpdate }
        : { type: InteractionResponseType.DeferredChannelMessageWithSource, data: { ...(ephemeral && { flags: MessageFlags.Ephemeral }) } },
      'deferred',
      { ephemeral, silent },
    );
  }

  async edit(input: ReplyInput): Promise<void> {
    // An edit cannot change whether the message is ephemeral: that was set by the first response.
    const { flags: _ephemeral, ...body } = buildMessage(input);
    await this.rest.patch(Routes.webhookMessage(this.interaction.application_id, this.interaction.token, '@original'), { body, auth: false });
    this.#state = 'replied';
  }

  async followUp(input: ReplyInput): Promise<void> {
    await this.rest.post(Routes.webhook(this.interaction.application_id, this.interaction.token), { body: buildMessage(input), auth: false });
  }

  autocomplete(choices: APIApplicationCommandOptionChoice<string>[]): Promise<void> {
    return this.#first({ type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices } }, 'replied');
  }

  modal(input: ModalInput): Promise<void> {
    return this.#first({ type: InteractionResponseType.Modal, data: buildModal(input) }, 'replied');
  }

  /**
   * For a transport that must answer within Discord's deadline: when nothing has been sent or is
   * on its way, sends the holding response (no choices for an autocomplete, a public deferral
   * otherwise) and returns true; the handler's answer then follows through `send`.
   */
  async holdIfUnanswered(): Promise<boolean> {
    if (this.#state !== 'new' || this.#firstInFlight) return false;
    if (this.interaction.type === InteractionType.ApplicationCommandAutocomplete) await this.autocomplete([]);
    else await this.defer({ ephemeral: false });
    return true;
  }

  async #first(body: APIInteractionResponse, next: ResponderState, deferral?: { ephemeral: boolean; silent: boolean }): Promise<void> {
    if (this.#state !== 'new' || this.#firstInFlight) throw new Error(`interaction ${this.interaction.id} was already answered`);
    this.#firstInFlight = true;
    try {
      await this.deliverFirst(body);
      this.#state = next;
      this.#deferral = deferral;
    } finally {
      this.#firstInFlight = false;
    }
  }
}

/** The gateway's first response: a POST to the interaction's callback route (no bot token: the route takes the interaction's). */
export function callbackRoute(rest: REST, interaction: Pick<APIInteraction, 'id' | 'token'>): FirstResponse {
  return async (body) => {
    await rest.post(Routes.interactionCallback(interaction.id, interaction.token), { body, auth: false });
  };
}
