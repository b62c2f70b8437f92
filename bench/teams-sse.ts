// Flush -> SSE client latency across processes (issue 11): INGESTERS `board ingest` processes and
// SERVERS `board serve --db URL --no_ingest` processes on one PostgreSQL database (Debian's
// postgresql, default durability), CLIENTS SSE streams per web server held open by this process.
// Each flush appends one record to an event file of one ingester's logdir; the latency of a
// client is the time from the append's return to that client reading the change (run, tag and
// the flushed step) from /api/events. The baseline, in the same run and on the same processes, is
// one client on one server; then every client is connected and the same flushes are timed again.
//
// Run: node --import tsx --conditions=board-source bench/teams-sse.ts
//   env: BENCH_SERVERS (4), BENCH_CLIENTS (50 per server), BENCH_INGESTERS (2), BENCH_FLUSHES (40)
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestPg } from '../test/helpers/pg-server.ts';
import { startBoard, type BoardProcess } from '../test/e2e/helpers/board-process.ts';
import { appendEvents, fileVersionRecord, scalarRecords, tempDir, writeEvents } from '../test/ingest/helpers.ts';

const SERVERS = Number(process.env.BENCH_SERVERS ?? 4),
  CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50),
  INGESTERS = Number(process.env.BENCH_INGESTERS ?? 2),
  FLUSHES = Number(process.env.BENCH_FLUSHES ?? 40);
const BIN = resolve(import.meta.dirname, '../bin/board.js');
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** `board ingest` as a child, resolved once its initial scan is done. */
function startIngester(logdir: string, db: string): Promise<{ stop: () => Promise<void> }> {
  const proc: ChildProcess = spawn(process.execPath, [BIN, 'ingest', '--logdir', logdir, '--db', db], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const stop = async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    process.kill(-proc.pid!, 'SIGTERM');
    await exited;
  };
  return new Promise((res, rej) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('initial scan done')) res({ stop });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => rej(new Error(`ingester exited (${code}):\n${out}`)));
  });
}

/** One SSE stream: for each (run, tag), the arrival time of each maxStep it announced. */
interface Client {
  seen: Map<string, number>;
  close(): void;
}
async function openClient(base: string): Promise<Client> {
  const ctrl = new AbortController();
  const res = await fetch(`${base}/api/events`, { signal: ctrl.signal });
  if (res.status !== 200) throw new Error(`${base}/api/events: HTTP ${res.status}`);
  const seen = new Map<string, number>();
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = performance.now();
        buf += decoder.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of block.split('\n')) {
            if (!line.startsWith('data: ')) continue;
            const d = JSON.parse(line.slice(6)) as { type?: string; run?: string; tag?: string; maxStep?: number };
            if (d.type === 'data') seen.set(`${d.run}\0${d.tag}\0${d.maxStep}`, at);
          }
        }
      }
    } catch {
      /* closed */
    }
  })();
  return { seen, close: () => ctrl.abort() };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

console.log(`machine: ${cpus()[0]?.model}, ${cpus().length} cores, Node ${process.version}, load ${load()}, ${new Date().toISOString()}`);
const pg = await startTestPg({ fast: false });
const tmp = tempDir('board-bench-sse-');
const stops: Array<() => Promise<unknown>> = [];
try {
  // Each ingester has its own logdir with one run; flushes go round-robin over them.
  const files: Array<{ run: string; path: string; next: number }> = [];
  for (let k = 0; k < INGESTERS; k++) {
    const run = `team${k}`;
    const path = join(tmp.dir, `logdir${k}`, run, 'events.out.tfevents.1');
    writeEvents(path, fileVersionRecord(), scalarRecords(0, 1000, ['loss', 'acc']));
    files.push({ run, path, next: 1000 });
  }
  const ingesters = await Promise.all(files.map((_f, k) => startIngester(join(tmp.dir, `logdir${k}`), pg.url)));
  for (const i of ingesters) stops.push(i.stop);
  const servers: BoardProcess[] = [];
  for (let s = 0; s < SERVERS; s++) {
    const srv = await startBoard(['--db', pg.url, '--no_ingest']);
    stops.push(() => srv.stop());
    servers.push(srv);
  }
  console.log(`${INGESTERS} ingesters, ${SERVERS} web servers up; load ${load()}`);

  /** FLUSHES appends; per flush, the latency to every client; the time the last client got it. */
  async function measure(clients: Client[]): Promise<number[]> {
    const lat: number[] = [];
    for (let i = 0; i < FLUSHES; i++) {
      const f = files[i % files.length]!;
      const step = f.next++;
      appendEvents(f.path, scalarRecords(step, step + 1, ['loss']));
      const t0 = performance.now();
      const key = `${f.run}\0loss\0${step}`;
      const got = new Array<number | null>(clients.length).fill(null);
      const deadline = t0 + 10_000;
      while (got.some((g) => g === null)) {
        if (performance.now() > deadline)
          throw new Error(`flush ${i}: ${got.filter((g) => g === null).length} clients got nothing in 10 s`);
        clients.forEach((c, j) => {
          const at = c.seen.get(key);
          if (got[j] === null && at !== undefined) got[j] = at - t0;
        });
        await new Promise((r) => setTimeout(r, 2));
      }
      lat.push(...(got as number[]));
      // A pause between flushes, as a training loop's flushes are (and so each is timed alone).
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 100));
    }
    return lat;
  }
  const describe = (lat: number[]) =>
    `p50 ${pct(lat, 50).toFixed(0)} ms, p90 ${pct(lat, 90).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms (${lat.length} deliveries)`;

  const one = await openClient(servers[0]!.url);
  await new Promise((r) => setTimeout(r, 300));
  const base = await measure([one]);
  one.close();
  console.log(`baseline, 1 server x 1 client: ${describe(base)}; load ${load()}`);

  const clients: Client[] = [];
  for (const s of servers) for (let c = 0; c < CLIENTS; c++) clients.push(await openClient(s.url));
  await new Promise((r) => setTimeout(r, 500));
  const all = await measure(clients);
  for (const c of clients) c.close();
  console.log(`${SERVERS} servers x ${CLIENTS} clients: ${describe(all)}; load ${load()}`);
  console.log(`p99 ratio (${SERVERS * CLIENTS} clients / 1 client): ${(pct(all, 99) / pct(base, 99)).toFixed(2)}`);
  const perServer = servers.map((_s, k) =>
    pct(
      all.filter((_x, j) => Math.floor((j % clients.length) / CLIENTS) === k),
      99,
    ),
  );
  console.log(`p99 per server: ${perServer.map((x) => `${x.toFixed(0)} ms`).join(', ')}`);
} finally {
  for (const s of stops.reverse()) await s().catch(() => {});
  await pg.stop();
  tmp.cleanup();
}
