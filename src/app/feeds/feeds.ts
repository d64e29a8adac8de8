/**
 * Followed feeds: what moderators follow (and the operator, for the base corpus), and the poller
 * that turns each new item into an article as `/corpus add link:` would, through the same safe
 * fetching, extraction and corpus changes (quota, duplicates, reload everywhere, audit).
 *
 * Every process serving the corpus runs a poller; each poll of a feed is taken as a lease in the
 * feed store, under its lock across processes, so exactly one process polls a feed at a time, and
 * what a feed has seen is recorded after each item, so nothing is added twice after a restart. A
 * process that died mid-poll leaves a lease that runs out; the duplicate check of corpus changes
 * refuses an article added just before it died, and the next poll takes that one as the feed's.
 */
import { hostname } from 'node:os';
import { createHash, randomUUID } from 'node:crypto';
import { prepareArticle, type Prepared } from '../../engine/prepareArticle.js';
import { StoreUnavailable } from '../../engine/corpusTasks.js';
import { ExtractionFailed, readFeedOffThread } from '../../engine/extractionTasks.js';
import { FetchRefused, fetchFeed, type FeedValidators } from '../../ingest/safeFetch.js';
import type { FeedItem, ParsedFeed } from '../../ingest/readFeed.js';
import type { DocumentMeta } from '../../corpus/types.js';
import { truncateAtWord } from '../../text/sentences.js';
import { escapeUserText } from '../responses.js';
import type { Logger } from '../../runtime/logger.js';
import type { Actor, ServerCorpusChanges } from '../corpusChanges/corpusChanges.js';
import { FAILING_AFTER, feedState, findFeed, type FeedState, type FollowedFeed, type FeedStore } from './feedStore.js';

export interface FeedsConfig {
  /** How often each feed is polled. */
  feedPollSeconds: number;
  /** Most feeds one server follows. */
  serverMaxFeeds: number;
  fetchAllowPrivate: boolean;
}

/** What a poll of one feed did, for the log and the metrics (`interrupted`: the corpus could not take an article now). */
export type PollOutcome = 'new' | 'unchanged' | 'not-modified' | 'failed' | 'interrupted';

export interface FeedsMetrics {
  observePoll(outcome: PollOutcome): void;
  observeItem(outcome: 'added' | 'skipped' | 'retried'): void;
  observeFeeds(counts: Record<FeedState, number>): void;
}

export interface FeedsOptions {
  store: FeedStore;
  config: FeedsConfig;
  logger: Logger;
  /** Corpus changes for a scope (undefined: the base corpus, the operator's). */
  corpusFor(scope: string | undefined): ServerCorpusChanges;
  /** Posts a line to the audit channel, if there is one. */
  audit(text: string): Promise<void>;
  metrics?: FeedsMetrics;
  /** How a feed is fetched (tests serve theirs on loopback while its items' links are checked as in production). */
  fetchFeed?: typeof fetchFeed;
  /** The clock (tests move it). */
  now?: () => number;
  /** Whether following a feed polls it at once (default); the command line only follows, and the running bot polls. */
  pollOnFollow?: boolean;
}

/** What one poll added (titles), skipped and left to try again (a title and why each). */
export interface PollSummary {
  added: string[];
  skipped: string[];
  retried: string[];
}

export type FollowOutcome =
  /** `items`: in the feed now; `first`: the first poll, run at once, unless another process took it (then its items come at its poll). */
  | { followed: FollowedFeed; items: number; first?: PollSummary }
  /** A sentence for the moderator: why the feed was not followed. */
  | { refused: string };

/** Following feeds as one server's moderators (or the operator, for the base) do. */
export interface ScopeFeeds {
  follow(actor: Actor, address: string, keep: number): Promise<FollowOutcome>;
  /** The feed no longer followed, or undefined when none had that address or title. */
  unfollow(actor: Actor, address: string): Promise<FollowedFeed | undefined>;
  list(): Promise<FollowedFeed[]>;
}

export interface Feeds {
  forScope(scope: string | undefined): ScopeFeeds;
  /** Starts polling on a timer. */
  start(): void;
  stop(): Promise<void>;
  /** Polls every feed that is due now, in this process; resolves when done (tests, and the timer). */
  pollDue(): Promise<void>;
}

