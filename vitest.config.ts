import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` runs in seconds with nothing but Node; `e2e` starts real Python services (Debian's
 * frameworks under /usr/bin/python3) and headless Chromium. `npm test` runs both after
 * scripts/test-deps.mjs has made sure those are installed; `npm run test:unit` runs the first alone.
 */
const E2E = [
  'test/soak/**/*.test.ts',
  'test/gate/gate.test.ts',
  'test/gate/sweep.test.ts',
  'test/gate/request-body.test.ts',
  'test/service/process.test.ts',
  'test/service/usage.test.ts',
  'test/drive/call.test.ts',
  'test/report/html.test.ts',
  'test/adoption/**/*.e2e.test.ts',
  'test/harness/holders.test.ts',
  'test/gate/held-by.test.ts',
  'test/websocket/frameworks.test.ts',
  'test/websocket/hold.test.ts',
  'test/live/live-soak.test.ts',
];

const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  setupFiles: ['test/setup.ts'],
};

export default defineConfig({
  test: {
    // Two cores: the end-to-end suites start real services and must not starve each other.
    maxWorkers: 2,
    fileParallelism: true,
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E } },
      // A leaky run now goes on to most of its requested length (early stop never changes a verdict), and
      // a loaded machine halves the request rate: real services get three minutes a test.
      { test: { ...shared, name: 'e2e', include: E2E, testTimeout: 180_000 } },
    ],
  },
});
