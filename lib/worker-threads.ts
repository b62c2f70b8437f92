// Starting a worker thread on one of this library's modules, whether it runs from its TypeScript
// sources (through tsx, in tests and examples) or from the compiled dist/ (users). The DataLoader's
// workers and the wasm sgemm threads both start this way.
import { createRequire } from 'node:module';

/** URL of the module `name` next to `base` (an import.meta.url): name.ts from sources, name.js from dist/. */
export function siblingModule(name: string, base: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

/**
 * Source of an `eval: true` worker that registers tsx when `entry` is TypeScript, then imports it.
 * `onError` is JavaScript run with the failure in `e` (the worker's way of telling its parent).
 */
export function workerBootstrap(entry: URL, onError: string): string {
  let tsxApi = '';
  if (entry.href.endsWith('.ts')) {
    const require = createRequire(import.meta.url);
    // require.resolve picks the CommonJS build; the worker imports the ESM one next to it.
    tsxApi = require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  }
  return `
    (async () => {
      const tsxApi = ${JSON.stringify(tsxApi)};
      if (tsxApi) { const { register } = await import(${JSON.stringify('file://')} + tsxApi); register(); }
      await import(${JSON.stringify(entry.href)});
    })().catch((e) => { ${onError} });
  `;
}

/**
 * The parent's flags a worker needs: module-resolution conditions (the `board-source` condition)
 * and V8's `--experimental-wasm-*` features (relaxed SIMD). Nothing else is passed on.
 */
export function inheritedExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--conditions=') || a.startsWith('-C=')) out.push(a);
    else if ((a === '--conditions' || a === '-C') && i + 1 < argv.length) out.push(a, argv[++i]!);
    else if (a.startsWith('--experimental-wasm-')) out.push(a);
  }
  return out;
}