/** Most items read from a feed: a feed keeps at most this many articles. */
export const MAX_KEEP = 100;
export const DEFAULT_KEEP = 20;
/** Item keys remembered per feed, per item it keeps: several times what it reads, so an old item falling back in is not new. */
const SEEN_PER_KEPT = 5;
/** Longest a key is remembered as given; a longer one (a guid that is a long address) is remembered by a digest. */
const SEEN_KEY_CHARS = 40;
/**
 * How long one poll may go on adding items before the other feeds get their turn: the rest of its
 * items are read at its next poll, due soon. A feed of slow links must not hold up every other.
 */
const POLL_TURN_MS = 3 * 60_000;
/** How long a poll may hold a feed before another process may take it; renewed with each item. */
const LEASE_MS = 5 * 60_000;
/** Longest wait between polls of a failing feed. */
const MAX_BACKOFF_MS = 6 * 60 * 60_000;
/** How soon a poll stopped by a busy corpus is tried again (at most the interval). */
const BUSY_RETRY_MS = 60_000;
/** Polls an item whose link failed for now (a timeout, a 503) is tried in, before it is skipped for good. */
const ITEM_TRIES = 3;
/** Words from which an item's own content is taken as the whole article rather than a summary. */
const FULL_CONTENT_WORDS = 150;

/** When a feed that failed `failures` times in a row is polled again: the interval, doubling, capped. */
export function backoffMs(intervalMs: number, failures: number): number {
  return Math.min(intervalMs * 2 ** Math.max(0, failures - 1), Math.max(intervalMs, MAX_BACKOFF_MS));
}

/** A feed's place in the interval, from its address: feeds all due at once (a restart after a pause) are spread over it. */
function phaseMs(url: string, intervalMs: number): number {
  let hash = 0;
  for (let index = 0; index < url.length; index += 1) hash = (hash * 31 + url.charCodeAt(index)) >>> 0;
  return hash % Math.max(1, intervalMs);
}

