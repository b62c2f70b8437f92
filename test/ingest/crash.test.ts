// Crash safety: a child ingest process killed with SIGKILL at random moments (data keeps being
// appended between runs), then resumed: the store ends with exactly the events of the logdir.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startIngest } from '../../lib/ingest/index.ts';
import { REPO_ROOT } from '../helpers/shared.ts';
import { appendEvents, fileVersionRecord, scalarRecords, tempDir, writeEvents } from './helpers.ts';
import { pgUnavailable, startTestPg, type TestPg } from '../helpers/pg-server.ts';

const CHILD_SRC = resolve(import.meta.dirname, 'fixtures/ingest-child.ts');
const KILLS = 22;
let childArgs: string[] = ['--import', 'tsx', '--conditions=board-source', CHILD_SRC];
let bundle: string | null = null;

beforeAll(async () => {
  // Bundling the child once (esbuild comes with tsx) makes each start ~5x faster than tsx.
  try {
    const { build } = await import('esbuild');
    const out = join(REPO_ROOT, 'test/artifacts', `ingest-child-${process.pid}.mjs`);
    mkdirSync(join(REPO_ROOT, 'test/artifacts'), { recursive: true });
    await build({
      entryPoints: [CHILD_SRC],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: out,
      logLevel: 'error',
      conditions: ['board-source'],
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

/** Start the child; SIGKILL it `delayMs` after it has opened the store. */
function runChild(logdir: string, db: string, delayMs: number, env: Record<string, string> = {}): Promise<'killed' | 'done'> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [...childArgs, logdir, db, String(16 << 10)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '',
      err = '',
      armed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!armed && out.includes('started')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    // 'close', not 'exit': 'exit' can come before the last stdout bytes ('done') have been read.
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') res('killed');
      else if (code === 0 && out.includes('done')) res('done');
      else rej(new Error(`child exited with ${code ?? signal}: ${err}`));
    });
  });
}

const pgWhy = pgUnavailable();
if (pgWhy) console.log(`skipping the PostgreSQL crash test: ${pgWhy}`);
let pgServer: TestPg | null = null;
afterAll(async () => {
  await pgServer?.stop();
});

// The same test for both stores: a SQLite file, and a database on a real PostgreSQL server; and
// with the initial scan decoded in the worker thread (batches of slices, issue 16), which 'auto'
// picks only for a large backlog on an idle machine.
test.each([
  { store: 'sqlite', worker: false, skip: false },
  { store: 'sqlite', worker: true, skip: false },
  { store: 'postgres', worker: false, skip: pgWhy !== null },
])(
  `$store (decode worker: $worker): SIGKILL at ${KILLS} random moments while data is appended, then resume: exact counts, no duplicates`,
  async ({ store, worker, skip }) => {
    if (skip) return;
    const { dir, cleanup } = tempDir();
    try {
      const logdir = join(dir, 'logs');
      const runs = 4,
        tags = ['loss', 'acc', 'lr'];
      const files = Array.from({ length: runs * 2 }, (_, i) => ({
        run: i % runs,
        path: join(logdir, `run${i % runs}/events.out.tfevents.${i}`),
        next: 0,
      }));
      const value = (r: number, t: number, s: number) => r * 1e6 + t * 1e5 + s;
      // File i of a run holds steps [i * 1e4, ...): runs have disjoint steps per file.
      const grow = (f: (typeof files)[number], n: number) => {
        const base = Math.floor(files.indexOf(f) / runs) * 10_000;
        const recs = scalarRecords(base + f.next, base + f.next + n, tags, (t, s) => value(f.run, t, s));
        if (f.next === 0) writeEvents(f.path, fileVersionRecord(), recs);
        else appendEvents(f.path, recs);
        f.next += n;
      };
      for (const f of files) grow(f, 2500);
      let db = join(dir, 'store.sqlite');
      if (store === 'postgres') {
        pgServer ??= await startTestPg();
        db = await pgServer.newDatabase();
      }
      let seed = 12345;
      const rand = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      let kills = 0,
        runsDone = 0;
      for (let i = 0; kills < KILLS && i < 80; i++) {
        const env = { BOARD_DECODE_WORKER: worker ? '1' : '0' };
        if ((await runChild(logdir, db, Math.floor(rand() * 120), env)) === 'killed') kills++;
        else runsDone++;
        for (const f of files) if (rand() < 0.5) grow(f, 1 + Math.floor(rand() * 600));
      }
      console.log(
        `crash test (${store}${worker ? ', worker' : ''}): ${kills} kills, ${runsDone} completed runs, child via ${bundle ? 'bundle' : 'tsx'}`,
      );
      expect(kills).toBeGreaterThanOrEqual(20);
      // Resume to completion in-process and check every point of every tag.
      const ing = await startIngest({ logdir, db, watch: false });
      try {
        await ing.initialScan;
        for (let r = 0; r < runs; r++) {
          const mine = files.filter((f) => f.run === r);
          const expected: number[] = [];
          mine.forEach((f) => {
            const base = Math.floor(files.indexOf(f) / runs) * 10_000;
            for (let s = 0; s < f.next; s++) expected.push(base + s);
          });
          expected.sort((a, b) => a - b);
          for (const [t, tag] of tags.entries()) {
            const s = (await ing.queries.scalars([`run${r}`], tag, { maxPoints: 1e9 }))[0]!;
            expect(s.total).toBe(expected.length);
            expect(s.points.map((p) => p.step)).toEqual(expected);
            expect(s.points.every((p) => p.value === value(r, t, p.step))).toBe(true);
          }
        }
        expect(await ing.queries.warnings()).toEqual([]);
      } finally {
        await ing.close();
      }
    } finally {
      cleanup();
    }
  },
  240_000,
);
