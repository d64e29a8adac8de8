/**
 * The feeds each server follows, and what each has seen: kept beside the articles they add, in
 * `.feeds.json` in the server's folder (the base's in the corpus folder), so it survives restarts
 * and is shared by every process serving that folder. Every change is read, changed and written
 * under a lock across processes, so two processes never both take a feed's poll or lose each
 * other's updates (see feedPoller.ts).
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { SERVERS_FOLDER, isServerId, serverFolder } from '../../corpus/loadCorpus.js';
import type { FeedValidators } from '../../ingest/safeFetch.js';

/** One article a feed added, oldest first in `FollowedFeed.articles`: the first retired beyond `keep`. */
export interface FeedArticle {
  /** The item's key in the feed. */
  key: string;
  documentId: string;
  addedAt: string;
}

export interface FollowedFeed {
  /** The feed's address as followed (its value in commands). */
  url: string;
  /** The feed's own title, once read. */
  title?: string;
  /** Most articles the feed keeps: the oldest are retired beyond it. */
  keep: number;
  followedBy: string;
  followedAt: string;
  validators?: FeedValidators;
  /** SHA-256 of the feed as last read whole: the same bytes again are not read again. */
  digest?: string;
  lastPollAt?: string;
  /** When the last poll that added an article ran. */
  lastNewItemAt?: string;
  /** When the feed is due again; undefined: at once. */
  nextPollAt?: string;
  /** Failed polls in a row (0 once one succeeds). */
  failures: number;
  lastError?: string;
  /** A poll in progress, by a process, until a time (when that process stopped, another may take it). */
  lease?: { holder: string; until: string };
  /**
   * The key of the item whose article is being written: set before the write, cleared once the item is
   * recorded, so a poll after a crash in between takes the article it then finds as this feed's.
   */
  adding?: string;
  /** Items whose link failed for now (a timeout, a 503), by key: at how many polls, and when last. */
  retries?: Record<string, ItemRetry>;
  /** Keys of the items already handled (added, repeated or skipped), newest last, bounded. */
  seen: string[];
  articles: FeedArticle[];
}

export interface ItemRetry {
  tries: number;
  lastTriedAt: string;
}

/** A followed feed's state as `/corpus feeds` names it. */
export type FeedState = 'new' | 'ok' | 'failing';

/** Failed polls in a row after which a feed is failing (and the audit channel is told, once). */
export const FAILING_AFTER = 3;

export function feedState(feed: Pick<FollowedFeed, 'failures' | 'lastPollAt'>): FeedState {
  if (feed.failures >= FAILING_AFTER) return 'failing';
  return feed.lastPollAt === undefined ? 'new' : 'ok';
}

/**
 * How a command names a followed feed: its address, or a short digest of an address longer than
 * a suggestion's value may be (100 characters).
 */
