import { defineConfig } from 'vitest/config';

/** The install tests (test/install/): minutes long, run once in CI by `npm run test:install`, not by `npm test`. */
export default defineConfig({
  test: {
    include: ['test/install/**/*.test.ts'],
    testTimeout: 15 * 60_000,
    hookTimeout: 5 * 60_000,
    pool: 'forks',
  },
});
