/**
 * Who may change the corpus. Discord's `default_member_permissions` only sets a default that
 * server admins can override per command, so the bot checks again on every use, from the
 * member data Discord sends with the interaction (its computed permissions and its roles).
 */
import { PermissionFlagsBits, type APIInteraction } from 'discord.js';

/** Manage Server or Administrator (which implies it), or one of `moderatorRoleIds`; never outside a server. */
export function isModerator(interaction: Pick<APIInteraction, 'guild_id' | 'member'>, moderatorRoleIds: readonly string[]): boolean {
  const { member } = interaction;
  if (!interaction.guild_id || !member) return false;
  if ((BigInt(member.permissions) & (PermissionFlagsBits.ManageGuild | PermissionFlagsBits.Administrator)) !== 0n) return true;
  return moderatorRoleIds.some((id) => member.roles.includes(id));
}
