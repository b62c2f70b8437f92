// Worker threads load modules by URL (new URL('./x.js', import.meta.url)): nothing imports those
// files, so tsc builds them into dist/ only when tsconfig.build.json names them, and a URL written
// with '.ts' exists only in the source tree. Either mistake breaks workers for every user of the
// compiled package (DataLoader numWorkers > 0, wasm threads) while the source-run tests still pass.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

// The compiled package itself, when dist/ is current (npm install builds it; CI always has it).
const DIST = join(ROOT, 'dist/lib/index.js');
const distCurrent = existsSync(DIST) && statSync(DIST).mtimeMs >= statSync(join(ROOT, 'lib/data/dataset.ts')).mtimeMs;
if (!distCurrent)
  console.log('worker-entries: dist/ is missing or older than lib/ (run npm run build:lib); the compiled-package check is skipped');
test.skipIf(!distCurrent)('the compiled package starts DataLoader workers over a Subset and wasm threads', () => {
  const out = execFileSync(process.execPath, [join(ROOT, 'test/fixtures/dist-workers.mjs')], { encoding: 'utf8', timeout: 60_000 });
  expect(out).toContain('dataloader rows 2');
  expect(out).toContain('wasm threads matmul 512x512');
});
