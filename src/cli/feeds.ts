/**
 * `npm run -s feeds -- follow URL [--keep N] | unfollow URL | list`: the feeds the base corpus
 * follows (every server's articles), the operator's counterpart of `/corpus follow`. The running
 * bot picks a change up at its next poll; their items go into the corpus folder itself.
 */
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { createFeeds, DEFAULT_KEEP, MAX_KEEP } from '../app/feeds/feeds.js';
import { feedState, fileFeedStore, type FeedStore } from '../app/feeds/feedStore.js';
import { createPool, migrate } from '../store/database.js';
import { databaseFeedStore } from '../store/feedRows.js';
import { createLogger } from '../runtime/logger.js';
import { allowPrivateFrom } from '../ingest/safeFetch.js';
import { forTerminal, runCli, UsageError } from './runCli.js';

const USAGE = `Usage: npm run -s feeds -- follow URL [--keep N]
       npm run -s feeds -- unfollow URL
       npm run -s feeds -- list

Follows a news feed (RSS, Atom or JSON Feed) for the base corpus, the articles every server is
answered from, in the corpus folder ($CORPUS_DIR or ./corpus): the running bot adds each new item
as an article, keeping the feed's N newest (default ${DEFAULT_KEEP}, at most ${MAX_KEEP}).
Servers follow their own feeds with /corpus follow.

  --keep N   most articles the feed keeps; the oldest are retired to .removed/ beyond it
  --help     show this help

Feeds on this machine or its network are refused unless FETCH_ALLOW_PRIVATE=true.`;

runCli(async () => {
  const { values, positionals } = parseArgs({
    options: { keep: { type: 'string' }, help: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  loadDotenv({ quiet: true });
  const [action, address] = positionals;
  const isList = action === 'list' && positionals.length === 1;
  if (!isList && (positionals.length !== 2 || (action !== 'follow' && action !== 'unfollow'))) throw new UsageError('Give follow URL, unfollow URL, or list');
  const keep = values.keep === undefined ? DEFAULT_KEEP : Number(values.keep);
  if (!Number.isInteger(keep) || keep < 1 || keep > MAX_KEEP) throw new UsageError(`--keep must be a whole number from 1 to ${MAX_KEEP}`);
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
  const silent = createLogger({ logLevel: 'silent', logPretty: false, token: '', databaseUrl });
  // With DATABASE_URL the feeds are kept in the database, as the running bot keeps them.
  if (databaseUrl) await migrate(databaseUrl, silent);
  const pool = databaseUrl ? createPool(databaseUrl, silent) : undefined;
  try {
    return await change(
      action as 'list' | 'follow' | 'unfollow',
      address ?? '',
      keep,
      pool ? databaseFeedStore(pool) : fileFeedStore(process.env.CORPUS_DIR?.trim() || './corpus'),
    );
  } finally {
    await pool?.end();
  }
}, 'npm run -s feeds -- --help');

/** Lists, follows or unfollows a feed of the base corpus in `store`; the exit status. */
async function change(action: 'list' | 'follow' | 'unfollow', address: string, keep: number, store: FeedStore): Promise<number> {
  const feeds = createFeeds({
    store,
    config: { feedPollSeconds: 1800, serverMaxFeeds: 0, fetchAllowPrivate: allowPrivateFrom(process.env) },
    logger: createLogger({ logLevel: 'silent', logPretty: false, token: '' }),
    // Following only reads the feed: its items are added by the running bot, at its next tick.
    pollOnFollow: false,
    corpusFor: () => {
      throw new Error('the command line does not poll feeds');
    },
    audit: async () => undefined,
  }).forScope(undefined);
  const actor = { id: 'operator', reason: 'npm run feeds' };

  if (action === 'list') {
    const followed = await feeds.list();
    if (followed.length === 0) console.log('The base corpus follows no feed.');
    for (const feed of followed)
      console.log(
        forTerminal(
          `${feed.title ?? '(untitled)'}  ${feed.url}\n  ${feedState(feed)}, last poll ${feed.lastPollAt ?? 'never'}, ${feed.articles.length} of ${feed.keep} articles kept${feed.lastError ? `, last error: ${feed.lastError}` : ''}`,
        ),
      );
    return 0;
  }
  if (action === 'follow') {
    const outcome = await feeds.follow(actor, address, keep);
    if ('refused' in outcome) {
      console.error(forTerminal(outcome.refused));
      return 1;
    }
    console.log(
      forTerminal(
        `Following “${outcome.followed.title ?? outcome.followed.url}” (${outcome.items} item${outcome.items === 1 ? '' : 's'} now); the running bot adds them at its next poll.`,
      ),
    );
    return 0;
  }
  const removed = await feeds.unfollow(actor, address);
  if (!removed) {
    console.error(forTerminal(`The base corpus follows no feed ${address}.`));
    return 1;
  }
  console.log(forTerminal(`No longer following “${removed.title ?? removed.url}”; its ${removed.articles.length} articles stay in the corpus folder.`));
  return 0;
}
