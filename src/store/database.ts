/**
 * PostgreSQL as the store of record (DATABASE_URL): connections, the schema's migrations, and
 * telling "the database cannot be reached now" (down, restarting, unreachable) from any other
 * error, since that one is answered with a plain "try again shortly" and changes nothing.
 */
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { StoreUnavailable } from '../engine/corpusTasks.js';
import type { Logger } from '../runtime/logger.js';

/** Waiting longer than this for a connection means the database is as good as down. */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * Nor does a query wait longer than this for its answer (a change waits for another to the same
 * server for at most 20 s, its lock's timeout): past it, the database counts as unreachable.
 */
const QUERY_TIMEOUT_MS = 30_000;

/** Socket errors of a connection that could not be made, or was lost. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * PostgreSQL's own: the server shutting down or starting (57P01–57P03), too many connections
 * (53300), and every connection exception (class 08).
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** pg's messages for a connection it lost or never made (they carry no code). */
const CLIENT_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed|Query read timeout/i;

/** Whether `error` says the database cannot be reached now, rather than that a query or its data is wrong. */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof StoreUnavailable) return true;
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code !== undefined && (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08'))) return true;
  return CLIENT_MESSAGES.test(message ?? '');
}

/** A StoreUnavailable for an error that says the database cannot be reached; any other error as it is. */
export function asUnavailable(error: unknown): unknown {
  if (!isUnreachable(error) || error instanceof StoreUnavailable) return error;
  return new StoreUnavailable(`the database cannot be reached: ${(error as Error).message}`, { cause: error });
}

/** One connection, for a task of its own (a change in a worker thread, listening for changes, an import). */
export function connectClient(databaseUrl: string): pg.Client {
  return new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS, keepAlive: true });
}

/** Connections shared by this process's short queries (catching up with changes, feedback). */
export function createPool(databaseUrl: string, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
    max: 4,
  });
  // An idle connection lost (the database restarting) is dropped by the pool; unhandled, the event would end the process.
  pool.on('error', (error) => logger.debug({ err: error }, 'an idle database connection was lost'));
  return pool;
}

/** The versioned SQL of the schema, applied in order (node-pg-migrate). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Brings the database's schema up to date: each migration not yet applied, in one transaction.
 * Hosts starting together take turns (an advisory lock held while migrating), so each migration
 * runs once.
 */
export async function migrate(databaseUrl: string, logger: Logger): Promise<string[]> {
  const client = connectClient(databaseUrl);
  await client.connect();
  try {
    const log = (message: string) => logger.debug({ migrations: message }, 'database migration');
    const applied = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      migrationsTable: 'schema_migrations',
      direction: 'up',
      checkOrder: true,
      singleTransaction: true,
      advisoryLockMode: 'wait',
      logger: { debug: log, info: log, warn: log, error: log },
    });
    return applied.map((migration) => migration.name);
  } finally {
    await client.end().catch(() => undefined);
  }
}
