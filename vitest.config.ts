import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Minutes long; `npm run test:install` runs them (test/install/vitest.config.ts).
    exclude: [...configDefaults.exclude, 'test/install/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Rebuilds dist/'s bundles when they are older than their sources: the CLI tests and worker threads run them.
    globalSetup: ['test/global-setup.ts'],
    // The CLI runs the tests start write their code cache here, not in the home directory (see bin/fleetlint.js).
    env: { FLEETLINT_CACHE_DIR: join(tmpdir(), 'fleetlint-test-code-cache') },
  },
});
