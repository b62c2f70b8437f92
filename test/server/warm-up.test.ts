// The start-up warm-up (lib/server/warm-up.ts) finds every page of the app, and only pages.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { APP_DIR } from '../../lib/server/web-build.ts';
import { pageRoutes } from '../../lib/server/warm-up.ts';
import { tempDir } from '../ingest/helpers.ts';

test("the board's own pages are all found, API routes are not", () => {
  const routes = pageRoutes(APP_DIR);
  expect(routes).toEqual(
    expect.arrayContaining([
      '/scalars',
      '/time-series',
      '/images',
      '/histograms',
      '/text',
      '/graphs',
      '/pr-curves',
      '/hparams',
      '/projector',
      '/audio',
      '/custom-scalars',
    ]),
  );
  // '/' is an HTTP redirect in next.config.js, not a page to render.
  expect(routes).not.toContain('/');
  expect(routes.filter((r) => r.startsWith('/api'))).toEqual([]);
});

test('nested pages, route groups, private folders and dynamic segments', () => {
  const { dir, cleanup } = tempDir('board-warm-');
  try {
    for (const [folder, file] of [
      ['app', 'page.tsx'],
      ['app/a/b', 'page.tsx'],
      ['app/(group)/x', 'page.tsx'],
      ['app/_private', 'page.tsx'],
      ['app/[id]', 'page.tsx'],
      ['app/api/y', 'route.ts'],
      ['app/c', 'layout.tsx'],
    ]) {
      mkdirSync(join(dir, folder), { recursive: true });
      writeFileSync(join(dir, folder, file), '');
    }
    expect(pageRoutes(dir)).toEqual(['/', '/a/b']);
    expect(pageRoutes(join(dir, 'nope'))).toEqual(['/']);
  } finally {
    cleanup();
  }
});
