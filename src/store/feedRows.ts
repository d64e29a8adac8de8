/**
 * The feeds each server follows, in the database (with DATABASE_URL), shared by every host: as
 * `.feeds.json` keeps them beside a server's articles, one row per scope, each change made in a
 * transaction holding the row's lock, so hosts polling at once take turns.
 */
import type pg from 'pg';
import { feedsFromJson, type FeedStore, type FollowedFeed } from '../app/feeds/feedStore.js';
import { asUnavailable } from './database.js';

/** The base corpus's scope in the table (a server's is its id). */
const BASE = '';

export function databaseFeedStore(pool: pg.Pool): FeedStore {
  const key = (scope: string | undefined) => scope ?? BASE;
  const unavailable = (error: unknown): never => {
    throw asUnavailable(error);
  };
  return {
    async scopes() {
      const { rows } = await pool.query<{ scope: string }>("SELECT scope FROM feed_lists WHERE feeds <> '[]'::jsonb ORDER BY scope").catch(unavailable);
      return rows.map(({ scope }) => (scope === BASE ? undefined : scope));
    },
    async read(scope) {
      const { rows } = await pool.query<{ feeds: unknown }>('SELECT feeds FROM feed_lists WHERE scope = $1', [key(scope)]).catch(unavailable);
      return feedsFromJson(rows[0]?.feeds ?? [], `the feeds of ${scope ?? 'the base corpus'}`);
    },
    async update(scope, change) {
      const client = await pool.connect().catch(unavailable);
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO feed_lists (scope) VALUES ($1) ON CONFLICT (scope) DO NOTHING', [key(scope)]);
        const { rows } = await client.query<{ feeds: unknown }>('SELECT feeds FROM feed_lists WHERE scope = $1 FOR UPDATE', [key(scope)]);
        const feeds: FollowedFeed[] = feedsFromJson(rows[0]?.feeds ?? [], `the feeds of ${scope ?? 'the base corpus'}`);
        const before = JSON.stringify(feeds);
        const result = change(feeds);
        if (JSON.stringify(feeds) !== before) await client.query('UPDATE feed_lists SET feeds = $2 WHERE scope = $1', [key(scope), JSON.stringify(feeds)]);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw asUnavailable(error);
      } finally {
        client.release();
      }
    },
  };
}