export function createFeeds({
  store,
  config,
  logger,
  corpusFor,
  audit,
  metrics,
  fetchFeed: fetchTheFeed = fetchFeed,
  now = Date.now,
  pollOnFollow = true,
}: FeedsOptions): Feeds {
  const intervalMs = config.feedPollSeconds * 1000;
  const holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  const fetchOptions = { allowPrivate: config.fetchAllowPrivate };
  const iso = (time: number) => new Date(time).toISOString();
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  const running = new Set<Promise<unknown>>();
  let started = false;
  let stopped = false;

  /**
   * Reads a feed (fetched and parsed off this thread); throws FetchRefused or ExtractionFailed. A
   * feed whose server sends no validators, but the same bytes as last time (`digest`), is not
   * parsed again: it is as good as "not modified".
   */
  const readFeed = async (url: string, keep: number, { validators, digest }: Pick<FollowedFeed, 'validators' | 'digest'> = {}) => {
    const fetched = await fetchTheFeed(url, { ...fetchOptions, validators });
    if (fetched.notModified) return { notModified: true as const };
    const bytesDigest = createHash('sha256').update(fetched.bytes).digest('hex');
    if (bytesDigest === digest) return { notModified: true as const };
    const parsed = await readFeedOffThread({ bytes: fetched.bytes, url: fetched.url, charset: fetched.charset }, { maxItems: keep });
    return { notModified: false as const, parsed, validators: fetched.validators, digest: bytesDigest };
  };

  const forScope = (scope: string | undefined): ScopeFeeds => ({
    async follow(actor, address, keep) {
      let url: string;
      try {
        const parsedUrl = new URL(address.trim());
        // A password in the address would be kept, logged and shown to every moderator.
        if (parsedUrl.username !== '' || parsedUrl.password !== '')
          return { refused: 'Give the feed’s address without a user name or password: the bot follows public feeds only.' };
        url = parsedUrl.href;
      } catch {
        return { refused: 'That is not a web address: give the feed’s link, starting with https://.' };
      }
      const current = await store.read(scope);
      if (current.some((feed) => feed.url === url)) return { refused: 'This server already follows that feed: `/corpus feeds` shows it.' };
      if (scope !== undefined && current.length >= config.serverMaxFeeds)
        return {
          refused: `A server may follow at most ${config.serverMaxFeeds} feeds, and this one follows ${current.length}: unfollow one with \`/corpus unfollow\` first.`,
        };
      let read: Awaited<ReturnType<typeof readFeed>>;
      try {
        read = await readFeed(url, keep);
      } catch (error) {
        if (error instanceof FetchRefused) return { refused: `Not followed: ${error.message}` };
        if (error instanceof ExtractionFailed) return { refused: `Not followed: ${url} is not a feed the bot can read (${error.message}).` };
        throw error;
      }
      if (read.notModified) return { refused: `Not followed: ${url} answered “not modified” to a first request.` };
      const followed: FollowedFeed = {
        url,
        ...(read.parsed.title && { title: read.parsed.title }),
        keep,
        followedBy: actor.id,
        followedAt: iso(now()),
        failures: 0,
        seen: [],
        articles: [],
      };
      const outcome = await store.update(scope, (feeds): FollowOutcome => {
        if (feeds.some((feed) => feed.url === url)) return { refused: 'This server already follows that feed: `/corpus feeds` shows it.' };
        if (scope !== undefined && feeds.length >= config.serverMaxFeeds)
          return { refused: `A server may follow at most ${config.serverMaxFeeds} feeds: unfollow one with \`/corpus unfollow\` first.` };
        feeds.push(followed);
        return { followed, items: read.parsed.itemCount };
      });
      if (!('followed' in outcome)) return outcome;
      logger.info({ actorId: actor.id, scope, feed: url, keep, action: 'follow' }, 'feed followed');
      // The first poll runs now, with the feed just read, so the moderator hears what was added and skipped.
      const leased = stopped || !pollOnFollow ? undefined : await takeNext(scope, { only: url });
      if (!leased) return outcome;
      const first = await pollOne(scope, leased, { parsed: read.parsed, validators: read.validators, digest: read.digest });
      return first ? { ...outcome, first } : outcome;
    },
    async unfollow(actor, address) {
      const removed = await store.update(scope, (feeds) => {
        const feed = findFeed(feeds, address);
        if (feed) feeds.splice(feeds.indexOf(feed), 1);
        return feed;
      });
      if (removed) logger.info({ actorId: actor.id, scope, feed: removed.url, action: 'unfollow' }, 'feed unfollowed');
      return removed;
    },
    list: () => store.read(scope),
  });

  /**
   * Changes the state of a feed this poll holds, under the lock; false when it no longer holds it:
   * unfollowed meanwhile, or its lease ran out and another poll took the feed.
   */
  const updateFeed = (scope: string | undefined, leased: FollowedFeed, change: (feed: FollowedFeed) => void) =>
    store.update(scope, (feeds) => {
      const feed = feeds.find((candidate) => candidate.url === leased.url);
      if (feed?.lease?.holder !== leased.lease?.holder) return false;
      change(feed!);
      return true;
    });
  /** Holds the feed for another LEASE_MS from now. */
  const renew = (leased: FollowedFeed) => (state: FollowedFeed) => {
    state.lease = { holder: leased.lease!.holder, until: iso(now() + LEASE_MS) };
  };

  /**
   * Takes the next feed of `scope` (or the one at `only`) that is due and not being polled, leased to
   * one poll of this process, one feed at a time so that no lease runs out while others are polled.
   */
  let leases = 0;
  const takeNext = (scope: string | undefined, { only, except }: { only?: string; except?: ReadonlySet<string> } = {}) =>
    store.update(scope, (feeds) => {
      const time = now();
      // A server following more than it may now (the limit was lowered): its first ones are polled, the others wait.
      const polled = scope === undefined ? feeds : feeds.slice(0, config.serverMaxFeeds);
      for (const feed of polled) {
        if ((only !== undefined && feed.url !== only) || except?.has(feed.url)) continue;
        // Leased: being polled now, by another process or by this one (a follow's first poll beside the timer's).
        if (feed.lease && Date.parse(feed.lease.until) > time) continue;
        const next = feed.nextPollAt === undefined ? time : Date.parse(feed.nextPollAt);
        if (next > time) continue;
        // Missed by a whole interval (the bot was stopped): spread such feeds over the interval rather than all at once.
        if (feed.lastPollAt !== undefined && time - next > intervalMs && feed.failures === 0) {
          feed.nextPollAt = iso(time + phaseMs(feed.url, intervalMs));
          continue;
        }
        leases += 1;
        feed.lease = { holder: `${holder}#${leases}`, until: iso(time + LEASE_MS) };
        return structuredClone(feed);
      }
      return undefined;
    });

  /** The article an item makes: its own content when the feed carries the whole article, else its link fetched. */
  const prepareItem = async (item: FeedItem, parsed: ParsedFeed): Promise<Prepared> => {
    const fromFeed: Partial<DocumentMeta> = {
      ...(item.title && { title: item.title }),
      ...(item.author && { author: item.author }),
      ...(item.published && { published: item.published }),
      ...(parsed.title && { publisher: parsed.title }),
    };
    const optionFor = (field: keyof DocumentMeta) => `the feed item's ${field}`;
    if (item.contentHtml !== undefined && wordCount(item.contentHtml) >= FULL_CONTENT_WORDS) {
      const page = `<!doctype html><html><head><meta charset="utf-8"></head><body><article>${item.contentHtml}</article></body></html>`;
      return prepareArticle(
        { name: `${item.key}.html`, bytes: new TextEncoder().encode(page) },
        { overrides: { ...fromFeed, ...(item.link && { url: item.link }) }, optionFor },
      );
    }
    if (item.link === undefined) return { ok: false, message: `“${item.title ?? item.key}” has no link and no full text in the feed` };
    return prepareArticle({ link: item.link }, { fallbacks: fromFeed, optionFor, fetch: fetchOptions });
  };

  /** Polls one leased feed (`fresh`: just read): its new items added, the oldest retired beyond `keep`, its state recorded. */
  const pollFeed = async (
    scope: string | undefined,
    feed: FollowedFeed,
    fresh?: { parsed: ParsedFeed; validators: FeedValidators; digest: string },
  ): Promise<PollSummary> => {
    const started = now();
    const corpus = corpusFor(scope);
    const actor: Actor = { id: 'feed', reason: `feed ${feed.title ?? feed.url}` };
    const added: string[] = [];
    const skipped: string[] = [];
    /** Items whose link failed for now: not seen, so read again at the next poll. */
    const retried: string[] = [];
    let read: Awaited<ReturnType<typeof readFeed>>;
    try {
      read = fresh ? { notModified: false, ...fresh } : await readFeed(feed.url, feed.keep, feed);
    } catch (error) {
      if (!(error instanceof FetchRefused || error instanceof ExtractionFailed)) throw error;
      await failed(scope, feed, error.message);
      return { added, skipped, retried };
    }
    if (read.notModified) {
      await updateFeed(scope, feed, (state) => succeeded(state, started));
      metrics?.observePoll('not-modified');
      return { added, skipped, retried };
    }
    // Long keys are remembered by a digest: what a feed has seen stays small, whatever its items' keys.
    const parsed = { ...read.parsed, items: read.parsed.items.map((item) => ({ ...item, key: seenKey(item.key) })) };
    const seen = new Set(feed.seen);
    // Tries are kept only for items still in the feed.
    const inFeed = new Set(parsed.items.map((item) => item.key));
    // Oldest first, so the articles are added, and later retired, in the order they were published.
    const unseen = parsed.items.filter((item) => !seen.has(item.key)).reverse();
    let interrupted: string | undefined;
    for (const item of unseen) {
      if (stopped) {
        interrupted = 'the bot is stopping';
        break;
      }
      if (now() - started > POLL_TURN_MS) {
        interrupted = 'its turn ran out: the other feeds are polled first, and its other items soon';
        break;
      }
      const outcome = await addItem(scope, feed, item, parsed, corpus, actor);
      // Unfollowed, or taken over by another poll (this one's lease ran out): that one records the rest.
      if (outcome === 'lost') return { added, skipped, retried };
      if ('busy' in outcome) {
        interrupted = outcome.busy;
        break;
      }
      if ('retried' in outcome) {
        retried.push(outcome.retried);
        continue;
      }
      if (outcome.added) added.push(outcome.added);
      if (outcome.skipped) skipped.push(outcome.skipped);
    }
    if (interrupted !== undefined) {
      // Not the feed's fault (the corpus could not take an article now, or the bot is stopping), so no failure is
      // counted; its validators are not kept, so the items left are read again: soon, or by the next process at once.
      await updateFeed(scope, feed, (state) => {
        if (added.length > 0) state.lastNewItemAt = iso(now());
        dropRetries(state, (key) => !inFeed.has(key));
        delete state.lease;
        // Nothing was written for the item it stopped at.
        delete state.adding;
        if (!stopped) state.nextPollAt = iso(now() + Math.min(intervalMs, BUSY_RETRY_MS));
      });
      metrics?.observePoll('interrupted');
      logger[stopped ? 'info' : 'warn']({ scope, feed: feed.url, added: added.length, skipped: skipped.length, reason: interrupted }, 'feed poll interrupted');
    } else {
      await updateFeed(scope, feed, (state) => {
        succeeded(state, started);
        // An item to try again: the feed is read whole next time, not answered "not modified".
        state.validators = retried.length > 0 ? undefined : read.validators;
        state.digest = retried.length > 0 ? undefined : read.digest;
        dropRetries(state, (key) => !inFeed.has(key));
        if (parsed.title) state.title = parsed.title;
        if (added.length > 0) state.lastNewItemAt = iso(now());
      });
      metrics?.observePoll(added.length + skipped.length > 0 ? 'new' : 'unchanged');
      if (added.length + skipped.length > 0)
        logger.info({ scope, feed: feed.url, added: added.length, skipped: skipped.length, ms: now() - started }, 'feed polled: new items');
    }
    if (skipped.length > 0) await audit(skippedNotice(feed, scope, skipped));
    return { added, skipped, retried };
  };

  /** Adds one new item, retires the feed's oldest beyond `keep`, and records the item as seen. */
  const addItem = async (
    scope: string | undefined,
    feed: FollowedFeed,
    item: FeedItem,
    parsed: ParsedFeed,
    corpus: ServerCorpusChanges,
    actor: Actor,
  ): Promise<{ added?: string; skipped?: string } | { busy: string } | { retried: string } | 'lost'> => {
    const record = (change: (state: FollowedFeed) => void) =>
      updateFeed(scope, feed, (state) => {
        state.seen = [...state.seen.filter((key) => key !== item.key), item.key].slice(-Math.max(SEEN_PER_KEPT * state.keep, 50));
        delete state.adding;
        dropRetries(state, (key) => key === item.key);
        renew(feed)(state);
        change(state);
      });
    const title = item.title ?? item.link ?? item.key;
    const skip = async (why: string) => {
      metrics?.observeItem('skipped');
      logger.info({ scope, feed: feed.url, item: item.link ?? item.key, reason: why }, 'feed item skipped');
      return (await record(() => undefined)) ? { skipped: `“${title}”: ${why}` } : ('lost' as const);
    };
    // Its link failed at an earlier poll of this interval (one interrupted, then repeated soon): not fetched again yet.
    const retry = feed.retries?.[item.key];
    if (retry && now() - Date.parse(retry.lastTriedAt) < intervalMs) return { retried: `“${title}”: its link failed at the last poll` };
    const article = await prepareItem(item, parsed);
    if (!article.ok && article.transient) {
      const tries = (retry?.tries ?? 0) + 1;
      if (tries >= ITEM_TRIES) return skip(`its link failed at ${tries} polls in a row, the last time: ${article.message}`);
      metrics?.observeItem('retried');
      logger.info({ scope, feed: feed.url, item: item.link ?? item.key, reason: article.message, tries }, 'feed item tried again next poll');
      const noted = await updateFeed(scope, feed, (state) => {
        state.retries = { ...state.retries, [item.key]: { tries, lastTriedAt: iso(now()) } };
        renew(feed)(state);
      });
      return noted ? { retried: `“${title}”: ${article.message}` } : 'lost';
    }
    if (!article.ok) return skip(article.message);
    // Nothing is written for a feed this poll no longer holds (unfollowed while the article was fetched).
    let writtenBefore = false;
    const holding = await updateFeed(scope, feed, (state) => {
      writtenBefore = state.adding === item.key;
      state.adding = item.key;
      renew(feed)(state);
    });
    if (!holding) return 'lost';
    /**
     * Retires the feed's oldest article: `kept` when the corpus refused (it stays the feed's, retired after a
     * later item), `lost` when this poll no longer holds the feed.
     */
    const retireOldest = async (): Promise<'retired' | 'kept' | 'lost'> => {
      const oldest = feed.articles[0]!;
      const { refused } = await corpus.remove({ ...actor, reason: `${actor.reason}: keeps ${feed.keep}` }, oldest.documentId);
      if (refused) {
        logger.warn({ scope, feed: feed.url, documentId: oldest.documentId, refused }, 'feed could not retire its oldest article');
        return 'kept';
      }
      feed.articles.shift();
      const recorded = await updateFeed(
        scope,
        feed,
        (state) => void (state.articles = state.articles.filter(({ documentId }) => documentId !== oldest.documentId)),
      );
      return recorded ? 'retired' : 'lost';
    };
    /** Records the item's article as the feed's, then retires the oldest beyond `keep`: served first, so members never lack the newest. */
    const keepArticle = async (documentId: string): Promise<'kept' | 'lost'> => {
      const entry = { key: item.key, documentId, addedAt: iso(now()) };
      feed.articles.push(entry);
      if (!(await record((state) => state.articles.push(entry)))) return 'lost';
      while (feed.articles.length > feed.keep) {
        const retired = await retireOldest();
        if (retired === 'lost') return 'lost';
        if (retired === 'kept') break;
      }
      return 'kept';
    };
    let upload = {
      fileName: article.fileName,
      bytes: new TextEncoder().encode(article.markdown),
      replace: false,
      unique: { url: article.meta.url, fingerprint: article.fingerprint },
    };
    let added = await corpus.add(actor, upload);
    // Another article has the file name of this one's title (a feed's daily "Morning briefing"): it is named apart by its item.
    if (added.write && !added.write.ok && added.write.reason === 'exists') {
      upload = { ...upload, fileName: `${upload.fileName.replace(/\.md$/, '')}-${createHash('sha256').update(item.key).digest('hex').slice(0, 8)}.md` };
      added = await corpus.add(actor, upload);
    }
    // No room left in the server's quota: the feed's own oldest article makes way, once.
    if (added.write && !added.write.ok && added.write.reason === 'quota' && feed.articles.length > 0) {
      const retired = await retireOldest();
      if (retired === 'lost') return 'lost';
      if (retired === 'kept') return { busy: 'the feed’s oldest article could not be retired to make room' };
      added = await corpus.add(actor, upload);
    }
    const { write, duplicate, refused } = added;
    // The article a poll wrote just before its process died (it never recorded the item): the feed's own, kept and retired as such.
    if (duplicate && writtenBefore && duplicate.document.scope === scope && !feed.articles.some(({ documentId }) => documentId === duplicate.document.id)) {
      const kept = await keepArticle(duplicate.document.id);
      return kept === 'lost' ? kept : {};
    }
    if (duplicate) return (await record(() => undefined)) ? {} : 'lost';
    // Nothing could be written now (the corpus busy or unwritable): the item is not seen, and is tried again.
    if (refused) return { busy: refused };
    if (!write?.ok) return skip(write?.reason === 'quota' ? 'the server has no room left for it (its quota)' : 'it is not a valid article');
    metrics?.observeItem('added');
    const kept = await keepArticle(write.documentId);
    return kept === 'lost' ? kept : { added: article.meta.title };
  };

  const succeeded = (state: FollowedFeed, started: number) => {
    if (state.failures >= FAILING_AFTER) logger.info({ feed: state.url, failures: state.failures }, 'feed recovered');
    state.failures = 0;
    delete state.lastError;
    delete state.lease;
    state.lastPollAt = iso(started);
    state.nextPollAt = iso(started + intervalMs);
  };

  const failed = async (scope: string | undefined, feed: FollowedFeed, message: string) => {
    let failures = 0;
    await updateFeed(scope, feed, (state) => {
      failures = state.failures + 1;
      state.failures = failures;
      state.lastError = message.slice(0, 300);
      delete state.lease;
      state.lastPollAt = iso(now());
      state.nextPollAt = iso(now() + backoffMs(intervalMs, failures));
    });
    metrics?.observePoll('failed');
    logger.warn({ scope, feed: feed.url, failures, reason: message }, 'feed poll failed');
    if (failures === FAILING_AFTER)
      await audit(
        `The feed ${feedInAudit(feed, scope)} failed ${FAILING_AFTER} polls in a row: ${escapeUserText(message)} It is tried again less often until it answers.`,
      );
  };

  /** Polls one leased feed; a bug or a disk error in it is logged and counted as its failure, never thrown. */
  const pollOne = async (scope: string | undefined, feed: FollowedFeed, fresh?: Parameters<typeof pollFeed>[2]) => {
    const poll = pollFeed(scope, feed, fresh).catch(async (error: unknown) => {
      // The list of feeds held by other processes for longer than its lock waits, or the database keeping it down:
      // not the feed's fault, so no failure is counted (nor could it be written); its lease runs out and it is polled again.
      if (error instanceof StoreUnavailable || (error as NodeJS.ErrnoException).code === 'ELOCKED') {
        metrics?.observePoll('interrupted');
        logger.warn({ err: error, scope, feed: feed.url }, 'feed poll interrupted');
        return undefined;
      }
      logger.error({ err: error, scope, feed: feed.url }, 'feed poll failed unexpectedly');
      await failed(scope, feed, 'the poll failed unexpectedly (the log says more).').catch(() => undefined);
      return undefined;
    });
    running.add(poll);
    try {
      return await poll;
    } finally {
      running.delete(poll);
    }
  };

  const pollDue = async () => {
    const counts: Record<FeedState, number> = { new: 0, ok: 0, failing: 0 };
    for (const scope of await store.scopes()) {
      // Each feed once per pass, even one whose poll outlasted its interval.
      const polled = new Set<string>();
      for (;;) {
        if (stopped) return;
        let feed: FollowedFeed | undefined;
        try {
          feed = await takeNext(scope, { except: polled });
        } catch (error) {
          // One scope's unreadable list (or disk) must not stop the other scopes' feeds.
          logger.warn({ err: error, scope }, 'could not read the feeds this scope follows');
          break;
        }
        if (!feed) break;
        polled.add(feed.url);
        await pollOne(scope, feed);
      }
      for (const feed of await store.read(scope).catch(() => [])) counts[feedState(feed)] += 1;
    }
    metrics?.observeFeeds(counts);
  };

  /** Ticks often enough that a due feed waits a fraction of the interval, and no more than a few seconds for a short one. */
  const tickMs = Math.max(1000, Math.min(intervalMs / 4, 30_000));
  const schedule = (delayMs: number) => {
    if (!started || stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      polling ??= pollDue()
        .catch((error: unknown) => logger.warn({ err: error }, 'could not read the followed feeds'))
        .finally(() => {
          polling = undefined;
          schedule(tickMs);
        });
    }, delayMs);
    timer.unref();
  };

  return {
    forScope,
    pollDue,
    start() {
      started = true;
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // The timer's polls and any follow's first poll: each stops after the item it is adding.
      await Promise.all([polling, ...running]);
    },
  };
}

