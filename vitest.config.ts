import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A fixed fast-check seed for every property test (see the file).
    setupFiles: ['test/helpers/setup.ts'],
    // Kernel instantiation and onnxruntime sessions are CPU heavy; two workers match CI's 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
