// Board's ingest against RustBoard (TensorBoard's Rust data server), issue 16.
// Run: node --import tsx --conditions=board-source bench/vs-rustboard.ts [big|sweep|both] [--reps N] [--rustboard PATH] [--worker]
//
// Two logdirs written by our SummaryWriter (cached under bench/out/):
//   big    50 runs x 20 tags x 2,000 steps = 2M scalars (one event file per run)
//   sweep  2,000 runs x 20 tags x 20 steps = 800k scalars (the many-small-runs shape)
// For each, interleaved N times (default 5):
//   RustBoard  time from spawn to its first "Finished load cycle" line (`server --logdir L -v`), then killed
//   Board      `board export --logdir L --db <fresh file> --tags '^$'`, end to end (process start to exit)
//   floor      every byte of every file read and both CRCs of every record checked, nothing else (in this process)
//   --worker   also Board with its decode worker forced on (BOARD_DECODE_WORKER=1): decoding on the second core
//              while the main thread writes SQLite ('auto' uses it only when the load average leaves a core free)
// Wall clock and CPU time (user + system of the child, from /proc) are reported as medians; the ratios use
// medians of the same run. RustBoard is found with --rustboard PATH, $RUSTBOARD_BIN, or the
// tensorboard_data_server Python package (python3, or $RUSTBOARD_PYTHON); with RUSTBOARD_INSTALL=1 the bench
// pip-installs it into bench/out/rb-venv. Without it, Board's figures are printed next to the issue's
// reference figures for RustBoard.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { SummaryWriter } from '../lib/tfevents/writer.ts';
import { scanRecords } from '../lib/tfevents/record.ts';

const OUT = resolve(import.meta.dirname, 'out');
const BOARD_BIN = resolve(import.meta.dirname, '../bin/board.js');

interface Shape {
  name: string;
  runs: number;
  tags: number;
  steps: number;
  ref: { rustboard: string; board: string };
}
const SHAPES: Shape[] = [
  { name: 'big', runs: 50, tags: 20, steps: 2000, ref: { rustboard: '0.93-1.14 s', board: '2.19-2.46 s' } },
  { name: 'sweep', runs: 2000, tags: 20, steps: 20, ref: { rustboard: '0.60-0.83 s', board: '3.51-3.68 s' } },
];

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function logdirOf(s: Shape): string {
  return join(OUT, `rb-${s.name}-${s.runs}x${s.tags}x${s.steps}`);
}

