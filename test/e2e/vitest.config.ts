import { defineConfig } from 'vitest/config';

/** Browser journeys: one file at a time, one worker (a real server and Chromium each), long timeouts. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    // The run's temporary folder (every server's data, downloads), removed at the end.
    globalSetup: ['src/test-support/globalSetup.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
