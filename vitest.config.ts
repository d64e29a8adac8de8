import { defineConfig } from 'vitest/config';

/**
 * Tests that start processes, sockets or a discord.js client, or wait on file-system watchers:
 * left out of the quick lane, `npm run test:unit`.
 */
const SLOW_TESTS = ['tests/**/*.e2e.test.ts', 'tests/cli.test.ts', 'tests/fake-discord.test.ts', 'tests/watchCorpus.test.ts'];

/** Tests that time how work grows with its input (CPU-bound, some seconds each): their own lane too. */
const TIMING_TESTS = ['tests/linear-time.test.ts'];

export default defineConfig({
  test: {
    // End-to-end tests start a real discord.js client against a local fake Discord.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // `npm test` runs every project; `npm run test:unit` only the first (seconds).
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: [...SLOW_TESTS, ...TIMING_TESTS] } },
      { extends: true, test: { name: 'e2e', include: SLOW_TESTS } },
      { extends: true, test: { name: 'linear-time', include: TIMING_TESTS } },
    ],
  },
});
