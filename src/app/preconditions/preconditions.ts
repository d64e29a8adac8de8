/**
 * What must hold before a command runs, declared on each command (`preconditions: ['moderator',
 * 'cooldown']`) and checked by the router as one pipeline, in the order declared, for the command
 * and everything it owns (its suggestions, buttons and forms): the first that refuses answers the
 * member, and the handler never runs. Each precondition decides which uses it applies to.
 */
import type { APIInteraction } from 'discord.js';
import { invoker } from '../commands/arguments.js';
import type { CommandContext, PreconditionName } from '../commands/types.js';
import { Cooldowns } from './cooldowns.js';

/** How a command is being used. */
export type Use = 'command' | 'suggestions' | 'button' | 'form';

/** Why an interaction is refused: what the member is told (suggestions are refused with none), and the outcome logged. */
export interface Refusal {
  message: string;
  outcome: string;
}

type Precondition = (interaction: APIInteraction, context: CommandContext, use: Use) => Refusal | undefined;

/** The preconditions by name; the cooldown remembers members across interactions (`intervalMs` 0: off). */
export function createPreconditions(
  intervalMs: number,
): (names: readonly PreconditionName[] | undefined, interaction: APIInteraction, context: CommandContext, use: Use) => Refusal | undefined {
  const cooldowns = new Cooldowns(intervalMs);
  const preconditions: Record<PreconditionName, Precondition> = {
    // Checked on every use, whatever Discord's own permission settings say (see moderators.ts).
    moderator: (interaction, context, use) =>
      context.isModerator(interaction)
        ? undefined
        : {
            message: use === 'command' ? 'Only moderators can use this command (Manage Server, or a moderator role).' : 'Only moderators can use that.',
            outcome: 'refused',
          },
    // A command and its forms each ask a question; suggestions and buttons ask none.
    cooldown: (interaction, _context, use) => {
      if (use === 'suggestions' || use === 'button') return undefined;
      const readyAt = cooldowns.take(invoker(interaction)?.id ?? '');
      return readyAt === undefined ? undefined : { message: `You’re asking quickly: try again <t:${Math.ceil(readyAt / 1000)}:R>.`, outcome: 'cooldown' };
    },
  };
  return (names = [], interaction, context, use) => {
    for (const name of names) {
      const refusal = preconditions[name](interaction, context, use);
      if (refusal) return refusal;
    }
    return undefined;
  };
}
