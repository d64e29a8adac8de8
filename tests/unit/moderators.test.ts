/** The moderator check, on the member data Discord sends with an interaction (either transport). */
import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { isModerator } from '../../src/app/preconditions/moderators.js';

const GUILD = '1150000000000000000';
const MODERATOR_ROLE = '987654321098765432';
const member = (permissions: bigint, roles: string[] = []) => ({
  user: { id: '1000000000000000042', username: 'member', discriminator: '0', global_name: null, avatar: null },
  roles,
  permissions: String(permissions),
  joined_at: '2024-01-01T00:00:00.000Z',
  deaf: false,
  mute: false,
  flags: 0,
});
const ORDINARY = PermissionFlagsBits.SendMessages | PermissionFlagsBits.UseApplicationCommands;

describe('isModerator', () => {
  it('accepts Manage Server, or Administrator (which implies it)', () => {
    expect(isModerator({ guild_id: GUILD, member: member(ORDINARY | PermissionFlagsBits.ManageGuild) }, [])).toBe(true);
    expect(isModerator({ guild_id: GUILD, member: member(PermissionFlagsBits.Administrator) }, [])).toBe(true);
  });

  it('accepts a configured moderator role, and only that', () => {
    expect(isModerator({ guild_id: GUILD, member: member(ORDINARY, [MODERATOR_ROLE]) }, [MODERATOR_ROLE])).toBe(true);
    expect(isModerator({ guild_id: GUILD, member: member(ORDINARY, ['123456789012345678']) }, [MODERATOR_ROLE])).toBe(false);
    expect(isModerator({ guild_id: GUILD, member: member(ORDINARY) }, [MODERATOR_ROLE])).toBe(false);
  });

  it('refuses outside a server, whatever the data claims', () => {
    expect(isModerator({ member: member(PermissionFlagsBits.Administrator) }, [])).toBe(false);
    expect(isModerator({ guild_id: GUILD }, [MODERATOR_ROLE])).toBe(false);
  });
});