export function feedRef(url: string): string {
  return url.length <= 100 ? url : `feed:${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
}

/** The feed a moderator named: by address, by `feedRef` (a suggestion picked), or by its title. */
export function findFeed(feeds: readonly FollowedFeed[], typed: string): FollowedFeed | undefined {
  const wanted = typed.trim();
  // An address as typed, written as following wrote it (host in lower case, a path's "/" added).
  const address = URL.canParse(wanted) ? new URL(wanted).href : wanted;
  return (
    feeds.find((feed) => feed.url === address || feedRef(feed.url) === wanted) ??
    feeds.find((feed) => feed.title !== undefined && feed.title.toLowerCase() === wanted.toLowerCase())
  );
}

/** Where followed feeds are kept; `scope` undefined is the base corpus (the operator's). */
export interface FeedStore {
  /** The scopes following at least one feed. */
  scopes(): Promise<Array<string | undefined>>;
  read(scope: string | undefined): Promise<FollowedFeed[]>;
  /** Runs `change` on the scope's feeds under the lock, and keeps what it leaves in the array. */
  update<T>(scope: string | undefined, change: (feeds: FollowedFeed[]) => T): Promise<T>;
}

const FEEDS_FILE = '.feeds.json';

/** A scope's list of feeds cannot be read (a file edited by hand): that scope's feeds wait, the others' go on. */
export class FeedListUnreadable extends Error {}

/** The feeds a store keeps as JSON (`where` names it in the error when they are not a list). */
export function feedsFromJson(value: unknown, where: string): FollowedFeed[] {
  if (!Array.isArray(value)) throw new FeedListUnreadable(`${where} holds no list of feeds`);
  return value.flatMap(wellFormed);
}

/** A feed as read back, with what a hand edit may have left out filled in; an entry without an address is dropped. */
function wellFormed(entry: unknown): FollowedFeed[] {
  const feed = entry as Partial<FollowedFeed> | null;
  if (typeof feed?.url !== 'string' || !/^https?:$/.test(URL.parse(feed.url)?.protocol ?? '')) return [];
  const list = <T>(value: T[] | undefined) => (Array.isArray(value) ? value : []);
  return [
    {
      ...feed,
      url: feed.url,
      keep: Number.isInteger(feed.keep) && feed.keep! > 0 ? feed.keep! : 20,
      followedBy: String(feed.followedBy ?? 'unknown'),
      followedAt: String(feed.followedAt ?? new Date(0).toISOString()),
      failures: Number.isInteger(feed.failures) ? feed.failures! : 0,
      seen: list(feed.seen).filter((key) => typeof key === 'string'),
      articles: list(feed.articles).filter((article) => typeof article?.documentId === 'string'),
      ...wellFormedRetries(feed.retries),
    },
  ];
}

function wellFormedRetries(retries: unknown): Pick<FollowedFeed, 'retries'> {
  if (typeof retries !== 'object' || retries === null) return { retries: undefined };
  const kept = Object.entries(retries as Record<string, Partial<ItemRetry> | null>).filter(
    ([, retry]) => Number.isInteger(retry?.tries) && typeof retry?.lastTriedAt === 'string' && !Number.isNaN(Date.parse(retry.lastTriedAt)),
  );
  return { retries: kept.length > 0 ? (Object.fromEntries(kept) as Record<string, ItemRetry>) : undefined };
}
/** Long enough for a busy disk; a holder that died is taken over once its lock is this old. */
const LOCK_STALE_MS = 10_000;
/** An update only reads and writes one small file: waiting a few seconds for another is plenty. */
const LOCK_RETRIES = { retries: 40, minTimeout: 25, maxTimeout: 250 };

export function fileFeedStore(corpusDir: string): FeedStore {
  const folderOf = (scope: string | undefined) => (scope === undefined ? corpusDir : path.join(corpusDir, serverFolder(scope)));
  const fileOf = (scope: string | undefined) => path.join(folderOf(scope), FEEDS_FILE);
  const read = async (scope: string | undefined): Promise<FollowedFeed[]> => {
    let text: string;
    try {
      text = await readFile(fileOf(scope), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new FeedListUnreadable(`${path.relative(corpusDir, fileOf(scope))} is not valid JSON`);
    }
    return feedsFromJson((parsed as { feeds?: unknown } | null)?.feeds ?? [], path.relative(corpusDir, fileOf(scope)));
  };
  return {
    async scopes() {
      // An unreadable list counts as following: its poll then says what is wrong with it.
      const follows = (scope: string | undefined) =>
        read(scope).then(
          (feeds) => feeds.length > 0,
          () => true,
        );
      const servers = await readdir(path.join(corpusDir, SERVERS_FOLDER)).catch(() => [] as string[]);
      const found: Array<string | undefined> = (await follows(undefined)) ? [undefined] : [];
      for (const scope of servers.filter(isServerId)) if (await follows(scope)) found.push(scope);
      return found;
    },
    read,
    update(scope, change) {
      if (scope !== undefined && !isServerId(scope)) return Promise.reject(new Error(`"${scope}" is not a server id`));
      return oneAtATimeHere(path.resolve(fileOf(scope)), () => updateLocked(scope, change));
    },
  };

  async function updateLocked<T>(scope: string | undefined, change: (feeds: FollowedFeed[]) => T): Promise<T> {
    const folder = folderOf(scope);
    await mkdir(folder, { recursive: true });
    const file = fileOf(scope);
    // Locked by the file's name, not the folder's: proper-lockfile keys its locks by that name, and
    // the folder's own write lock (corpusFiles) must stay a different lock.
    const release = await lockfile.lock(file, {
      lockfilePath: `${file}.lock`,
      realpath: false,
      stale: LOCK_STALE_MS,
      retries: LOCK_RETRIES,
      onCompromised: () => undefined,
    });
    try {
      const feeds = await read(scope);
      const before = JSON.stringify(feeds);
      const result = change(feeds);
      const after = JSON.stringify({ feeds }, null, 2);
      if (JSON.stringify(feeds) !== before) {
        // Written whole and renamed into place: a reader never sees half a file.
        const temporary = `${file}.${randomUUID()}.tmp`;
        await writeFile(temporary, after);
        await rename(temporary, file);
      }
      return result;
    } finally {
      await release().catch(() => undefined);
    }
  }
}

/**
 * Updates of one list of feeds made in this process, in turn: proper-lockfile keeps one lock per
 * file in each process, and two holders of one file in one process would trip over each other's
 * refresh timers; across processes its lock file keeps them apart.
 */
const updatesHere = new Map<string, Promise<unknown>>();
function oneAtATimeHere<T>(file: string, update: () => Promise<T>): Promise<T> {
  const result = (updatesHere.get(file) ?? Promise.resolve()).then(update);
  const settled = result.catch(() => undefined);
  updatesHere.set(file, settled);
  void settled.then(() => {
    if (updatesHere.get(file) === settled) updatesHere.delete(file);
  });
  return result;
}
