// Ingest benchmarks (issue 3). Run: node --import tsx --conditions=board-source bench/ingest.ts [cold|rescan|scalars|all]
//  cold    100 runs x 20 tags x 5,000 steps = 10M scalar events written by our SummaryWriter (cached
//          under bench/out/), ingested into a fresh SQLite file in a child process: events/s, MB/s,
//          peak RSS, and the ratio to the floor (same bytes read + CRC-checked only, same process).
//  rescan  incremental re-scan of an unchanged 1,000-run logdir (restart and sync()).
//  scalars scalars() for one tag with 1M points downsampled to 1,000 buckets, against reading all
//          1M points (same process) and a GROUP BY over a row-per-point table (the design not taken).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, totalmem } from 'node:os';
import Database from 'better-sqlite3';
import { SummaryWriter } from '../lib/tfevents/writer.ts';
import { scanRecords } from '../lib/tfevents/record.ts';
import { startIngest } from '../lib/ingest/index.ts';
import { openWriterDb } from '../lib/store/schema.ts';
import { StoreWriter } from '../lib/store/writer.ts';
import { openQueries } from '../lib/store/queries.ts';

const OUT = resolve(import.meta.dirname, 'out');
const COLD_DIR = join(OUT, 'ingest-10m');
const RESCAN_DIR = join(OUT, 'ingest-1k-runs');
const RUNS = Number(process.env.BENCH_RUNS ?? 100),
  TAGS = 20,
  STEPS = Number(process.env.BENCH_STEPS ?? 5000);

function machine(): string {
  return `${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** The cold-ingest logdir, generated once with our SummaryWriter (marker file = complete). */
function ensureColdLogdir(): void {
  const marker = join(COLD_DIR, `.complete-${RUNS}x${TAGS}x${STEPS}`);
  if (existsSync(marker)) return;
  rmSync(COLD_DIR, { recursive: true, force: true });
  const t0 = performance.now();
  for (let r = 0; r < RUNS; r++) {
    const w = new SummaryWriter(join(COLD_DIR, `run_${String(r).padStart(3, '0')}`), { maxQueue: 100_000, flushSecs: 0, fsync: false });
    const tags = Array.from({ length: TAGS }, (_, t) => `group${t % 4}/metric_${t}`);
    for (let s = 0; s < STEPS; s++) {
      for (let t = 0; t < TAGS; t++) w.addScalar(tags[t]!, Math.sin(s / 100 + t) * (1 + r), s, 1.7e9 + s * 0.5);
    }
    w.close();
  }
  writeFileSync(marker, '');
  console.log(`generated ${RUNS * TAGS * STEPS} scalar events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Floor: read every byte of every file and check both CRCs of every record, nothing else. */
function floor(files: string[]): { secs: number; bytes: number; records: number } {
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
        onCorrupt() {},
      });
      if (r.endOffset === pos) break;
      bytes += r.endOffset - pos;
      pos = r.endOffset;
    }
    closeSync(fd);
  }
  return { secs: (performance.now() - t0) / 1000, bytes, records };
}

/** CPU seconds (user + system, all threads of this process) since `from`. */
function cpuSecs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

/** Child process: floor, then cold ingest into a fresh store; prints one JSON line. */
async function coldChild(): Promise<void> {
  const files = filesUnder(COLD_DIR).filter((f) => f.includes('tfevents'));
  const db = join(OUT, 'ingest-10m.sqlite');
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
  let cpu0 = process.cpuUsage();
  const fl = floor(files);
  const floorCpu = cpuSecs(cpu0);
  cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = process.env.BENCH_WORKER === '0' ? false : process.env.BENCH_WORKER === '1' ? true : 'auto';
  const ing = await startIngest({ logdir: COLD_DIR, db, watch: false, decodeWorker: worker });
  await ing.initialScan;
  const secs = (performance.now() - t0) / 1000;
  const ingestCpu = cpuSecs(cpu0);
  const events = (await ing.queries.listTags()).reduce((a, t) => a + t.count, 0);
  await ing.close();
  const dbBytes = statSync(db).size;
  console.log(JSON.stringify({ floor: fl, floorCpu, ingestCpu, secs, events, maxRssMB: process.resourceUsage().maxRSS / 1024, dbBytes }));
}

async function cold(): Promise<void> {
  ensureColdLogdir();
  for (const worker of ['1', '0']) coldOnce(worker);
}

function coldOnce(worker: string): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=board-source', import.meta.filename, 'cold-child'], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, BENCH_WORKER: worker },
  });
  if (r.status !== 0) throw new Error(`cold child failed: ${r.stderr}`);
  const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  const mb = res.floor.bytes / 2 ** 20;
  console.log(
    `cold ingest (${worker === '1' ? 'decode in a worker thread' : 'decode in-process'}): ${res.events} scalar events, ${mb.toFixed(0)} MiB in ${res.secs.toFixed(2)} s` +
      ` = ${(res.events / res.secs / 1e6).toFixed(2)}M events/s, ${(mb / res.secs).toFixed(0)} MiB/s`,
  );
  console.log(
    `floor (read + CRC only): ${res.floor.records} records in ${res.floor.secs.toFixed(2)} s = ${(mb / res.floor.secs).toFixed(0)} MiB/s`,
  );
  console.log(
    `CPU time (all threads): ingest ${res.ingestCpu.toFixed(2)} s = ${(res.events / res.ingestCpu / 1e6).toFixed(2)}M events per CPU-second,` +
      ` floor ${res.floorCpu.toFixed(2)} s; CPU ratio ${(res.ingestCpu / res.floorCpu).toFixed(2)}x`,
  );
  console.log(
    `ratio ingest/floor (wall clock): ${(res.secs / res.floor.secs).toFixed(2)}x; peak RSS ${res.maxRssMB.toFixed(0)} MB; store ${(res.dbBytes / 2 ** 20).toFixed(0)} MiB`,
  );
}

