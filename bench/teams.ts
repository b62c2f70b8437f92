// Team-setup benchmarks (issue 11): PostgreSQL store and s3:// logdirs, each against its baseline in
// the same process and run. Needs Debian's postgresql (a temporary server is started) and s3rver.
// Run: node --import tsx --conditions=board-source bench/teams.ts
//   cold     the cold-ingest logdir (RUNS x 20 tags x STEPS scalars; 10M by default) into SQLite, then
//            into PostgreSQL: events/s and the ratio PostgreSQL / SQLite.
//   s3       the cold-ingest logdir ingested from local disk and from s3rver: ratio S3 / disk.
//   repoll   an unchanged 1,000-run S3 logdir polled again: requests per poll and ms.
//   scalars  scalars() of one 1M-point tag -> 1,000 buckets on PostgreSQL (median of 20), and SQLite.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { SummaryWriter } from '../lib/tfevents/writer.ts';
import { startIngest } from '../lib/ingest/index.ts';
import { s3Requests } from '../lib/sources/s3.ts';
import { startTestPg } from '../test/helpers/pg-server.ts';
import { startTestS3 } from '../test/helpers/s3-server.ts';

const OUT = resolve(import.meta.dirname, 'out');
const RUNS = Number(process.env.BENCH_RUNS ?? 100),
  TAGS = 20,
  STEPS = Number(process.env.BENCH_STEPS ?? 5000);
const which = new Set(process.argv.slice(2).length ? process.argv.slice(2) : ['cold', 's3', 'repoll', 'scalars']);

function logdir(name: string, runs: number, tags: number, steps: number): string {
  const dir = join(OUT, name);
  const marker = join(dir, `.complete-${runs}x${tags}x${steps}`);
  if (existsSync(marker)) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (let r = 0; r < runs; r++) {
    const w = new SummaryWriter(join(dir, `run_${String(r).padStart(4, '0')}`), { maxQueue: 100_000, flushSecs: 0, fsync: false });
    const names = Array.from({ length: tags }, (_, t) => `group${t % 4}/metric_${t}`);
    for (let s = 0; s < steps; s++)
      for (let t = 0; t < tags; t++) w.addScalar(names[t]!, Math.sin(s / 100 + t) * (1 + r), s, 1.7e9 + s * 0.5);
    w.close();
  }
  writeFileSync(marker, '');
  return dir;
}

