#!/usr/bin/env node
// Entry point of the `board` command. It runs the TypeScript sources through tsx so that a
// checkout needs no separate build step for the CLI. The batch commands (export, inspect,
// events) start from the compiled copy in dist/ instead when it is current: tsx's loader costs
// about 0.8 CPU-seconds per start, more than `board export` needs to ingest a small logdir.
// "Current" means every compiled file is at least as new as its source (any edit, checkout or
// deleted source falls back to tsx); BOARD_FROM_SOURCE=1 always runs the sources. BOARD_FROM_DIST=1 insists on the
// compiled copy and fails, naming the stale file, when it is not current: benchmarks set it, because a silent
// fallback to tsx would time the loader instead of Board.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = new Set(['export', 'inspect', 'events']);
const argv = process.argv.slice(2);

let code;
const requireDist = process.env.BOARD_FROM_DIST === '1';
const stale = !BATCH.has(argv[0])
  ? `'${argv[0] ?? ''}' is not a batch command`
  : process.env.BOARD_FROM_SOURCE === '1'
    ? 'BOARD_FROM_SOURCE=1 is set'
    : staleCompiledFile();
if (requireDist && stale !== null) {
  const hint = BATCH.has(argv[0]) && process.env.BOARD_FROM_SOURCE !== '1' ? '; run `npm run build:lib`' : '';
  console.error(`board: BOARD_FROM_DIST=1, but the compiled copy cannot run this (${stale})${hint}`);
  process.exit(2);
}
if (stale === null) {
  const { runBatchCommand } = await import('../dist/lib/cli/batch.js');
  code = await runBatchCommand(argv[0], argv.slice(1));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../lib/cli/main.ts');
  code = await main(argv);
}
if (typeof code === 'number') process.exitCode = code;

/**
 * null when dist/lib holds the batch entry and no source of a compiled file is newer than it; otherwise why not
 * (the first stale file found).
 */
function staleCompiledFile() {
  const dist = join(ROOT, 'dist', 'lib');
  if (!existsSync(join(dist, 'cli', 'batch.js'))) return 'dist/lib/cli/batch.js is missing';
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        const why = walk(p);
        if (why !== null) return why;
        continue;
      }
      if (!e.name.endsWith('.js')) continue;
      const rel = p.slice(dist.length + 1, -3);
      let s;
      try {
        s = statSync(join(ROOT, 'lib', rel + '.ts'));
      } catch {
        return `lib/${rel}.ts is gone`; // source gone: the copy is stale
      }
      if (s.mtimeMs > statSync(p).mtimeMs) return `lib/${rel}.ts is newer than its compiled copy`;
    }
    return null;
  };
  try {
    return walk(dist);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
