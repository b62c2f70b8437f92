// Runs every campaign of issue 10 at full size (BOARD_CAMPAIGN=full) and prints their figures:
// `npm run campaign` (all), or `npm run campaign -- api-fuzz xss` (some). A campaign is a vitest
// file in test/campaign/ that calls reportFigures() (test/campaign/size.ts); its CI-size run is
// part of `npm test`. Figures go to stdout and into bench/campaign/last-run.json (merged by campaign
// name); copy the ones you publish into docs/security.md.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const only = process.argv.slice(2);
const files = readdirSync(join(ROOT, 'test/campaign'))
  .filter((f) => f.endsWith('.test.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .map((f) => `test/campaign/${f}`);
if (files.length === 0) {
  console.error(`no campaign matches ${only.join(', ')}`);
  process.exit(2);
}

const figures: Record<string, unknown> = {};
let failed = 0;
for (const file of files) {
  // One file at a time: campaigns measure latency and memory, so they must not share the CPU.
  console.log(`\n=== ${file} (full size)`);
  const code = await new Promise<number>((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', file, '--testTimeout=3600000'], {
      cwd: ROOT,
      env: { ...process.env, BOARD_CAMPAIGN: 'full' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      for (const line of d.toString().split('\n')) {
        const m = /CAMPAIGN (\S+) (\{.*\})\s*$/.exec(line.replace(new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g'), ''));
        if (m) figures[m[1]!] = JSON.parse(m[2]!);
      }
    });
    child.on('exit', (c) => done(c ?? 1));
  });
  if (code !== 0) failed++;
}
// Merged into the last file: running some campaigns keeps the others' last figures.
const lastRun = join(ROOT, 'bench/campaign/last-run.json');
const previous = existsSync(lastRun) ? (JSON.parse(readFileSync(lastRun, 'utf8')) as Record<string, unknown>) : {};
writeFileSync(lastRun, JSON.stringify({ ...previous, ...figures }, null, 2) + '\n');
console.log(`\n=== campaign figures\n${JSON.stringify(figures, null, 2)}`);
console.log(`${files.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
