// Starts `board` (bin/board.js) as a child process for e2e tests and stops it by process group
// (STACK pitfall 11), so no server outlives a test run.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../../bin/board.js');

export interface BoardProcess {
  url: string;
  proc: ChildProcess;
  output(): string;
  /** Waits until the output contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** SIGINT (Ctrl-C) to the process group; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `board args...` to completion (for flag/error tests). */
export function runBoard(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    let stdout = '',
      stderr = '';
    proc.stdout!.on('data', (d) => {
      stdout += d;
    });
    proc.stderr!.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      reject(new Error(`board ${args.join(' ')} did not exit in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': 'exit' can come before the last output has been read, and callers check the output.
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Starts `board --port 0 ...` (under `node nodeArgs...`, with `env` added) and resolves once it printed its URL (i.e. the server answers). */
export function startBoard(
  args: string[],
  timeoutMs = 60_000,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<BoardProcess> {
  const proc = spawn(process.execPath, [...nodeArgs, BIN, '--port', '0', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
  });
  let out = '';
  const waiters: Array<() => void> = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) w();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) =>
    proc.on('exit', (code) => {
      for (const w of [...waiters]) w();
      r(code);
    }),
  );
  const waitFor = (text: string | RegExp, ms = timeoutMs) =>
    new Promise<void>((res, rej) => {
      const check = () => {
        if (typeof text === 'string' ? out.includes(text) : text.test(out)) {
          done();
          res();
          return;
        }
        if (proc.exitCode !== null) {
          done();
          rej(new Error(`board exited (${proc.exitCode}) before printing ${text}:\n${out}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        rej(new Error(`timed out waiting for ${text}:\n${out}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        const i = waiters.indexOf(check);
        if (i >= 0) waiters.splice(i, 1);
      };
      waiters.push(check);
      check();
    });
  const stop = async (signal: NodeJS.Signals = 'SIGINT') => {
    if (proc.exitCode !== null) return proc.exitCode;
    try {
      process.kill(-proc.pid!, signal);
    } catch {
      /* gone */
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 10_000);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  return waitFor(/at (http:\/\/\S+\/)/).then(
    () => ({ url: /at (http:\/\/\S+\/)/.exec(out)![1]!.replace(/\/$/, ''), proc, output: () => out, waitFor, stop }),
    async (err: Error) => {
      await stop('SIGKILL');
      throw err;
    },
  );
}