/** Write the shape's logdir once (a marker file says it is complete). */
function ensureLogdir(s: Shape): string {
  const dir = logdirOf(s);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return dir;
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const tags = Array.from({ length: s.tags }, (_, t) => `group${t % 4}/metric_${t}`);
  for (let r = 0; r < s.runs; r++) {
    const w = new SummaryWriter(join(dir, `run_${String(r).padStart(4, '0')}`), { maxQueue: 100_000, flushSecs: 0, fsync: false });
    for (let st = 0; st < s.steps; st++)
      for (let t = 0; t < s.tags; t++) w.addScalar(tags[t]!, Math.sin(st / 100 + t) * (1 + r), st, 1.7e9 + st * 0.5);
    w.close();
  }
  writeFileSync(marker, '');
  console.log(`generated ${s.name}: ${s.runs * s.tags * s.steps} scalars in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return dir;
}

function eventFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.includes('tfevents')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** The floor: open, read and CRC-check every record of every file; nothing else. */
function floor(files: string[]): { secs: number; cpu: number; bytes: number; records: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let bytes = 0,
    records = 0;
  const buf = Buffer.allocUnsafe(8 << 20);
  for (const f of files) {
    const fd = openSync(f, 'r');
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      const r = scanRecords(buf.subarray(0, n), pos, f, {
        onRecord() {
          records++;
        },
        onCorrupt() {
          throw new Error(`floor: corrupt record in ${f}`);
        },
      });
      if (r.endOffset === pos) break;
      bytes += r.endOffset - pos;
      pos = r.endOffset;
    }
    closeSync(fd);
  }
  const c = process.cpuUsage(c0);
  return { secs: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, bytes, records };
}

/** user + system CPU seconds of a live process (all its threads), from /proc/PID/stat. */
function procCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** CPU seconds of this process's reaped children (cutime + cstime), from /proc/self/stat. */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

interface Timing {
  secs: number;
  cpu: number;
  rssMB?: number;
}

/** `board export` end to end into a fresh store; CPU from the children's rusage (the child is reaped by spawnSync). */
function runBoard(dir: string, expectPoints: number, env: Record<string, string> = {}): Timing {
  const db = join(OUT, 'rb-fresh.sqlite');
  for (const s of ['', '-wal', '-shm', '.lock']) rmSync(db + s, { force: true });
  const c0 = childrenCpu();
  const t0 = performance.now();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'maxrss_kb=%M', process.execPath, BOARD_BIN, 'export', '--logdir', dir, '--db', db, '--tags', '^$'],
    // BOARD_FROM_DIST: a stale dist/ would otherwise start through tsx and time its loader (0.3-0.8 CPU-s).
    { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, BOARD_FROM_DIST: '1', ...env } },
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = childrenCpu() - c0;
  if (r.status !== 0) throw new Error(`board export failed (${r.status}): ${r.stderr}`);
  const rss = /maxrss_kb=(\d+)/.exec(r.stderr);
  // Every point must be in the store: count them with sqlite in this process (not timed).
  const points = countPoints(db);
  if (points !== expectPoints) throw new Error(`board export stored ${points} points, expected ${expectPoints}`);
  return { secs, cpu, rssMB: rss ? Number(rss[1]) / 1024 : undefined };
}

function countPoints(db: string): number {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `const D=require('better-sqlite3');const d=new D(process.argv[1],{readonly:true});console.log(d.prepare('SELECT coalesce(sum(n),0) c FROM scalar_chunks').get().c)`,
      db,
    ],
    { encoding: 'utf8', cwd: resolve(import.meta.dirname, '..') },
  );
  if (r.status !== 0) throw new Error(`counting points failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** RustBoard: spawn, wait for the first "Finished load cycle" line, take its CPU time, kill it. */
function runRustboard(bin: string, dir: string): Promise<Timing> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(bin, ['--logdir', dir, '--port', '0', '-v'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let done = false;
    const timer = setTimeout(() => {
      if (!done) {
        done = true;
        child.kill('SIGKILL');
        rej(new Error(`rustboard: no "Finished load cycle" after 300 s: ${err.slice(-2000)}`));
      }
    }, 300_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (done) return;
      err += chunk;
      if (!err.includes('Finished load cycle')) return;
      done = true;
      const secs = (performance.now() - t0) / 1000;
      const cpu = procCpu(child.pid!);
      clearTimeout(timer);
      child.once('exit', () => res({ secs, cpu }));
      child.kill('SIGKILL');
    });
    child.on('error', (e) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        rej(e);
      }
    });
    child.on('exit', (code) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        rej(new Error(`rustboard exited (${code}) before a load cycle finished: ${err.slice(-2000)}`));
      }
    });
  });
}

/** Path and version of a RustBoard binary, or null when there is none. */
function findRustboard(): { bin: string; version: string } | null {
  const candidates: string[] = [];
  const given = argValue('--rustboard') ?? process.env.RUSTBOARD_BIN;
  if (given) candidates.push(given);
  const pythons = [process.env.RUSTBOARD_PYTHON, 'python3', join(OUT, 'rb-venv/bin/python3')].filter((p): p is string => !!p);
  const fromPython = (py: string) => {
    const r = spawnSync(py, ['-c', 'import tensorboard_data_server as t; print(t.server_binary() or "")'], { encoding: 'utf8' });
    return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
  };
  if (!given) {
    for (const py of pythons) {
      const b = fromPython(py);
      if (b) {
        candidates.push(b);
        break;
      }
    }
    if (candidates.length === 0 && process.env.RUSTBOARD_INSTALL === '1') {
      const venv = join(OUT, 'rb-venv');
      const ok =
        spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' }).status === 0 &&
        spawnSync(join(venv, 'bin/pip'), ['install', '--quiet', 'tensorboard-data-server'], { stdio: 'inherit' }).status === 0;
      const b = ok ? fromPython(join(venv, 'bin/python3')) : null;
      if (b) candidates.push(b);
    }
  }
  for (const bin of candidates) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return { bin, version: r.stdout.trim() };
    if (given) throw new Error(`RustBoard binary ${bin} does not run: ${r.error?.message ?? r.stderr}`);
  }
  return null;
}

const median = (a: number[]) => {
  const s = [...a].filter((x) => x === x).sort((x, y) => x - y);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};
const range = (a: number[]) => `${Math.min(...a).toFixed(2)}-${Math.max(...a).toFixed(2)}`;

