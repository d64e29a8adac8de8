/**
 * `/corpus follow|unfollow|feeds` (moderators): the feeds whose new items become this server's
 * articles (see src/app/feeds/feeds.ts). Following reads the feed once, so a wrong link is told at
 * once; its items are added by the poller in the background, and the audit channel hears of them.
 */
import {
  ApplicationCommandOptionType,
  type APIApplicationCommandAutocompleteInteraction,
  type APIChatInputApplicationCommandInteraction,
  type APIEmbed,
} from 'discord.js';
import { DEFAULT_KEEP, MAX_KEEP } from '../feeds/feeds.js';
import { FeedListUnreadable, feedRef, feedState, type FollowedFeed } from '../feeds/feedStore.js';
import { truncateAtWord } from '../../text/sentences.js';
import { shownTitle } from '../messages.js';
import { LIMITS, escapeUserText, type ReplyInput } from '../responses.js';
import { focusedValue, invoker, readArguments } from './arguments.js';
import type { CommandContext } from './types.js';

export const follow = {
  name: 'follow',
  type: ApplicationCommandOptionType.Subcommand,
  description: 'Follow a news feed (RSS, Atom or JSON Feed): its new articles are added as they are published.',
  options: [
    { name: 'feed', description: 'The feed’s web address (http or https).', type: ApplicationCommandOptionType.String, required: true, max_length: 2000 },
    {
      name: 'keep',
      description: `Most articles this feed keeps; the oldest are removed beyond it (default ${DEFAULT_KEEP}).`,
      type: ApplicationCommandOptionType.Integer,
      required: false,
      min_value: 1,
      max_value: MAX_KEEP,
    },
  ],
} as const;

export const unfollow = {
  name: 'unfollow',
  type: ApplicationCommandOptionType.Subcommand,
  description: 'Stop following a feed; the articles it added stay until removed with /corpus remove.',
  options: [
    {
      name: 'feed',
      description: 'The feed to stop following (pick it from the list, or type its address).',
      type: ApplicationCommandOptionType.String,
      required: true,
      autocomplete: true,
      max_length: 2000,
    },
  ],
} as const;

export const feeds = {
  name: 'feeds',
  type: ApplicationCommandOptionType.Subcommand,
  description: 'The feeds this server follows: last poll, last new article, articles kept, state.',
} as const;

const actorOf = (interaction: APIChatInputApplicationCommandInteraction, reason: string) => ({ id: invoker(interaction)?.id ?? 'unknown', reason });

/** A feed's name as shown: its title, else its address; escaped (it is the feed's own text). */
const feedName = (feed: Pick<FollowedFeed, 'title' | 'url'>, max = 200) => escapeUserText(shownTitle(feed.title ?? feed.url, max));

type Handler = (interaction: APIChatInputApplicationCommandInteraction, context: CommandContext) => Promise<ReplyInput>;

/** A handler whose server's list of feeds may be unreadable (edited by hand): the moderator is told who can fix it. */
const readingFeeds =
  (handler: Handler): Handler =>
  async (interaction, context) => {
    try {
      return await handler(interaction, context);
    } catch (error) {
      if (!(error instanceof FeedListUnreadable)) throw error;
      context.logger.warn({ err: error, guildId: interaction.guild_id }, 'the list of followed feeds cannot be read');
      return {
        content: `This server’s list of followed feeds cannot be read (${escapeUserText(error.message)}): whoever runs the bot can fix or delete that file.`,
      };
    }
  };

export const followFeed = readingFeeds(async (interaction, context) => {
  const { feed, keep = DEFAULT_KEEP } = readArguments(follow, interaction);
  if (context.config.serverMaxFeeds === 0) return { content: 'Whoever runs this bot has not allowed servers to follow feeds.' };
  const outcome = await context.feeds.follow(actorOf(interaction, '/corpus follow'), feed, keep);
  if ('refused' in outcome) return { content: truncateAtWord(escapeUserText(outcome.refused), LIMITS.content) };
  const { followed, items, first } = outcome;
  const every = `checked every ${interval(context.config.feedPollSeconds)}`;
  const lines = [`Following “${feedName(followed)}” (${escapeUserText(followed.url)}): ${items} item${items === 1 ? '' : 's'} in it now.`];
  if (first === undefined) lines.push(`Its newest ${Math.min(items, followed.keep)} are being added, then each new one as it is published (${every}).`);
  else {
    if (first.added.length > 0) lines.push(`Added ${first.added.length}: ${titleList(first.added.map((title) => `“${title}”`))}.`);
    if (first.skipped.length > 0) lines.push(`Skipped ${first.skipped.length} (not retried): ${titleList(first.skipped)}.`);
    if (first.retried.length > 0) lines.push(`Tried again at the next poll, ${first.retried.length}: ${titleList(first.retried)}.`);
    lines.push(`Each new item is added as it is published (${every}).`);
  }
  lines.push(`The feed keeps its ${followed.keep} newest articles; \`/corpus feeds\` shows how it is doing.`);
  return { content: truncateAtWord(lines.join('\n'), LIMITS.content) };
});