async function ingestSecs(logdir: string, db: string): Promise<{ secs: number; events: number }> {
  const t0 = performance.now();
  const ing = await startIngest({ logdir, db, watch: false, progress: false });
  await ing.initialScan;
  const secs = (performance.now() - t0) / 1000;
  const events = (await ing.queries.listTags()).reduce((a, t) => a + t.count, 0);
  await ing.close();
  return { secs, events };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.includes('tfevents')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

mkdirSync(OUT, { recursive: true });
console.log(
  `machine: ${cpus()[0]?.model}, ${cpus().length} cores, Node ${process.version}, load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}, ${new Date().toISOString()}`,
);
const pg = await startTestPg({ fast: false });
try {
  if (which.has('cold')) {
    const dir = logdir('ingest-10m', RUNS, TAGS, STEPS);
    const sqlitePath = join(OUT, 'teams-cold.sqlite');
    rmSync(sqlitePath, { force: true });
    rmSync(`${sqlitePath}-wal`, { force: true });
    rmSync(`${sqlitePath}-shm`, { force: true });
    const lite = await ingestSecs(dir, sqlitePath);
    const pgr = await ingestSecs(dir, await pg.newDatabase());
    console.log(
      `cold ingest ${lite.events} events: SQLite ${lite.secs.toFixed(1)} s (${Math.round(lite.events / lite.secs)} events/s), PostgreSQL ${pgr.secs.toFixed(1)} s (${Math.round(pgr.events / pgr.secs)} events/s); PostgreSQL/SQLite throughput ratio ${(lite.secs / pgr.secs).toFixed(2)}`,
    );
  }
  if (which.has('scalars')) {
    const dir = logdir('teams-1m-one-tag', 1, 1, 1_000_000);
    const url = await pg.newDatabase();
    const ing = await startIngest({ logdir: dir, db: url, watch: false, progress: false });
    await ing.initialScan;
    const lite = await startIngest({ logdir: dir, db: ':memory:', watch: false, progress: false });
    await lite.initialScan;
    const median = async (q: typeof ing.queries) => {
      await q.scalars(['run_0000'], 'group0/metric_0', { maxPoints: 1000 });
      const ts: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        const s = await q.scalars(['run_0000'], 'group0/metric_0', { maxPoints: 1000 });
        ts.push(performance.now() - t0);
        if (s[0]!.total !== 1_000_000) throw new Error('wrong total');
      }
      return ts.sort((a, b) => a - b)[10]!;
    };
    const p = await median(ing.queries),
      l = await median(lite.queries);
    console.log(
      `scalars() 1M points -> 1,000 buckets: PostgreSQL ${p.toFixed(1)} ms, SQLite ${l.toFixed(1)} ms (median of 20; ratio ${(p / l).toFixed(1)})`,
    );
    await ing.close();
    await lite.close();
  }
  if (which.has('s3') || which.has('repoll')) {
    const s3 = await startTestS3();
    try {
      await s3.createBucket('bench');
      if (which.has('s3')) {
        // The cold-ingest logdir itself (10M events by default; BENCH_RUNS / BENCH_STEPS shrink it),
        // uploaded to s3rver, then ingested into SQLite from disk and from S3 in the order disk, S3,
        // S3, disk, so JIT warm-up and drifting machine load weigh on both alike.
        const dir = logdir('ingest-10m', RUNS, TAGS, STEPS);
        const files = filesUnder(dir);
        const t0 = performance.now();
        for (const f of files) await s3.put('bench', `cold/${relative(dir, f)}`, readFileSync(f));
        console.log(`uploaded ${files.length} objects to s3rver in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        const times: Record<'disk' | 's3', number[]> = { disk: [], s3: [] };
        let events = 0,
          lists = 0,
          gets = 0;
        for (const mode of ['disk', 's3', 's3', 'disk'] as const) {
          const l0 = s3Requests.list,
            g0 = s3Requests.get;
          const r = await ingestSecs(mode === 'disk' ? dir : 's3://bench/cold', ':memory:');
          if (events && r.events !== events) throw new Error(`event counts differ: ${r.events} vs ${events}`);
          events = r.events;
          times[mode].push(r.secs);
          if (mode === 's3') {
            lists = s3Requests.list - l0;
            gets = s3Requests.get - g0;
          }
          console.log(`  ${mode}: ${r.secs.toFixed(2)} s (load ${loadavg()[0]!.toFixed(2)})`);
        }
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        console.log(
          `same ${events}-event logdir: local disk ${mean(times.disk).toFixed(2)} s, S3 (s3rver on loopback) ${mean(times.s3).toFixed(2)} s (means of 2); S3/disk time ratio ${(mean(times.s3) / mean(times.disk)).toFixed(2)} (${lists} LIST, ${gets} GET per S3 ingest)`,
        );
      }
      if (which.has('repoll')) {
        const one = readFileSync(filesUnder(logdir('ingest-10m', RUNS, TAGS, STEPS))[0]!).subarray(0, 4096);
        for (let r = 0; r < 1000; r++) await s3.put('bench', `repoll/run_${String(r).padStart(4, '0')}/events.out.tfevents.1`, one);
        const ing = await startIngest({ logdir: 's3://bench/repoll', db: ':memory:', watch: false, progress: false });
        await ing.initialScan;
        const ts: number[] = [];
        let lists = 0,
          gets = 0;
        for (let i = 0; i < 5; i++) {
          const l0 = s3Requests.list,
            g0 = s3Requests.get,
            t0 = performance.now();
          await ing.sync();
          ts.push(performance.now() - t0);
          lists += s3Requests.list - l0;
          gets += s3Requests.get - g0;
        }
        console.log(
          `re-poll of an unchanged 1,000-run S3 logdir: ${(lists / 5).toFixed(0)} LIST + ${(gets / 5).toFixed(0)} GET requests per poll, median ${ts.sort((a, b) => a - b)[2]!.toFixed(0)} ms`,
        );
        await ing.close();
      }
    } finally {
      await s3.stop();
    }
  }
} finally {
  await pg.stop();
}
