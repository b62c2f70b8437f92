// "Server only" is enforced, not a comment: the modules that hold the store's data path import the
// `server-only` package (Next fails the build when a client component imports them), and no client
// component imports them.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/shared.ts';

const SERVER_ONLY = ['lib/server/api.ts', 'lib/server/export.ts', 'lib/server/initial-data.ts', 'lib/server/markdown.ts'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(n) ? [p] : [];
  });
}

test('server modules import server-only', () => {
  for (const f of SERVER_ONLY) expect(readFileSync(join(REPO_ROOT, f), 'utf8'), f).toMatch(/^import 'server-only';$/m);
});

test('outside the server build, server-only refuses to load (so the guard is real)', () => {
  const req = createRequire(join(REPO_ROOT, 'package.json'));
  expect(() => req('server-only')).toThrow(/cannot be imported from a Client Component/);
});

test('no client component imports a server-only module', () => {
  const offenders: string[] = [];
  for (const f of files(join(REPO_ROOT, 'app'))) {
    const src = readFileSync(f, 'utf8');
    if (!/^['"]use client['"]/m.test(src)) continue;
    for (const m of src.matchAll(/from '([^']+)'/g)) {
      const target = relative(REPO_ROOT, resolve(f, '..', m[1]!));
      if (SERVER_ONLY.includes(target)) offenders.push(`${relative(REPO_ROOT, f)} -> ${target}`);
    }
  }
  expect(offenders).toEqual([]);
});
