import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['board-source'] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 240_000,
    pool: 'forks',
  },
});
