// Starts the board on the demo's logdir in a child process, so the dashboard stays responsive
// while training keeps this process busy, and reports the URL it prints.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface BoardChild {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const APP_DIR = resolve(import.meta.dirname, '../..');
const BOARD_BIN = join(APP_DIR, 'bin/board.js');

export function hasWebBuild(appDir = APP_DIR): boolean {
  return existsSync(join(appDir, '.next', 'BUILD_ID'));
}

/**
 * A fresh checkout has no dashboard build yet (`npm install` builds only the library): build it
 * once with `npm run build:web`, showing its output, so `npm run demo` works right after install.
 */
export function ensureWebBuild(log: (s: string) => void = console.log, appDir = APP_DIR): Promise<void> {
  if (hasWebBuild(appDir)) return Promise.resolve();
  log('The dashboard has not been built in this checkout yet: running `npm run build:web` once (about a minute)...');
  return new Promise((done, fail) => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:web'], {
      cwd: appDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 && hasWebBuild(appDir) ? done() : fail(new Error(`npm run build:web failed (exit code ${code})`))));
  });
}

/** Resolves once the board prints its URL; rejects if it exits first or stays silent for `timeoutMs`. */
export function startBoard(logdir: string, port: number, host: string, timeoutMs = 120_000): Promise<BoardChild> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BOARD_BIN, 'serve', '--logdir', logdir, '--port', String(port), '--host', host], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    let settled = false;
    let stderr = '';
    const stop = (): Promise<void> =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      void stop();
      reject(new Error(`the board did not report a URL within ${timeoutMs / 1000} s${stderr ? `:\n${stderr.trim()}` : ''}`));
    }, timeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    let buffered = '';
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      const m = /(https?:\/\/[^\s)]+)/.exec(buffered);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        resolvePromise({ url: m[1], child, stop });
      }
    });
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      if (settled) process.stderr.write(`[board] ${chunk}`);
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`the board exited (${signal ?? `code ${code}`}) before serving${stderr ? `:\n${stderr.trim()}` : ''}`));
    });
  });
}
