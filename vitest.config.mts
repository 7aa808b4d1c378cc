import { defineConfig } from 'vitest/config';

// Temporal servers and the AWS emulator are real processes; on a 2-core machine the heavy files run
// one at a time, and each test gets the time a real server round trip needs.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
