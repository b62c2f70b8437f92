// Concurrency campaign (issue 10): 20 writer processes (the SummaryWriter, one scalar per step,
// flushed each time) append to 20 runs while a real `board` (bin/board.js: live ingest, the
// Next server, the SSE feed /api/events) ingests and 50 HTTP clients listen on /api/events.
//
// What the feed promises (lib/server/sse.ts, lib/store/types.ts StoreChange): after each commit,
// a `data` event per (run, tag) carrying the highest step now stored; a client then re-fetches.
// So "every point arrives" is checked as: in the store, every step of every run exactly once
// with its exact value (read back through /api/scalars and the store file); at every client, each
// run's announced maxStep never goes back and ends at the last step; every client hears the
// same events (none dropped for a slow or busy client). Latency: for every client, run and step,
// from the writer's flush() returning to the first event announcing a maxStep >= that step.
// Proven: p99 under 1 s.
//
// The machine is shared (other agents: load 10-20 on 2 cores), so the run also measures, in the
// same run, a baseline: each writer's "flushed" line reaching this process through a pipe, which
// costs nothing but scheduling. The board's own event loop is watched by a preloaded probe
// (fixtures/loop-probe.ts): its longest hold by its own CPU work, and time lost waiting for a CPU.
// The full size holds the 1 s bound as stated; at CI size (run beside the whole suite) the bound
// is 1 s or twice the pipe baseline's p99, whichever is larger (the SSE path crosses two process
// hops where the pipe crosses one), and the board's own holds must stay under 100 ms.
// CI: 20 writers x 60 steps. BOARD_CAMPAIGN=full: 20 writers x 600 steps.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { openQueries } from '../../lib/store/queries.ts';
import { startBoard, type BoardProcess } from '../e2e/helpers/board-process.ts';
import { REPO_ROOT } from '../helpers/shared.ts';
import { tempDir, waitFor } from '../ingest/helpers.ts';
import { childArgs, preloadArgs, removeBuiltChildren } from './child.ts';
import { loopFigures, readLoopReport } from './loop-report.ts';
import { campaignSize, FULL, reportFigures } from './size.ts';

const WRITERS = 20;
const CLIENTS = 50;
const STEPS = campaignSize(60, 600);
/** Mean pause between a writer's flushes (each pause is 0.5x..1.5x this): 20 writers -> ~400 flushes/s. */
const INTERVAL_MS = 50;
const P99_BUDGET_MS = 1000;
afterAll(removeBuiltChildren);

/** A child process; `onLine` sees each stdout line with the time it arrived. */
function runChild(args: string[], onLine: (line: string, at: number) => void): { proc: ChildProcess; done: Promise<string> } {
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '',
    err = '',
    partial = '';
  proc.stdout!.on('data', (d: Buffer) => {
    const at = Date.now();
    out += d.toString();
    partial += d.toString();
    let i: number;
    while ((i = partial.indexOf('\n')) >= 0) {
      onLine(partial.slice(0, i), at);
      partial = partial.slice(i + 1);
    }
  });
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const done = new Promise<string>((res, rej) =>
    // 'close', not 'exit': 'exit' can come before the last stdout bytes (the result line) have been read.
    proc.on('close', (code, signal) => (code === 0 ? res(out) : rej(new Error(`${args.join(' ')} exited with ${code ?? signal}: ${err}`)))),
  );
  return { proc, done };
}

interface Client {
  /** Per run: [maxStep, ms since epoch] for each `data` event, in arrival order. */
  heard: Map<string, Array<[number, number]>>;
  /** Every event's data line, in order (to compare clients). */
  events: number;
  closedEarly: boolean;
  stop(): void;
}

