/** The pure parts of followed feeds: how long a failing feed waits, its state, and how a command names one. */
import { describe, expect, it } from 'vitest';
import type { APIChatInputApplicationCommandInteraction } from 'discord.js';
import { followFeed, listFeeds } from '../../src/app/commands/corpusFeeds.js';
import type { CommandContext } from '../../src/app/commands/types.js';
import { backoffMs, seenKey } from '../../src/app/feeds/feeds.js';
import { buildMessage, embedLength, LIMITS } from '../../src/app/responses.js';
import { feedRef, feedState, feedsFromJson, findFeed, type FollowedFeed } from '../../src/app/feeds/feedStore.js';

const HOUR = 3_600_000;
const followed = (url: string, title?: string): FollowedFeed => ({
  url,
  ...(title && { title }),
  keep: 20,
  followedBy: '1',
  followedAt: '2024-03-01T00:00:00.000Z',
  failures: 0,
  seen: [],
  articles: [],
});

describe('backoffMs', () => {
  it('waits the interval after a first failure, twice as long after each further one, up to 6 hours', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((failures) => backoffMs(HOUR / 2, failures) / HOUR)).toEqual([0.5, 1, 2, 4, 6, 6, 6]);
  });

  it('never waits less than the interval itself, even one longer than the cap', () => {
    expect(backoffMs(24 * HOUR, 3)).toBe(24 * HOUR);
  });
});

describe('feedState', () => {
  it('is new until polled, ok while polls succeed, failing from the third failure in a row', () => {
    expect(feedState({ failures: 0 })).toBe('new');
    expect(feedState({ failures: 2, lastPollAt: '2024-03-01T00:00:00.000Z' })).toBe('ok');
    expect(feedState({ failures: 3, lastPollAt: '2024-03-01T00:00:00.000Z' })).toBe('failing');
  });
});

describe('feedRef and findFeed', () => {
  const long = `https://news.example/feeds/${'section/'.repeat(20)}rss.xml`;
  const feeds = [followed('https://news.example/rss', 'Example News'), followed(long, 'Long Feed')];

  it('names a feed by its address when a suggestion’s value can hold it, else by a short digest', () => {
    expect(feedRef('https://news.example/rss')).toBe('https://news.example/rss');
    expect(feedRef(long)).toMatch(/^feed:[0-9a-f]{16}$/);
    expect(feedRef(long).length).toBeLessThanOrEqual(100);
  });

  it('finds the feed a moderator named by address, by a picked suggestion, or by its title in any case', () => {
    expect(findFeed(feeds, ' https://news.example/rss ')?.title).toBe('Example News');
    expect(findFeed(feeds, feedRef(long))?.title).toBe('Long Feed');
    expect(findFeed(feeds, 'long feed')?.url).toBe(long);
    expect(findFeed(feeds, 'https://news.example/other')).toBeUndefined();
  });

  it('finds a feed by its address typed as it was given to follow, not as it was written down', () => {
    const root = [followed(new URL('https://News.Example').href, 'Front Page')];
    expect(findFeed(root, 'https://News.Example')?.title).toBe('Front Page');
    expect(findFeed(feeds, 'HTTPS://NEWS.EXAMPLE/rss')?.title).toBe('Example News');
  });
});

describe('/corpus follow', () => {
  it('says what its first poll added, skipped and will try again, each item escaped', async () => {
    const first = { added: ['Ferry times change'], skipped: ['“Council *minutes*”: it is not a valid article'], retried: ['“Bridge works”: answered 503'] };
    const context = {
      feeds: { follow: async () => ({ followed: { ...followed('https://news.example/feed', 'Council News'), keep: 5 }, items: 3, first }) },
      config: { serverMaxFeeds: 5, feedPollSeconds: 1800 },
    } as unknown as CommandContext;
    const interaction = {
      guild_id: '1',
      member: { user: { id: '2' } },
      data: { name: 'corpus', options: [{ name: 'follow', type: 1, options: [{ name: 'feed', type: 3, value: 'https://news.example/feed' }] }] },
    } as unknown as APIChatInputApplicationCommandInteraction;
    const { content } = buildMessage(await followFeed(interaction, context));
    expect(content!.split('\n').slice(1, 4)).toEqual([
      'Added 1: “Ferry times change”.',
      'Skipped 1 (not retried): “Council \\*minutes\\*”: it is not a valid article.',
      'Tried again at the next poll, 1: “Bridge works”: answered 503.',
    ]);
  });
});

describe('/corpus feeds', () => {
  it('says how many feeds it shows when a server follows more than an embed holds, every field within Discord’s limits', async () => {
    const many = Array.from({ length: 100 }, (_, index) => ({
      ...followed(`https://news${index}.example/${'section/'.repeat(30)}rss`, `${'A very long feed title '.repeat(20)}${index}`),
      lastPollAt: '2024-03-01T00:00:00.000Z',
      failures: 5,
      lastError: `https://news${index}.example/ answered 503 Service Unavailable: ${'check the link '.repeat(20)}`,
    }));
    const context = { feeds: { list: async () => many }, config: { serverMaxFeeds: 100 } } as unknown as CommandContext;
    const reply = buildMessage(await listFeeds({} as APIChatInputApplicationCommandInteraction, context));
    const [embed] = reply.embeds;
    expect(embed!.fields).toHaveLength(LIMITS.fields);
    expect(embed!.footer?.text).toBe('The first 25 of the 100 feeds are shown; type part of a title in /corpus unfollow to find any.');
    expect(embedLength(embed!)).toBeLessThanOrEqual(LIMITS.embedTotal);
  });

  it('says which feeds wait, once a server follows more than it may now', async () => {
    const two = [followed('https://one.example/rss', 'One'), followed('https://two.example/rss', 'Two')];
    const context = { feeds: { list: async () => two }, config: { serverMaxFeeds: 1 } } as unknown as CommandContext;
    const [embed] = buildMessage(await listFeeds({} as APIChatInputApplicationCommandInteraction, context)).embeds;
    expect(embed!.title).toBe('Feeds this server follows (2 of 1)');
    expect(embed!.fields!.map((field) => field.value.includes('paused: over the limit of 1 feeds, unfollow 1 to poll it again'))).toEqual([false, true]);
  });
});

describe('seenKey', () => {
  it('remembers a short key as it is and a long one by a digest of a fixed length, one per key', () => {
    expect(seenKey('bridge-works')).toBe('bridge-works');
    const long = `https://news.example/${'a'.repeat(480)}`;
    expect(seenKey(long)).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(seenKey(long)).toBe(seenKey(long));
    expect(seenKey(`${long}b`)).not.toBe(seenKey(long));
  });
});

describe('feedsFromJson', () => {
  it('drops an entry whose address is not an http(s) address, as a hand edit may leave one', () => {
    const read = feedsFromJson([{ url: 'not an address' }, { url: 'file:///etc/passwd' }, { url: 'https://news.example/rss' }], 'the list');
    expect(read.map((feed) => feed.url)).toEqual(['https://news.example/rss']);
    expect(read[0]).toMatchObject({ keep: 20, failures: 0, seen: [], articles: [] });
  });
});