async function main(): Promise<void> {
  const which = process.argv[2] && !process.argv[2].startsWith('-') ? process.argv[2] : 'both';
  const reps = Number(argValue('--reps') ?? 5);
  const withWorker = process.argv.includes('--worker');
  mkdirSync(OUT, { recursive: true });
  const rb = findRustboard();
  console.log(
    `machine: ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${new Date().toISOString()}`,
  );
  console.log(
    rb
      ? `RustBoard: ${rb.version} (${rb.bin}), default flags (records checksummed only when they fail to parse)`
      : "RustBoard: not found (give --rustboard PATH, RUSTBOARD_BIN, or RUSTBOARD_INSTALL=1); the issue's figures are shown instead",
  );
  for (const s of SHAPES.filter((x) => which === 'both' || x.name === which)) {
    const dir = ensureLogdir(s);
    const files = eventFiles(dir);
    const points = s.runs * s.tags * s.steps;
    const board: Timing[] = [],
      boardWorker: Timing[] = [],
      rust: Timing[] = [],
      floors: ReturnType<typeof floor>[] = [];
    const loads: number[] = [];
    // Warm the page cache and tsx's compile cache once, untimed, so every timed run starts alike.
    floor(files);
    runBoard(dir, points);
    for (let i = 0; i < reps; i++) {
      loads.push(loadavg()[0]!);
      // Alternate the order so a load swing does not always hit the same contender.
      if (rb && i % 2 === 1) rust.push(await runRustboard(rb.bin, dir));
      board.push(runBoard(dir, points));
      if (withWorker) boardWorker.push(runBoard(dir, points, { BOARD_DECODE_WORKER: '1' }));
      if (rb && i % 2 === 0) rust.push(await runRustboard(rb.bin, dir));
      floors.push(floor(files));
    }
    const fl = floors[0]!;
    const b = {
      secs: median(board.map((x) => x.secs)),
      cpu: median(board.map((x) => x.cpu)),
      rss: Math.max(...board.map((x) => x.rssMB ?? 0)),
    };
    const f = { secs: median(floors.map((x) => x.secs)), cpu: median(floors.map((x) => x.cpu)) };
    console.log(
      `\n${s.name}: ${s.runs} runs x ${s.tags} tags x ${s.steps} steps = ${points} scalars, ${files.length} files, ${(fl.bytes / 2 ** 20).toFixed(0)} MiB; ${reps} interleaved reps; load average ${range(loads)}`,
    );
    console.log(
      `  Board export   wall median ${b.secs.toFixed(2)} s (${range(board.map((x) => x.secs))}), CPU median ${b.cpu.toFixed(2)} s, peak RSS ${b.rss.toFixed(0)} MB, ${(points / b.secs / 1e6).toFixed(2)}M points/s`,
    );
    const bw = withWorker
      ? {
          secs: median(boardWorker.map((x) => x.secs)),
          cpu: median(boardWorker.map((x) => x.cpu)),
          rss: Math.max(...boardWorker.map((x) => x.rssMB ?? 0)),
        }
      : null;
    if (bw)
      console.log(
        `  Board, worker  wall median ${bw.secs.toFixed(2)} s (${range(boardWorker.map((x) => x.secs))}), CPU median ${bw.cpu.toFixed(2)} s, peak RSS ${bw.rss.toFixed(0)} MB (BOARD_DECODE_WORKER=1)`,
      );
    if (rb) {
      const r = { secs: median(rust.map((x) => x.secs)), cpu: median(rust.map((x) => x.cpu)) };
      console.log(
        `  RustBoard      wall median ${r.secs.toFixed(2)} s (${range(rust.map((x) => x.secs))}), CPU median ${r.cpu.toFixed(2)} s`,
      );
      console.log(
        `  Board speed relative to RustBoard: wall ${(r.secs / b.secs).toFixed(2)}x, CPU ${(r.cpu / b.cpu).toFixed(2)}x (>= 1.0 means Board is as fast or faster)`,
      );
      if (bw)
        console.log(
          `  Board with the worker relative to RustBoard: wall ${(r.secs / bw.secs).toFixed(2)}x, CPU ${(r.cpu / bw.cpu).toFixed(2)}x`,
        );
    } else {
      console.log(`  RustBoard (issue 16 reference, same machine type): ${s.ref.rustboard}; Board then: ${s.ref.board}`);
    }
    console.log(
      `  floor (read + CRC, in-process) wall median ${f.secs.toFixed(2)} s, CPU ${f.cpu.toFixed(2)} s; Board / floor: wall ${(b.secs / f.secs).toFixed(2)}x, CPU ${(b.cpu / f.cpu).toFixed(2)}x`,
    );
  }
}

await main();