/** One SSE client on /api/events, as a same-origin page's EventSource would connect. */
function listen(base: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const url = new URL('/api/events', base);
    const client: Client = { heard: new Map(), events: 0, closedEarly: false, stop: () => {} };
    let stopping = false;
    const req = request(url, { headers: { accept: 'text/event-stream', 'sec-fetch-site': 'same-origin' }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`/api/events answered ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        const now = Date.now();
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of ev.split('\n')) {
            if (!line.startsWith('data: ')) continue;
            const c = JSON.parse(line.slice(6)) as { type?: string; run?: string; tag?: string; maxStep?: number };
            if (c.type !== 'data' || !c.run || c.tag !== 'loss' || typeof c.maxStep !== 'number') continue;
            client.events++;
            let l = client.heard.get(c.run);
            if (!l) client.heard.set(c.run, (l = []));
            l.push([c.maxStep, now]);
          }
        }
      });
      res.on('close', () => {
        if (!stopping) client.closedEarly = true;
      });
      client.stop = () => {
        stopping = true;
        req.destroy();
      };
      resolve(client);
    });
    req.on('error', (e) => {
      if (!stopping) reject(e);
    });
    req.end();
  });
}

/** CPU time (user + system, all threads) a process has used so far, in ms (Linux /proc). */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

let board: BoardProcess | undefined;

test(
  `concurrency: ${WRITERS} writer processes x ${STEPS} steps, ${CLIENTS} SSE clients on a live board: every point arrives, p99 flush -> SSE < ${P99_BUDGET_MS} ms`,
  async () => {
    const writerArgs = await childArgs('scalar-writer.ts');
    const { dir, cleanup } = tempDir('board-conc-');
    const logdir = join(dir, 'logs'),
      db = join(dir, 'store.sqlite');
    mkdirSync(logdir);
    const clients: Client[] = [];
    const probeOut = join(dir, 'loop-probe.json');

    try {
      board = await startBoard(['--logdir', logdir, '--db', db], 60_000, await preloadArgs('loop-probe.ts'), {
        BOARD_LOOP_PROBE_OUT: probeOut,
      });
      await board.waitFor('initial scan done');
      await board.waitFor(/pages rendered once/); // Next's cold start is not what this campaign measures
      for (let i = 0; i < CLIENTS; i++) clients.push(await listen(board.url));
      // Baseline in the same run: a writer's "flushed" line reaching this process through a pipe
      // (no file, no ingest, no HTTP): the scheduling delay the machine adds to any hop.
      const pipeLat: number[] = [];
      let ready = 0;
      const writers = Array.from({ length: WRITERS }, (_, i) =>
        runChild([...writerArgs, join(logdir, `run${i}`), String(i), String(STEPS), String(INTERVAL_MS)], (line, at) => {
          const m = /^flushed \d+ (\d+)$/.exec(line);
          if (m) pipeLat.push(Math.max(0, at - Number(m[1])));
          else if (line === 'ready') ready++;
        }),
      );
      // All 20 started (and their empty event files ingested), then all go at once.
      await waitFor(() => ready === WRITERS, 120_000, 'every writer process to start');
      await new Promise((r) => setTimeout(r, 1000));
      const load0 = loadavg();
      const t0 = performance.now();
      const phaseStart = Date.now();
      const boardCpu0 = cpuMsOf(board.proc.pid!),
        selfCpu0 = process.cpuUsage();
      for (const w of writers) w.proc.stdin!.end('go\n');
      const results = (await Promise.all(writers.map((w) => w.done))).map(
        (o) => JSON.parse(o.trim().split('\n').at(-1)!) as { run: number; flushed: number[] },
      );
      const writeSeconds = (performance.now() - t0) / 1000;
      const phaseEnd = Date.now();
      const boardCpuMs = cpuMsOf(board.proc.pid!) - boardCpu0,
        selfCpu = process.cpuUsage(selfCpu0);
      const load1 = loadavg();
      // Every client hears every run's last step (the writers are done: it must come).
      const lastHeard = () =>
        clients.map((c) => results.map((w) => c.heard.get(`run${w.run}`)?.at(-1)?.[0] ?? -1).filter((s) => s < STEPS - 1).length);
      await waitFor(() => lastHeard().every((n) => n === 0), 30_000, 'the last step of every run at every client').catch(
        async (err: Error) => {
          const q = openQueries(db);
          const stored = await Promise.all(
            results.map(async (w) => (await q.scalars([`run${w.run}`], 'loss', { maxPoints: 2 }))[0]?.total ?? 0),
          );
          q.close();
          const c0 = clients[0]!;
          throw new Error(
            `${err.message}: runs short per client ${JSON.stringify(lastHeard())}; ` +
              `client 0 last heard ${JSON.stringify(results.map((w) => c0.heard.get(`run${w.run}`)?.at(-1)?.[0] ?? -1))}; ` +
              `points stored per run ${JSON.stringify(stored)}\n${board!.output().slice(-3000)}`,
          );
        },
      );

      // The store: every step of every run exactly once, with its value; through the API...
      const runs = results.map((w) => `run${w.run}`);
      const api = (await (
        await fetch(`${board.url}/api/scalars?${runs.map((r) => `run=${r}`).join('&')}&tag=loss&maxPoints=${STEPS}`, {
          headers: { 'sec-fetch-site': 'same-origin' },
        })
      ).json()) as { series: Array<{ run: string; steps: number[]; values: number[] }> };
      expect(api.series.map((s) => s.run).sort()).toEqual([...runs].sort());
      for (const s of api.series) {
        const k = Number(s.run.slice(3));
        expect(s.steps, `${s.run}: steps from /api/scalars`).toEqual(Array.from({ length: STEPS }, (_, i) => i));
        expect(s.values, `${s.run}: values from /api/scalars`).toEqual(Array.from({ length: STEPS }, (_, i) => k * 1000 + i));
      }
      // ...and in the store file itself (all points, not a downsample).
      const q = openQueries(db);
      try {
        for (const w of results) {
          const s = (await q.scalars([`run${w.run}`], 'loss', { maxPoints: 1e9 }))[0]!;
          expect(s.total, `run${w.run}: points stored`).toBe(STEPS);
          expect(
            s.points.map((p) => p.step),
            `run${w.run}: steps`,
          ).toEqual(Array.from({ length: STEPS }, (_, k) => k));
          expect(
            s.points.map((p) => p.value),
            `run${w.run}: values`,
          ).toEqual(Array.from({ length: STEPS }, (_, k) => w.run * 1000 + k));
        }
      } finally {
        await (q as { close?: () => Promise<void> | void }).close?.();
      }

      // The clients: nothing dropped, announcements never go back, all clients heard the same.
      expect(clients.filter((c) => c.closedEarly).length, 'streams closed by the server').toBe(0);
      for (const c of clients)
        for (const [run, l] of c.heard)
          for (let k = 1; k < l.length; k++) expect(l[k]![0], `${run}: maxStep went back`).toBeGreaterThanOrEqual(l[k - 1]![0]);
      const counts = new Set(clients.map((c) => c.events));
      expect([...counts], 'every client heard the same number of events').toHaveLength(1);

      // Latency: per client, run and step, flush() -> first announcement of a maxStep >= step.
      const lat: number[] = [];
      for (const c of clients)
        for (const w of results) {
          const ann = c.heard.get(`run${w.run}`) ?? [];
          let j = 0;
          for (let s = 0; s < STEPS; s++) {
            while (j < ann.length && ann[j]![0] < s) j++;
            lat.push(j < ann.length ? Math.max(0, ann[j]![1] - w.flushed[s]!) : Infinity);
          }
        }
      lat.sort((a, b) => a - b);
      // The board's event loop while the writers ran (own work versus waiting for a CPU).
      for (const c of clients) c.stop();
      expect(await board.stop('SIGINT'), board.output().slice(-4000)).toBe(0);
      const loop = readLoopReport(probeOut);
      const figures = {
        writers: WRITERS,
        clients: CLIENTS,
        steps: STEPS,
        points: WRITERS * STEPS,
        flushesPerSecond: Math.round((WRITERS * STEPS) / writeSeconds),
        eventsPerClient: [...counts][0],
        samples: lat.length,
        p50Ms: percentile(lat, 0.5),
        p90Ms: percentile(lat, 0.9),
        p99Ms: percentile(lat, 0.99),
        maxMs: lat.at(-1),
        baselinePipeP50Ms: percentile(
          pipeLat.sort((a, b) => a - b),
          0.5,
        ),
        baselinePipeP99Ms: percentile(pipeLat, 0.99),
        baselinePipeMaxMs: pipeLat.at(-1),
        writeSeconds: Number(writeSeconds.toFixed(1)),
        // Share of the 2 cores the board and this test's 50 clients used while the writers ran.
        boardCpuShare: Number((boardCpuMs / 1000 / writeSeconds).toFixed(2)),
        clientsCpuShare: Number(((selfCpu.user + selfCpu.system) / 1e6 / writeSeconds).toFixed(2)),
        loadBefore: load0.map((x) => Number(x.toFixed(2))),
        loadAfter: load1.map((x) => Number(x.toFixed(2))),
        boardLoop: loop ? loopFigures(loop, phaseStart, phaseEnd) : 'no probe output',
      };
      reportFigures('concurrency', figures);
      const bound = FULL ? P99_BUDGET_MS : Math.max(P99_BUDGET_MS, 2 * figures.baselinePipeP99Ms);
      expect(figures.p99Ms, `p99 flush -> SSE (bound ${bound} ms; pipe baseline p99 ${figures.baselinePipeP99Ms} ms)`).toBeLessThan(bound);
      if (loop) expect(loopFigures(loop, phaseStart, phaseEnd).longestOwnCpuHoldMs, "the board's longest own-CPU hold").toBeLessThan(100);
    } finally {
      for (const c of clients) c.stop();
      await board?.stop('SIGKILL');
      cleanup();
    }
  },
  FULL ? 3_600_000 : 600_000,
);
