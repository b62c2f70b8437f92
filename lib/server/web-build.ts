// The dashboard's Next.js production build (.next/), built on first use. `npm install` builds only
// the library, so the first `board --logdir logs`, `npm run demo` or browser test in a fresh checkout
// builds the dashboard here, once, with a progress line. Everything that needs the build calls
// ensureWebBuild(); a lock file keeps two processes from building into the same .next at once.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The checkout (or installed package) root: package.json, next.config.js, app/ and .next/. */
export const APP_DIR = resolve(import.meta.dirname, '../..');

/** What the production build is made from; a build older than any of them is stale. */
const SOURCES = ['app', 'lib/server', 'lib/store/types.ts', 'next.config.js', 'package.json'];

/** Lock staler than this is left over from a killed build. */
const LOCK_STALE_MS = 10 * 60_000;

export function hasWebBuild(appDir = APP_DIR): boolean {
  return existsSync(join(appDir, '.next', 'BUILD_ID'));
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** A build exists and no source is newer than it. */
export function webBuildIsFresh(appDir = APP_DIR): boolean {
  if (!hasWebBuild(appDir)) return false;
  const built = statSync(join(appDir, '.next', 'BUILD_ID')).mtimeMs;
  return SOURCES.every((s) => newestMtime(join(appDir, s)) <= built);
}

export interface EnsureWebBuildOptions {
  appDir?: string;
  /** Progress lines (default: stderr, so stdout keeps only what a command prints). */
  log?: (line: string) => void;
  /** Also rebuild a build older than the app sources (the browser tests want this; users get a note). */
  rebuildStale?: boolean;
  /** Show next's own output instead of one progress line (CI logs). */
  verbose?: boolean;
}

/**
 * Build the dashboard unless a build is there (and, with rebuildStale, fresh). Resolves when
 * .next/BUILD_ID exists; rejects with the tail of the build's output when it fails.
 */
export async function ensureWebBuild(opts: EnsureWebBuildOptions = {}): Promise<void> {
  const appDir = opts.appDir ?? APP_DIR;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const ready = () => (opts.rebuildStale ? webBuildIsFresh(appDir) : hasWebBuild(appDir));
  if (ready()) {
    if (!webBuildIsFresh(appDir))
      log(`note: the dashboard build in ${join(appDir, '.next')} is older than its sources; run 'npm run build:web' to update it`);
    return;
  }
  await withBuildLock(appDir, log, async () => {
    if (ready()) return; // another process built it while we waited
    await runBuild(appDir, log, opts.verbose ?? false);
  });
}

function runBuild(appDir: string, log: (line: string) => void, verbose: boolean): Promise<void> {
  const started = Date.now();
  const why = hasWebBuild(appDir) ? 'is older than its sources' : 'has not been built in this checkout yet';
  log(`board: the dashboard ${why}: running 'npm run build:web' once (a minute or two)...`);
  const tty = !verbose && process.stderr.isTTY;
  let last = 'starting';
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  const ticker = tty
    ? setInterval(() => process.stderr.write(`\r\x1b[2Kboard: building the dashboard (${elapsed()}): ${last.slice(0, 60)}`), 1000)
    : null;
  let output = '';
  return new Promise<void>((done, fail) => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:web'], {
      cwd: appDir,
      stdio: ['ignore', verbose ? 'inherit' : 'pipe', verbose ? 'inherit' : 'pipe'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      const lines = output
        .trim()
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      last = lines[lines.length - 1] ?? last;
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const finish = (err: Error | null) => {
      if (ticker) {
        clearInterval(ticker);
        process.stderr.write('\r\x1b[2K');
      }
      if (err) {
        fail(err);
        return;
      }
      log(`board: dashboard built in ${elapsed()}`);
      done();
    };
    child.on('error', (err) => finish(new Error(`could not run npm run build:web: ${err.message}`)));
    child.on('exit', (code) => {
      if (code === 0 && hasWebBuild(appDir)) return finish(null);
      const tail = output.trim().split('\n').slice(-15).join('\n');
      finish(new Error(`npm run build:web failed (exit code ${code})${tail ? `:\n${tail}` : ''}`));
    });
  });
}

async function withBuildLock(appDir: string, log: (line: string) => void, fn: () => Promise<void>): Promise<void> {
  const lock = join(appDir, '.next-build.lock');
  let told = false;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) unlinkSync(lock);
      } catch {
        /* gone */
      }
      if (!told) {
        log('board: another process is building the dashboard; waiting for it...');
        told = true;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    await fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      /* gone */
    }
  }
}
