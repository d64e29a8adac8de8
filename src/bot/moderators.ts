/**
 * Who may change the corpus. Discord's `default_member_permissions` only sets a default that
 * server admins can override per command, so the bot checks again on every use.
 */
import { PermissionFlagsBits, type BaseInteraction } from 'discord.js';

/** Manage Server (Administrator implies it), or one of `moderatorRoleIds`; never outside a server. */
export function isModerator(interaction: BaseInteraction, moderatorRoleIds: readonly string[]): boolean {
  if (!interaction.inGuild()) return false;
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  const { roles } = interaction.member;
  const memberRoles: readonly string[] = Array.isArray(roles) ? roles : [...roles.cache.keys()];
  return moderatorRoleIds.some((id) => memberRoles.includes(id));
}
