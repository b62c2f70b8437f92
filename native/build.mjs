// Builds the native backend (native/build/Release/board_native.node) with node-gyp, as `npm install` runs it (the
// root package's `install` script). Never fails the install: when node-gyp, the Node headers, a C compiler or
// OpenBLAS (Debian: libopenblas-dev) are missing, it prints one line saying why and Board runs on its WebAssembly
// path. It never downloads anything: node-gyp is pointed at the installed Node headers (--nodedir), and is skipped
// when there are none. BOARD_SKIP_NATIVE=1 skips the build (to test the fallback).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function say(msg) {
  console.log(`board native backend: ${msg}`);
}

/** node-gyp's entry script: the one npm passes to lifecycle scripts, else the copy bundled with npm. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath)
    candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((p) => existsSync(p));
}

/** A directory holding include/node/node_api.h for this Node, so node-gyp does not try to download headers. */
function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..'), '/usr', '/usr/local'].filter(Boolean);
  return candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
}

function main() {
  if (process.env.BOARD_SKIP_NATIVE === '1') return say('skipped (BOARD_SKIP_NATIVE=1); using the WebAssembly backend');
  const gyp = findNodeGyp();
  if (!gyp) return say('not built (node-gyp not found); using the WebAssembly backend');
  const nodedir = findNodeDir();
  if (!nodedir) return say('not built (no Node headers with node_api.h found, and nothing is downloaded); using the WebAssembly backend');
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], { cwd: here, encoding: 'utf8' });
  if (r.status === 0 && existsSync(join(here, 'build', 'Release', 'board_native.node'))) {
    return say('built native/build/Release/board_native.node (OpenBLAS)');
  }
  const err = `${r.stderr ?? ''}${r.stdout ?? ''}`;
  const why = /cblas\.h|lopenblas/.test(err)
    ? 'OpenBLAS not found: install libopenblas-dev'
    : r.error
      ? r.error.message
      : (err.split('\n').find((l) => /error/i.test(l)) ?? `node-gyp exited with ${r.status}`).trim();
  rmSync(join(here, 'build'), { recursive: true, force: true }); // no half-built addon left behind
  say(`not built (${why.slice(0, 200)}); using the WebAssembly backend`);
}

try {
  main();
} catch (e) {
  say(`not built (${e instanceof Error ? e.message : String(e)}); using the WebAssembly backend`);
}
