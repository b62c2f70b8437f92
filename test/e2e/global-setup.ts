// vitest globalSetup: makes sure the Next.js production build the e2e tests serve is present and
// newer than the app sources. CI runs `npm run build:web` first (then this is a no-op); a fresh
// clone's `npm test` builds here (~1 min). Skipped when the run is filtered to non-e2e tests.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCES = ['app', 'lib/server', 'lib/store/types.ts', 'next.config.js', 'package.json'];
const LOCK = join(ROOT, '.next-build.lock');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function buildIsFresh(): boolean {
  const id = join(ROOT, '.next', 'BUILD_ID');
  if (!existsSync(id)) return false;
  const built = statSync(id).mtimeMs;
  return SOURCES.every((s) => newestMtime(join(ROOT, s)) <= built);
}

/** True unless vitest was given file filters and none of them points at the e2e tests. */
function runIncludesE2e(): boolean {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-') && !['run', 'watch', 'related', 'bench'].includes(a));
  if (args.length === 0) return true;
  return args.some((a) => a.includes('e2e') || a === 'test' || a === 'test/');
}

async function withLock<T>(fn: () => T): Promise<T> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      closeSync(openSync(LOCK, 'wx'));
      break;
    } catch {
      try { if (Date.now() - statSync(LOCK).mtimeMs > 5 * 60_000) unlinkSync(LOCK); } catch { /* gone */ }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try { return fn(); } finally { try { unlinkSync(LOCK); } catch { /* gone */ } }
}

export default async function setup(): Promise<void> {
  if (process.env.BOARD_SKIP_WEB_BUILD === '1' || !runIncludesE2e() || buildIsFresh()) return;
  await withLock(() => {
    if (buildIsFresh()) return; // another process built it while we waited
    console.log('[board e2e] .next is missing or older than app/: running next build --webpack (about a minute)');
    const res = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['next', 'build', '--webpack'], {
      cwd: ROOT, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    if (res.status !== 0) throw new Error(`next build --webpack failed (exit ${res.status}); run 'npm run build:web' to see why`);
  });
}
