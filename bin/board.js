#!/usr/bin/env node
// Entry point of the `board` command. It runs the TypeScript sources through tsx so that a
// checkout needs no separate build step for the CLI. The batch commands (export, inspect,
// events) start from the compiled copy in dist/ instead when it is current: tsx's loader costs
// about 0.8 CPU-seconds per start, more than `board export` needs to ingest a small logdir.
// "Current" means every compiled file is at least as new as its source (any edit, checkout or
// deleted source falls back to tsx); BOARD_FROM_SOURCE=1 always runs the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = new Set(['export', 'inspect', 'events']);
const argv = process.argv.slice(2);

let code;
if (BATCH.has(argv[0]) && process.env.BOARD_FROM_SOURCE !== '1' && compiledIsCurrent()) {
  const { runBatchCommand } = await import('../dist/lib/cli/batch.js');
  code = await runBatchCommand(argv[0], argv.slice(1));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../lib/cli/main.ts');
  code = await main(argv);
}
if (typeof code === 'number') process.exitCode = code;

/** Whether dist/lib holds the batch entry and no source of a compiled file is newer than it. */
function compiledIsCurrent() {
  const dist = join(ROOT, 'dist', 'lib');
  if (!existsSync(join(dist, 'cli', 'batch.js'))) return false;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!walk(p)) return false;
        continue;
      }
      if (!e.name.endsWith('.js')) continue;
      const src = join(ROOT, 'lib', p.slice(dist.length + 1, -3) + '.ts');
      let s;
      try {
        s = statSync(src);
      } catch {
        return false;
      } // source gone: the copy is stale
      if (s.mtimeMs > statSync(p).mtimeMs) return false;
    }
    return true;
  };
  try {
    return walk(dist);
  } catch {
    return false;
  }
}
