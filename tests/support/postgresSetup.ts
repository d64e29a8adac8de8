/**
 * vitest globalSetup of the integration tests: one throwaway PostgreSQL server (postgres.ts) for
 * the whole run, its address given to the test files (`inject('postgresUrl')`), each of which
 * makes a database of its own (testDatabase.ts). Stopped, and its data deleted, after the run.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The connection string of the server's `postgres` database. */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresUrl', server.url());
  return () => server.destroy();
}
