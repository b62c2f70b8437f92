// Starts the board on the demo's logdir in a child process, so the dashboard stays responsive
// while training keeps this process busy, and reports the URL it prints.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export interface BoardChild {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const APP_DIR = resolve(import.meta.dirname, '../..');
const BOARD_BIN = join(APP_DIR, 'bin/board.js');

export { ensureWebBuild, hasWebBuild } from '../server/web-build.ts';

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
