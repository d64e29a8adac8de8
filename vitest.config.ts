import { defineConfig } from 'vitest/config';

/**
 * One project per lane, one folder each under tests/. `npm test` runs them all; `npm run
 * test:unit` only the first: seconds, with no worker thread, model, network or timing assertion.
 */
export default defineConfig({
  test: {
    // End-to-end tests start a real discord.js client against a local fake Discord.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      // Discord's API as its published OpenAPI spec describes it, and the fake Discord held to it.
      { extends: true, test: { name: 'contract', include: ['tests/contract/**/*.test.ts'] } },
      // Worker threads, the model, processes, sockets, file-system watchers: the bot end to end;
      // and a PostgreSQL server of the run's own, for the store of record (DATABASE_URL).
      // Two files at a time, in a group of their own (after the lanes above, before the CPU-bound ones below):
      // most of their time is spent waiting on sockets, timers and other processes.
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/support/postgresSetup.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      // Floors on answer quality, asserted on the held-out halves of the question sets.
      { extends: true, test: { name: 'quality', include: ['tests/quality/**/*.test.ts'], sequence: { groupOrder: 2 } } },
      // How work grows with its input (CPU-bound, seconds each).
      { extends: true, test: { name: 'linear-time', include: ['tests/timing/**/*.test.ts'], sequence: { groupOrder: 2 } } },
    ],
  },
});