async function rescan(): Promise<void> {
  const marker = join(RESCAN_DIR, '.complete');
  if (!existsSync(marker)) {
    rmSync(RESCAN_DIR, { recursive: true, force: true });
    for (let r = 0; r < 1000; r++) {
      const w = new SummaryWriter(join(RESCAN_DIR, `sweep/run_${String(r).padStart(4, '0')}`), {
        maxQueue: 1000,
        flushSecs: 0,
        fsync: false,
      });
      for (let s = 0; s < 20; s++) {
        w.addScalar('loss', 1 / (s + 1), s);
        w.addScalar('acc', s / 20, s);
      }
      w.close();
    }
    writeFileSync(marker, '');
  }
  const db = join(OUT, 'ingest-1k-runs.sqlite');
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
  let t0 = performance.now();
  let ing = await startIngest({ logdir: RESCAN_DIR, db, watch: false });
  await ing.initialScan;
  const first = performance.now() - t0;
  const syncs: number[] = [];
  for (let i = 0; i < 10; i++) {
    t0 = performance.now();
    await ing.sync();
    syncs.push(performance.now() - t0);
  }
  await ing.close();
  const restarts: number[] = [];
  for (let i = 0; i < 5; i++) {
    t0 = performance.now();
    ing = await startIngest({ logdir: RESCAN_DIR, db, watch: false });
    await ing.initialScan;
    restarts.push(performance.now() - t0);
    await ing.close();
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  console.log(
    `rescan of unchanged 1,000-run logdir: sync() median ${med(syncs).toFixed(1)} ms (min ${Math.min(...syncs).toFixed(1)}),` +
      ` restart (open store + scan) median ${med(restarts).toFixed(1)} ms; first ingest ${first.toFixed(0)} ms; ratio first/rescan ${(first / med(syncs)).toFixed(1)}x`,
  );
}

async function scalars(): Promise<void> {
  const db = join(OUT, 'scalars-1m.sqlite');
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
  const N = 1_000_000;
  const w = new StoreWriter(openWriterDb(db));
  const f = w.ensureFile('run', '/bench/events.out.tfevents.1', 'events.out.tfevents.1');
  w.begin();
  for (let s = 0; s < N; s++)
    w.addValue(f, {
      tag: 'loss',
      step: s,
      wallTime: 1.7e9 + s,
      kind: 'scalar',
      plugin: null,
      data: { kind: 'scalar', value: Math.fround(Math.sin(s / 1000) + (s % 9973 === 0 ? 5 : 0)) },
    });
  w.commit(f, { offset: 1, size: 1, mtime: 1, ino: 1, headLen: 0, headCrc: 0, records: N, events: N, corrupt: 0 });
  w.db.close();
  const q = openQueries(db);
  const time = async (fn: () => unknown, reps: number) => {
    await fn(); // warm: page cache, statement
    const ts: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await fn();
      ts.push(performance.now() - t0);
    }
    return ts.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
  };
  const down = await time(() => q.scalars(['run'], 'loss', { maxPoints: 1000 }), 30);
  const s = (await q.scalars(['run'], 'loss', { maxPoints: 1000 }))[0]!;
  const all = await time(() => q.scalars(['run'], 'loss', { maxPoints: 2e6 }), 5);
  q.close();
  // The design not taken: one row per point, downsampled with SQL GROUP BY (min/max per bucket only).
  const rdb = new Database(join(OUT, 'scalars-rows.sqlite'));
  rdb.pragma('journal_mode = WAL');
  rdb.exec(
    'DROP TABLE IF EXISTS s; CREATE TABLE s(tag_id INTEGER, step INTEGER, wall REAL, value REAL, PRIMARY KEY(tag_id, step)) WITHOUT ROWID',
  );
  const ins = rdb.prepare('INSERT INTO s VALUES (1, ?, ?, ?)');
  const t0 = performance.now();
  rdb.transaction(() => {
    for (let i = 0; i < N; i++) ins.run(i, 1.7e9 + i, Math.sin(i / 1000));
  })();
  const rowInsert = (performance.now() - t0) / 1000;
  const grp = rdb.prepare('SELECT (step * 1000) / ? b, min(step), max(step), min(value), max(value) FROM s WHERE tag_id = 1 GROUP BY b');
  const sql = await time(() => grp.all(N), 5);
  rdb.close();
  console.log(
    `scalars(): 1M points -> 1,000 buckets in ${down.toFixed(1)} ms median (${s.points.length} points kept);` +
      ` all 1M points as objects ${all.toFixed(0)} ms; SQL GROUP BY over a row table ${sql.toFixed(0)} ms (${(sql / down).toFixed(1)}x slower),` +
      ` whose 1M inserts took ${rowInsert.toFixed(2)} s`,
  );
}

const mode = process.argv[2] ?? 'all';
mkdirSync(OUT, { recursive: true });
if (mode === 'cold-child') await coldChild();
else {
  console.log(`machine: ${machine()}; ${new Date().toISOString()}`);
  if (mode === 'cold' || mode === 'all') await cold();
  if (mode === 'rescan' || mode === 'all') await rescan();
  if (mode === 'scalars' || mode === 'all') await scalars();
}
