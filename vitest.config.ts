import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: the end-to-end suites start real services and must not starve each other.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
