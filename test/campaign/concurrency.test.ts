// Concurrency campaign (issue 10): 20 writer processes append to 20 runs (a scalar per step,
// flushed each time) while the board ingests live and 50 clients listen on its live-update
// stream (/api/events, lib/server/sse.ts). Proven: every point arrives (in the store, and every
// client hears each run's last step), and the p99 from a writer's flush to the SSE event that
// announces that step is under 1 s.
// CI: 20 writers x 60 steps. BOARD_CAMPAIGN=full: 20 writers x 400 steps.
import { afterAll, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openQueries } from '../../lib/store/queries.ts';
import { REPO_ROOT } from '../helpers/shared.ts';
import { tempDir, waitFor } from '../ingest/helpers.ts';
import { childArgs, removeBuiltChildren } from './child.ts';
import { campaignSize, reportFigures } from './size.ts';

const WRITERS = 20;
const CLIENTS = 50;
const STEPS = campaignSize(60, 400);
const INTERVAL_MS = 25;
afterAll(removeBuiltChildren);

function run(args: string[], onLine?: (line: string) => void): { proc: ChildProcess; done: Promise<string> } {
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '', partial = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d; partial += d;
    let i;
    while ((i = partial.indexOf('\n')) >= 0) { onLine?.(partial.slice(0, i)); partial = partial.slice(i + 1); }
  });
  proc.stderr!.on('data', (d: Buffer) => { err += d; });
  const done = new Promise<string>((res, rej) => proc.on('exit', (code, signal) => (code === 0 || signal === 'SIGTERM' ? res(out) : rej(new Error(`${args.at(-1)} exited with ${code ?? signal}: ${err}`)))));
  return { proc, done };
}

/** One SSE client: per run, the times at which each new maxStep was announced. */
function listen(port: number, heard: Map<string, Array<[number, number]>>): Promise<() => void> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events', headers: { accept: 'text/event-stream' } }, (resp) => {
      if (resp.statusCode !== 200) { rej(new Error(`/api/events answered ${resp.statusCode}`)); return; }
      resp.setEncoding('utf8');
      let buf = '';
      resp.on('data', (chunk: string) => {
        const now = Date.now();
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i); buf = buf.slice(i + 2);
          for (const line of ev.split('\n')) {
            if (!line.startsWith('data: ')) continue;
            const c = JSON.parse(line.slice(6)) as { type?: string; run?: string; maxStep?: number };
            if (c.type === 'data' && c.run && typeof c.maxStep === 'number') {
              let l = heard.get(c.run);
              if (!l) heard.set(c.run, l = []);
              l.push([c.maxStep, now]);
            }
          }
        }
      });
      res(() => req.destroy());
    });
    req.on('error', rej);
    req.end();
  });
}

test(`${WRITERS} writer processes x ${STEPS} steps, ${CLIENTS} SSE clients: every point arrives, p99 flush -> SSE < 1 s`, async () => {
  const [hostArgs, writerArgs] = [await childArgs('sse-host.ts'), await childArgs('scalar-writer.ts')];
  const { dir, cleanup } = tempDir('board-conc-');
  const logdir = join(dir, 'logs'), db = join(dir, 'store.sqlite');
  mkdirSync(logdir);
  let port = 0;
  const host = run([...hostArgs, logdir, db], (l) => { if (l.startsWith('listening ')) port = Number(l.slice(10)); });
  const stops: Array<() => void> = [];
  try {
    await waitFor(() => port > 0, 60_000, 'the SSE host');
    const clients = Array.from({ length: CLIENTS }, () => new Map<string, Array<[number, number]>>());
    for (const heard of clients) stops.push(await listen(port, heard));
    const t0 = performance.now();
    const writers = Array.from({ length: WRITERS }, (_, i) => run([...writerArgs, join(logdir, `run${i}`), String(i), String(STEPS), String(INTERVAL_MS)]));
    const results = (await Promise.all(writers.map(w => w.done))).map(o => JSON.parse(o.trim().split('\n').at(-1)!) as { run: number; flushed: number[] });
    // Every client hears every run's last step.
    await waitFor(() => clients.every(h => results.every(w => (h.get(`run${w.run}`)?.at(-1)?.[0] ?? -1) >= STEPS - 1)), 30_000, 'the last step of every run on every client');
    // Every point is in the store.
    const q = openQueries(db);
    try {
      for (const w of results) {
        const s = (await q.scalars([`run${w.run}`], 'loss', { maxPoints: 1e9 }))[0]!;
        expect(s.total).toBe(STEPS);
        expect(s.points.map(p => p.value)).toEqual(Array.from({ length: STEPS }, (_, k) => w.run * 1000 + k));
      }
    } finally { (q as { close?: () => void }).close?.(); }
    // Latency: for each flushed step and each client, the first announcement of a maxStep >= it.
    const lat: number[] = [];
    for (const heard of clients) {
      for (const w of results) {
        const ann = heard.get(`run${w.run}`) ?? [];
        let j = 0;
        for (let s = 0; s < STEPS; s++) {
          while (j < ann.length && ann[j]![0] < s) j++;
          lat.push(j < ann.length ? Math.max(0, ann[j]![1] - w.flushed[s]!) : Infinity);
        }
      }
    }
    lat.sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
    const figures = { writers: WRITERS, clients: CLIENTS, steps: STEPS, points: WRITERS * STEPS, samples: lat.length, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: lat.at(-1), seconds: +((performance.now() - t0) / 1000).toFixed(1) };
    reportFigures('concurrency', figures);
    expect(figures.p99Ms).toBeLessThan(1000);
  } finally {
    for (const s of stops) s();
    host.proc.kill('SIGTERM');
    await host.done.catch(() => {});
    cleanup();
  }
}, 600_000);
