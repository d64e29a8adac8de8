import type { APIInteraction } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/app/commands/types.js';
import { createPreconditions } from '../../src/app/preconditions/preconditions.js';

const member = (id: string) => ({ member: { user: { id } } }) as unknown as APIInteraction;
const context = (moderator: boolean) => ({ isModerator: () => moderator }) as unknown as CommandContext;

describe('preconditions', () => {
  it('refuses a member who is not a moderator, saying so for the command and for what it owns', () => {
    const refusal = createPreconditions(0);
    expect(refusal(['moderator'], member('1'), context(true), 'command')).toBeUndefined();
    expect(refusal(['moderator'], member('1'), context(false), 'command')).toEqual({
      message: 'Only moderators can use this command (Manage Server, or a moderator role).',
      outcome: 'refused',
    });
    expect(refusal(['moderator'], member('1'), context(false), 'button')).toEqual({ message: 'Only moderators can use that.', outcome: 'refused' });
    expect(refusal(['moderator'], member('1'), context(false), 'suggestions')?.outcome).toBe('refused');
  });

  it('lets a member ask once per interval, by command or form; suggestions and buttons ask nothing', () => {
    const refusal = createPreconditions(60_000);
    expect(refusal(['cooldown'], member('1'), context(false), 'command')).toBeUndefined();
    expect(refusal(['cooldown'], member('1'), context(false), 'button')).toBeUndefined();
    expect(refusal(['cooldown'], member('1'), context(false), 'suggestions')).toBeUndefined();
    expect(refusal(['cooldown'], member('1'), context(false), 'form')).toMatchObject({
      outcome: 'cooldown',
      message: expect.stringMatching(/^You’re asking quickly: try again <t:\d+:R>\.$/),
    });
    expect(refusal(['cooldown'], member('2'), context(false), 'form')).toBeUndefined();
  });

  it('checks in the order declared, and stops at the first refusal', () => {
    const refusal = createPreconditions(60_000);
    expect(refusal(['moderator', 'cooldown'], member('1'), context(false), 'command')?.outcome).toBe('refused');
    // The cooldown was not taken by the refused use.
    expect(refusal(['cooldown'], member('1'), context(false), 'command')).toBeUndefined();
    expect(refusal(undefined, member('1'), context(false), 'command')).toBeUndefined();
  });
});
