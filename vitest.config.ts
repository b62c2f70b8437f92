import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `server-only` throws outside Next's server build (its 'react-server' condition). Tests import
// server modules directly, as the server does: give them its empty module.
const serverOnly = fileURLToPath(new URL('./node_modules/server-only/empty.js', import.meta.url));

export default defineConfig({
  resolve: { conditions: ['board-source'], alias: { 'server-only': serverOnly } },
  // Vite applies `resolve.conditions` to client code only; tests run as SSR, so `import ... from 'board'`
  // needs the condition here too (else it resolves to dist/).
  ssr: { resolve: { conditions: ['board-source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the Next.js app for the browser tests when .next is missing or stale (test/e2e).
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 240_000,
    pool: 'forks',
  },
});