/** Up to 5 titles (or skip reasons), escaped, then how many more. */
function titleList(entries: string[]): string {
  const shown = entries.slice(0, 5).map((entry) => escapeUserText(truncateAtWord(entry, 200)));
  return shown.join('; ') + (entries.length > 5 ? ` and ${entries.length - 5} more` : '');
}

export const unfollowFeed = readingFeeds(async (interaction, context) => {
  const { feed } = readArguments(unfollow, interaction);
  const removed = await context.feeds.unfollow(actorOf(interaction, '/corpus unfollow'), feed);
  if (!removed)
    return { content: `This server follows no feed “${escapeUserText(truncateAtWord(feed, 200))}”: pick one from the list; \`/corpus feeds\` shows them.` };
  const kept = removed.articles.length;
  return {
    content:
      `No longer following “${feedName(removed)}”.` +
      (kept > 0
        ? ` The ${kept} article${kept === 1 ? '' : 's'} it added stay${kept === 1 ? 's' : ''}: remove them with \`/corpus remove\` if they should go.`
        : ''),
  };
});

export const listFeeds = readingFeeds(async (_interaction, context) => {
  const followed = await context.feeds.list();
  if (followed.length === 0) return { content: 'This server follows no feed: follow one with `/corpus follow feed:`.' };
  return { embeds: [formatFeeds(followed, context.config.serverMaxFeeds)] };
});

/** Followed feeds whose title or address contains what was typed; the value is the address. */
export async function suggestFeeds(interaction: APIApplicationCommandAutocompleteInteraction, context: CommandContext) {
  const typed = focusedValue(interaction).toLowerCase();
  return (await context.feeds.list().catch(() => []))
    .filter((feed) => `${feed.title ?? ''} ${feed.url}`.toLowerCase().includes(typed))
    .slice(0, LIMITS.autocompleteChoices)
    .map((feed) => ({ name: shownTitle(feed.title ? `${feed.title} (${new URL(feed.url).host})` : feed.url, LIMITS.choiceName), value: feedRef(feed.url) }));
}

const STATES = { new: 'not polled yet', ok: 'ok', failing: 'failing' } as const;

function formatFeeds(followed: FollowedFeed[], maxFeeds: number): APIEmbed {
  const when = (iso: string | undefined) => (iso ? `<t:${Math.floor(Date.parse(iso) / 1000)}:R>` : 'never');
  const shown = followed.slice(0, LIMITS.fields);
  // Every field's share of the embed's total, with room for the title, the footer and the fields' names.
  const valueBudget = Math.min(LIMITS.fieldValue, Math.floor((LIMITS.embedTotal - 500) / shown.length) - 100);
  return {
    title: `Feeds this server follows (${followed.length} of ${maxFeeds})`,
    ...(shown.length < followed.length && {
      footer: { text: `The first ${shown.length} of the ${followed.length} feeds are shown; type part of a title in /corpus unfollow to find any.` },
    }),
    fields: shown.map((feed, position) => {
      const paused = position >= maxFeeds ? ` · paused: over the limit of ${maxFeeds} feeds, unfollow ${followed.length - maxFeeds} to poll it again` : '';
      const state = feedState(feed);
      const trouble = state === 'failing' && feed.lastError ? `\n${feed.failures} failed polls in a row: ${escapeUserText(feed.lastError)}` : '';
      return {
        name: shownTitle(feed.title ?? new URL(feed.url).host, 100),
        value: truncateAtWord(
          `${escapeUserText(feed.url)}\n${STATES[state]}${paused} · last poll ${when(feed.lastPollAt)} · last new article ${when(feed.lastNewItemAt)} · ` +
            `${feed.articles.length} of ${feed.keep} articles kept${trouble}`,
          valueBudget,
        ),
      };
    }),
  };
}

function interval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