/**
 * Words in an item's HTML content, counted without parsing it (tags dropped). A tag never holds "<",
 * so each character is read once: the content is anyone's, and this runs on the Discord thread.
 */
export function wordCount(html: string): number {
  return html
    .replace(/<[^<>]*>/g, ' ')
    .split(/\s+/)
    .filter(Boolean).length;
}

/** A feed's name in the audit channel: the feed's own text, escaped, and its server. */
function feedInAudit(feed: Pick<FollowedFeed, 'title' | 'url'>, scope: string | undefined): string {
  return `“${escapeUserText(truncateAtWord(feed.title ?? feed.url, 200))}”${scope ? ` (server ${scope})` : ''}`;
}

function skippedNotice(feed: FollowedFeed, scope: string | undefined, skipped: string[]): string {
  const shown = skipped.slice(0, 5).map((line) => escapeUserText(truncateAtWord(line, 300)));
  const more = skipped.length > 5 ? [`and ${skipped.length - 5} more`] : [];
  return [`The feed ${feedInAudit(feed, scope)} skipped ${skipped.length} new item(s), not retried:`, ...shown, ...more].join('\n');
}

/** Forgets the tries of the items `drop` names, and the record itself once it is empty. */
function dropRetries(state: FollowedFeed, drop: (key: string) => boolean): void {
  if (!state.retries) return;
  const kept = Object.entries(state.retries).filter(([key]) => !drop(key));
  if (kept.length > 0) state.retries = Object.fromEntries(kept);
  else delete state.retries;
}

/** An item's key as a feed remembers it: as given when short, else by a digest of it. */
export function seenKey(key: string): string {
  return key.length <= SEEN_KEY_CHARS ? key : `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}
