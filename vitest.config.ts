import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // End-to-end tests start a real discord.js client against a local fake Discord.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
