// Crash campaign (issue 10): a live ingest process (initial scan + watcher) is SIGKILLed at random
// moments while writers keep appending to a live logdir (records split across writes, new files
// and runs appearing), and restarted each time. At the end the store must equal the logdir's
// content exactly: every point of every tag, 0 lost, 0 duplicated, no warnings.
// CI: 12 kills. BOARD_CAMPAIGN=full: 100.
import { afterAll, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startIngest } from '../../lib/ingest/index.ts';
import { REPO_ROOT } from '../helpers/shared.ts';
import { concat, fileVersionRecord, scalarRecords, tempDir } from '../ingest/helpers.ts';
import { childArgs, removeBuiltChildren } from './child.ts';
import { campaignSize, reportFigures, rng } from './size.ts';

const KILLS = campaignSize(12, 100);
const SEED = Number(process.env.BOARD_CRASH_SEED ?? 4242);
afterAll(removeBuiltChildren);

const TAGS = ['loss', 'acc', 'lr'];
const value = (run: number, tag: number, step: number) => run * 1e6 + tag * 1e5 + step;

interface LiveFile {
  run: number;
  path: string;
  base: number;
  next: number;
  pending: Uint8Array | null;
}

test(`${KILLS} SIGKILLs of a live ingest while writers append: the store equals the logdir exactly`, async () => {
  const args = await childArgs('live-ingest.ts');
  const { dir, cleanup } = tempDir('board-crash-');
  try {
    const logdir = join(dir, 'logs'),
      db = join(dir, 'store.sqlite');
    const r = rng(SEED);
    const files: LiveFile[] = [];
    const newFile = () => {
      const run = Math.floor(r() * 6);
      const f: LiveFile = {
        run,
        path: join(logdir, `run${run}/events.out.tfevents.${files.length}.h`),
        base: files.length * 100_000,
        next: 0,
        pending: null,
      };
      mkdirSync(dirname(f.path), { recursive: true });
      appendFileSync(f.path, fileVersionRecord());
      files.push(f);
    };
    for (let i = 0; i < 4; i++) newFile();
    // One writer tick: append whole records to some files, sometimes only the first part of a
    // record (its rest comes on a later tick, as a flush boundary would cut it).
    const tick = () => {
      if (r() < 0.01 && files.length < 24) newFile();
      for (const f of files) {
        if (r() < 0.5) continue;
        let bytes: Uint8Array = f.pending ?? new Uint8Array(0);
        f.pending = null;
        const n = 1 + Math.floor(r() * 10);
        const recs = scalarRecords(f.base + f.next, f.base + f.next + n, TAGS, (t, s) => value(f.run, t, s));
        f.next += n;
        bytes = concat(bytes, recs);
        if (r() < 0.3) {
          const cut = bytes.length - 1 - Math.floor(r() * 30);
          f.pending = bytes.slice(cut);
          bytes = bytes.subarray(0, cut);
        }
        appendFileSync(f.path, bytes);
      }
    };
    const writer = setInterval(tick, 20);
    let kills = 0,
      cycles = 0;
    const t0 = performance.now();
    try {
      while (kills < KILLS) {
        cycles++;
        const outcome = await new Promise<'killed' | 'exited'>((res, rej) => {
          const child = spawn(process.execPath, [...args, logdir, db, String(16 << 10)], {
            cwd: REPO_ROOT,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '',
            err = '',
            armed = false;
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            // Kill at a random moment: during the initial scan, or while watching.
            if (!armed && out.includes('started')) {
              armed = true;
              setTimeout(() => child.kill('SIGKILL'), Math.floor(r() * 1500));
            }
          });
          child.stderr.on('data', (d: Buffer) => {
            err += d.toString();
          });
          // 'close', not 'exit': stderr is complete then (the error message below quotes it).
          child.on('close', (code, signal) => {
            if (signal === 'SIGKILL') res('killed');
            else if (code === 0) res('exited');
            else rej(new Error(`ingest child exited with ${code ?? signal}: ${err}`));
          });
        });
        if (outcome === 'killed') kills++;
      }
    } finally {
      clearInterval(writer);
    }
    // Writers finish their split records, then the store catches up once more, in-process.
    for (const f of files)
      if (f.pending) {
        appendFileSync(f.path, f.pending);
        f.pending = null;
      }
    const ing = await startIngest({ logdir, db, watch: false });
    let points = 0;
    try {
      await ing.initialScan;
      for (let run = 0; run < 6; run++) {
        const mine = files.filter((f) => f.run === run);
        if (!mine.length) continue;
        const expected: number[] = [];
        for (const f of mine) for (let s = 0; s < f.next; s++) expected.push(f.base + s);
        expected.sort((a, b) => a - b);
        for (const [t, tag] of TAGS.entries()) {
          const s = (await ing.queries.scalars([`run${run}`], tag, { maxPoints: 1e9 }))[0]!;
          expect(s.total, `run${run}/${tag}`).toBe(expected.length); // 0 lost, 0 duplicated
          expect(s.points.map((p) => p.step)).toEqual(expected);
          expect(s.points.every((p) => p.value === value(run, t, p.step))).toBe(true);
          points += s.total;
        }
      }
      expect(await ing.queries.warnings()).toEqual([]);
    } finally {
      await ing.close();
    }
    reportFigures('crash', {
      kills,
      cycles,
      files: files.length,
      points,
      lost: 0,
      duplicated: 0,
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
      seed: SEED,
    });
  } finally {
    cleanup();
  }
}, 3_600_000);
