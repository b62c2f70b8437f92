// Finding 6 of issue 10: the writer lock is atomic. Processes race for it, some die (SIGKILL)
// while holding it, and never do two hold it at once (before: a lock file visible before its pid
// was written, and two processes taking over a stale lock could delete each other's).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { acquireWriterLock, StoreLockedError } from '../../lib/ingest/writer-lock.ts';
import { REPO_ROOT } from '../helpers/shared.ts';
import { tempDir } from '../ingest/helpers.ts';

const CHILD_SRC = resolve(import.meta.dirname, 'fixtures/lock-child.ts');
const ROUNDS = Number(process.env.BOARD_LOCK_ROUNDS ?? 4);
let childArgs: string[] = ['--import', 'tsx', CHILD_SRC];
let bundle: string | null = null;

beforeAll(async () => {
  try {
    const { build } = await import('esbuild');
    const out = join(REPO_ROOT, 'test/artifacts', `lock-child-${process.pid}.mjs`);
    mkdirSync(join(REPO_ROOT, 'test/artifacts'), { recursive: true });
    await build({
      entryPoints: [CHILD_SRC],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: out,
      logLevel: 'error',
      packages: 'external',
    });
    bundle = out;
    childArgs = [out];
  } catch {
    /* fall back to tsx */
  }
});
afterAll(() => {
  if (bundle) rmSync(bundle, { force: true });
});

function child(db: string, log: string, mode: 'hold' | 'die'): Promise<void> {
  return new Promise((res, rej) => {
    const c = spawn(process.execPath, [...childArgs, db, log, mode, '20'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    // 'close', not 'exit': stderr is complete then (the error message below quotes it).
    c.on('close', (code, signal) => {
      if (code === 0 || (mode === 'die' && signal === 'SIGKILL')) res();
      else rej(new Error(`lock child exited with ${code ?? signal}: ${err}`));
    });
  });
}

test(`${ROUNDS} rounds of 8 processes racing for the lock, 3 of them dying while they hold it: never two holders`, async () => {
  const { dir, cleanup } = tempDir();
  try {
    let holds = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const db = join(dir, `store${round}.sqlite`),
        log = join(dir, `log${round}`);
      const modes = ['die', 'hold', 'die', 'hold', 'hold', 'die', 'hold', 'hold'] as const;
      await Promise.all(modes.map((m) => child(db, log, m)));
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      // Replay: a '+' while a live holder has not logged its '-' is a double holder. A dying
      // holder logs no '-': whoever comes next may take over (the OS released its lock).
      let holder: string | null = null;
      for (const l of lines) {
        const pid = l.slice(1);
        if (l[0] === '+') {
          if (holder !== null) expect.fail(`round ${round}: ${pid} took the lock while ${holder} held it\n${lines.join(' ')}`);
          holder = pid;
          holds++;
        } else {
          expect(holder).toBe(pid);
          holder = null;
        }
        // A '+' directly after a '+' of a dying child is fine: it died holding the lock.
        if (l[0] === '+' && lines.filter((x) => x === `-${pid}`).length === 0) holder = null;
      }
      expect(lines.filter((l) => l[0] === '+')).toHaveLength(8);
    }
    expect(holds).toBe(8 * ROUNDS);
  } finally {
    cleanup();
  }
}, 180_000);

test('in one process: a second taker is refused with the holder pid; after release it is free', () => {
  const { dir, cleanup } = tempDir();
  try {
    const db = join(dir, 'store.sqlite');
    const release = acquireWriterLock(db);
    expect(() => acquireWriterLock(db)).toThrow(StoreLockedError);
    expect(() => acquireWriterLock(db)).toThrow(new RegExp(`pid ${process.pid}`));
    release();
    acquireWriterLock(db)();
  } finally {
    cleanup();
  }
});
