// Build-if-missing: the one path by which `board serve`, the demo and the browser tests get a
// dashboard build. Real `npm run build:web` runs, in throwaway app folders whose build script is a
// small node program, so the test checks the orchestration without a minute-long next build.
import { mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ensureWebBuild, hasWebBuild, webBuildIsFresh } from '../../lib/server/web-build.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An app folder whose build:web writes .next/BUILD_ID and counts its runs in builds.txt. */
function fakeApp(
  script = "const fs=require('fs');fs.mkdirSync('.next',{recursive:true});fs.appendFileSync('builds.txt','x');setTimeout(()=>fs.writeFileSync('.next/BUILD_ID','id'),300)",
): string {
  const app = mkdtempSync(join(tmpdir(), 'board-webbuild-'));
  dirs.push(app);
  writeFileSync(join(app, 'build.cjs'), script);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fake', scripts: { 'build:web': 'node build.cjs' } }));
  mkdirSync(join(app, 'app'));
  writeFileSync(join(app, 'app', 'page.tsx'), 'export default 1');
  return app;
}
const builds = (app: string) => {
  try {
    return readFileSync(join(app, 'builds.txt'), 'utf8').length;
  } catch {
    return 0;
  }
};

test('builds once when missing, with a progress line; a present build is used as is', { timeout: 120_000 }, async () => {
  const app = fakeApp();
  expect(hasWebBuild(app)).toBe(false);
  const logs: string[] = [];
  await ensureWebBuild({ appDir: app, log: (s) => logs.push(s) });
  expect(hasWebBuild(app)).toBe(true);
  expect(builds(app)).toBe(1);
  expect(logs[0]).toMatch(/has not been built in this checkout yet: running 'npm run build:web' once/);
  expect(logs[logs.length - 1]).toMatch(/^board: dashboard built in \d+ s$/);
  logs.length = 0;
  await ensureWebBuild({ appDir: app, log: (s) => logs.push(s) });
  expect(builds(app)).toBe(1);
  expect(logs).toEqual([]);
});

test('concurrent callers share one build (lock file)', { timeout: 120_000 }, async () => {
  const app = fakeApp();
  const logs: string[] = [];
  await Promise.all([1, 2, 3].map(() => ensureWebBuild({ appDir: app, log: (s) => logs.push(s) })));
  expect(builds(app)).toBe(1);
  expect(logs.filter((l) => l.includes('waiting for it'))).toHaveLength(2); // each waiter says so once
});

test('a stale build: rebuilt with rebuildStale (tests), kept with a note otherwise (users)', { timeout: 120_000 }, async () => {
  const app = fakeApp();
  await ensureWebBuild({ appDir: app, log: () => {} });
  const old = new Date(Date.now() - 60_000);
  utimesSync(join(app, '.next', 'BUILD_ID'), old, old);
  expect(webBuildIsFresh(app)).toBe(false);
  const logs: string[] = [];
  await ensureWebBuild({ appDir: app, log: (s) => logs.push(s) });
  expect(builds(app)).toBe(1);
  expect(logs.join('\n')).toMatch(/older than its sources; run 'npm run build:web'/);
  await ensureWebBuild({ appDir: app, log: () => {}, rebuildStale: true });
  expect(builds(app)).toBe(2);
  expect(webBuildIsFresh(app)).toBe(true);
});

test('a failing build rejects with the tail of its output', { timeout: 120_000 }, async () => {
  const app = fakeApp("console.error('Module not found: ./nope'); process.exit(3)");
  await expect(ensureWebBuild({ appDir: app, log: () => {} })).rejects.toThrow(
    /build:web failed \(exit code 3\):[\s\S]*Module not found: \.\/nope/,
  );
  expect(hasWebBuild(app)).toBe(false);
});
