/**
 * `npm run deploy-commands`: registers the bot's commands with Discord, in one server when
 * DISCORD_GUILD_ID is set (instant, for development), else globally (may take up to an hour to
 * show everywhere). Run it again whenever a command's definition changes.
 */
import { REST, Routes } from 'discord.js';
import { commands } from '../../app/commands/index.js';
import { configOrExit } from '../../runtime/config.js';

const config = configOrExit('Cannot register commands');
const rest = new REST({ ...(config.apiUrl && { api: config.apiUrl }) }).setToken(config.token);
const route = config.guildId ? Routes.applicationGuildCommands(config.clientId, config.guildId) : Routes.applicationCommands(config.clientId);
try {
  const registered = (await rest.put(route, { body: commands.map((command) => command.definition) })) as Array<{ name: string }>;
  console.log(
    `Registered ${registered.length} commands ${config.guildId ? `in server ${config.guildId}` : 'globally'}: ${registered.map((command) => command.name).join(', ')}.`,
  );
} catch (error) {
  const status = (error as { status?: number }).status;
  const hint =
    status === 401
      ? ' (DISCORD_TOKEN was rejected)'
      : status === 403 || status === 404
        ? ' (check DISCORD_CLIENT_ID, DISCORD_GUILD_ID, and that the bot was invited with the applications.commands scope)'
        : '';
  console.error(`Could not register commands: ${(error as Error).message}${hint}`);
  process.exit(1);
}
