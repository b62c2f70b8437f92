// A team setup with real processes on a real PostgreSQL server: two `board ingest` processes (one
// logdir each) and two stateless `board serve --db URL --no_ingest` web servers. Both servers give
// identical answers, and a point flushed to either logdir reaches an SSE client of either server.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { startBoard, runBoard, type BoardProcess } from './helpers/board-process.ts';
import { pgUnavailable, startTestPg, type TestPg } from '../helpers/pg-server.ts';
import { appendEvents, fileVersionRecord, scalarRecords, tempDir, writeEvents } from '../ingest/helpers.ts';

const BIN = resolve(import.meta.dirname, '../../bin/board.js');
const why = pgUnavailable();
if (why) console.log(`skipping the team (PostgreSQL) e2e test: ${why}`);

/** `board ingest ...` as a child process, resolved once its initial scan is done. */
function startIngester(args: string[]): Promise<{ proc: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, [BIN, 'ingest', ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => {
    out += d;
  });
  proc.stderr!.on('data', (d) => {
    out += d;
  });
  const stop = async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      /* gone */
    }
    await exited;
  };
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      void stop();
      rej(new Error(`ingester did not finish its scan:\n${out}`));
    }, 60_000);
    const check = () => {
      if (out.includes('initial scan done')) {
        clearTimeout(timer);
        res({ proc, output: () => out, stop });
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`ingester exited (${code}):\n${out}`));
    });
  });
}

/** An SSE client of /api/events: collects the data lines it receives, with arrival times. */
async function sse(base: string) {
  const ctrl = new AbortController();
  const res = await fetch(`${base}/api/events`, { signal: ctrl.signal });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events: Array<{ at: number; data: Record<string, unknown> }> = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of block.split('\n'))
            if (line.startsWith('data: ')) {
              try {
                events.push({ at: performance.now(), data: JSON.parse(line.slice(6)) });
              } catch {
                /* not JSON */
              }
            }
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return { events, close: () => ctrl.abort() };
}

describe.skipIf(why !== null)('team setup: 2 ingesters + 2 web servers on one PostgreSQL database', () => {
  let pg: TestPg;
  const stops: Array<() => Promise<unknown>> = [];
  const tmp = tempDir('board-team-');
  beforeAll(async () => {
    pg = await startTestPg();
  }, 120_000);
  afterAll(async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    await pg?.stop();
    tmp.cleanup();
  });

  test('identical answers from both servers; SSE from either sees points flushed to either logdir within 1 s', async () => {
    const dirA = join(tmp.dir, 'team-a'),
      dirB = join(tmp.dir, 'team-b');
    const fileA = join(dirA, 'alice/events.out.tfevents.1'),
      fileB = join(dirB, 'bob/events.out.tfevents.1');
    writeEvents(fileA, fileVersionRecord(), scalarRecords(0, 3000, ['loss', 'acc']));
    writeEvents(fileB, fileVersionRecord(), scalarRecords(0, 1500, ['loss']));
    const url = pg.url;
    const [ia, ib] = await Promise.all([startIngester(['--logdir', dirA, '--db', url]), startIngester(['--logdir', dirB, '--db', url])]);
    stops.push(ia.stop, ib.stop);
    const servers: BoardProcess[] = await Promise.all([startBoard(['--db', url, '--no_ingest']), startBoard(['--db', url, '--no-ingest'])]);
    for (const s of servers) stops.push(() => s.stop());

    const ask = async (path: string) =>
      Promise.all(
        servers.map(async (s) => {
          const r = await fetch(`${s.url}${path}`);
          expect(r.status).toBe(200);
          return r.text();
        }),
      );
    for (const path of [
      '/api/runs',
      '/api/tags',
      '/api/scalars?run=alice&run=bob&tag=loss&maxPoints=100',
      '/api/scalars?run=alice&tag=acc&maxPoints=100000',
      '/api/export?format=csv',
      '/api/warnings',
    ]) {
      const [a, b] = await ask(path);
      expect(a, path).toBe(b);
    }
    const runs = JSON.parse((await ask('/api/runs'))[0]!).runs.map((r: { name: string }) => r.name);
    expect(runs).toEqual(['alice', 'bob']);
    const series = JSON.parse((await ask('/api/scalars?run=alice&run=bob&tag=loss&maxPoints=100000'))[0]!).series;
    expect(series.map((s: { run: string; total: number }) => [s.run, s.total])).toEqual([
      ['alice', 3000],
      ['bob', 1500],
    ]);
    const csv = (await ask('/api/export?format=csv'))[0]!;
    expect(csv.trim().split('\n').length).toBe(1 + 3000 * 2 + 1500);

    // Live: SSE clients on both servers; a flush to each logdir reaches both within 1 s.
    const clients = await Promise.all(servers.map((s) => sse(s.url)));
    try {
      await new Promise((r) => setTimeout(r, 200));
      for (const [file, run, from] of [
        [fileA, 'alice', 3000],
        [fileB, 'bob', 1500],
      ] as const) {
        const t0 = performance.now();
        appendEvents(file, scalarRecords(from, from + 10, ['loss']));
        const want = from + 9;
        const arrival = await Promise.all(
          clients.map(async (c) => {
            const deadline = t0 + 5000;
            for (;;) {
              const hit = c.events.find((e) => e.data.run === run && e.data.tag === 'loss' && e.data.maxStep === want);
              if (hit) return hit.at - t0;
              if (performance.now() > deadline) throw new Error(`no SSE event for ${run}@${want}: ${JSON.stringify(c.events.slice(-5))}`);
              await new Promise((r) => setTimeout(r, 10));
            }
          }),
        );
        console.log(`flush -> SSE on both servers (${run}): ${arrival.map((ms) => ms.toFixed(0)).join(' ms, ')} ms`);
        for (const ms of arrival) expect(ms).toBeLessThan(1000);
      }
    } finally {
      for (const c of clients) c.close();
    }
    const [a, b] = await ask('/api/tags');
    expect(a).toBe(b);
    expect(JSON.parse(a!).tags.find((t: { run: string; tag: string }) => t.run === 'bob' && t.tag === 'loss').count).toBe(1510);

    // export --db without a logdir prints what the store holds.
    const exp = await runBoard(['export', '--db', url, '--runs', '^bob$', '--format', 'csv']);
    expect(exp.code).toBe(0);
    expect(exp.stdout.trim().split('\n').length).toBe(1 + 1510);
  }, 180_000);
});
