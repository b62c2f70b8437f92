// bin/board.js picks the compiled copy in dist/ for batch commands only when it is current, and with
// BOARD_FROM_DIST=1 refuses to fall back to the sources (benchmarks rely on it: a silent fallback to tsx would
// time the loader). Runs a copy of bin/board.js in a scratch package root whose dist/ and lib/ we control.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/board.js');
let root = '';

/** A package root holding bin/board.js, lib/cli/batch.ts and a dist/lib/cli/batch.js that says it ran. */
function scratchRoot(): string {
  root = mkdtempSync(join(tmpdir(), 'board-bin-'));
  mkdirSync(join(root, 'bin'));
  copyFileSync(BIN, join(root, 'bin', 'board.js'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  mkdirSync(join(root, 'lib', 'cli'), { recursive: true });
  mkdirSync(join(root, 'dist', 'lib', 'cli'), { recursive: true });
  writeFileSync(join(root, 'lib', 'cli', 'batch.ts'), '// source\n');
  writeFileSync(
    join(root, 'dist', 'lib', 'cli', 'batch.js'),
    'export async function runBatchCommand(cmd) { console.log(`compiled ${cmd}`); return 0; }\n',
  );
  return root;
}

function setMtime(path: string, secondsAgo: number): void {
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(path, t, t);
}

function run(env: Record<string, string>) {
  return spawnSync(process.execPath, [join(root, 'bin', 'board.js'), 'export', '--logdir', 'x'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = '';
});

describe('bin/board.js: compiled copy for batch commands', () => {
  it('runs dist/ when every compiled file is newer than its source', () => {
    scratchRoot();
    setMtime(join(root, 'lib', 'cli', 'batch.ts'), 60);
    const r = run({ BOARD_FROM_DIST: '1' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('compiled export');
    expect(r.status).toBe(0);
  });

  it('with BOARD_FROM_DIST=1, fails naming the source that is newer than its compiled copy', () => {
    scratchRoot();
    setMtime(join(root, 'dist', 'lib', 'cli', 'batch.js'), 60);
    const r = run({ BOARD_FROM_DIST: '1' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('lib/cli/batch.ts is newer than its compiled copy');
    expect(r.stderr).toContain('npm run build:lib');
  });

  it('with BOARD_FROM_DIST=1, fails when a compiled file has lost its source', () => {
    scratchRoot();
    setMtime(join(root, 'lib', 'cli', 'batch.ts'), 60);
    writeFileSync(join(root, 'dist', 'lib', 'cli', 'orphan.js'), '');
    const r = run({ BOARD_FROM_DIST: '1' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('lib/cli/orphan.ts is gone');
  });

  it('with BOARD_FROM_DIST=1 and BOARD_FROM_SOURCE=1 together, refuses rather than guessing', () => {
    scratchRoot();
    setMtime(join(root, 'lib', 'cli', 'batch.ts'), 60);
    const r = run({ BOARD_FROM_DIST: '1', BOARD_FROM_SOURCE: '1' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });
});
