// Live ingest with the chokidar watcher (and the polling fallback) over real temp directories.
import { afterEach, expect, test } from 'vitest';
import { closeSync, openSync, renameSync, rmSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startIngest, type Ingester } from '../../lib/ingest/index.ts';
import { SummaryWriter } from '../../lib/tfevents/writer.ts';
import type { StoreChange } from '../../lib/store/types.ts';
import { appendEvents, fileVersionRecord, scalarRecord, scalarRecords, tempDir, waitFor, writeEvents } from './helpers.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function live(dir: string, extra: Parameters<typeof startIngest>[0] = {}): Promise<Ingester> {
  const ing = await startIngest({ logdir: dir, db: ':memory:', watch: true, ...extra });
  cleanups.push(() => ing.close());
  await ing.initialScan;
  return ing;
}

async function count(ing: Ingester, run: string, tag: string): Promise<number> {
  return (await ing.queries.scalars([run], tag, { maxPoints: 1e9 }))[0]?.total ?? 0;
}

function logdir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

test('appended records reach the store within 200 ms of the flush (watcher events, no slow poll)', async () => {
  const dir = logdir();
  const file = join(dir, 'run/events.out.tfevents.1');
  writeEvents(file, fileVersionRecord(), scalarRecords(0, 10, ['loss']));
  const ing = await live(dir);
  const changes: StoreChange[] = [];
  ing.onChange((c) => changes.push(c));
  expect(await count(ing, 'run', 'loss')).toBe(10);
  const delays: number[] = [];
  for (let round = 1; round <= 5; round++) {
    appendEvents(file, scalarRecords(round * 10, round * 10 + 10, ['loss']));
    delays.push(await waitFor(async () => (await count(ing, 'run', 'loss')) === round * 10 + 10, 2000, `round ${round}`));
  }
  expect(Math.max(...delays)).toBeLessThan(200);
  expect(changes.at(-1)).toEqual({ type: 'data', run: 'run', tag: 'loss', kind: 'scalar', maxStep: 59 });
});

test('our SummaryWriter: each flush is in the store within 200 ms', async () => {
  const dir = logdir();
  const writer = new SummaryWriter(join(dir, 'train'), { flushSecs: 0, maxQueue: 1000 });
  cleanups.push(() => writer.close());
  const ing = await live(dir);
  const delays: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (let s = 0; s < 20; s++) writer.addScalar('loss', 1 / (round * 20 + s + 1), round * 20 + s);
    writer.flush();
    delays.push(await waitFor(async () => (await count(ing, 'train', 'loss')) === (round + 1) * 20, 2000, `flush ${round}`));
  }
  expect(Math.max(...delays)).toBeLessThan(200);
});

test('a new run appearing, a file truncated and replaced, a run deleted: all seen live', async () => {
  const dir = logdir();
  writeEvents(join(dir, 'a/events.out.tfevents.1'), scalarRecords(0, 20, ['t']));
  const ing = await live(dir);
  const iter = ing.changes()[Symbol.asyncIterator]();
  // New run (new directory + file).
  writeEvents(join(dir, 'b/nested/events.out.tfevents.1'), scalarRecords(0, 5, ['t']));
  await waitFor(async () => (await count(ing, 'b/nested', 't')) === 5, 3000, 'new run');
  expect((await iter.next()).value).toEqual({ type: 'run-added', run: 'b/nested' });
  // Truncation: re-read from the start.
  truncateSync(join(dir, 'a/events.out.tfevents.1'), scalarRecords(0, 4, ['t']).length);
  await waitFor(async () => (await count(ing, 'a', 't')) === 4, 3000, 'truncation');
  // Replacement by rename (new inode).
  writeEvents(join(dir, 'a/tmp'), scalarRecords(50, 57, ['t']));
  renameSync(join(dir, 'a/tmp'), join(dir, 'a/events.out.tfevents.1'));
  await waitFor(async () => (await count(ing, 'a', 't')) === 7, 3000, 'replacement');
  expect((await ing.queries.scalars(['a'], 't'))[0]!.points[0]!.step).toBe(50);
  // A deleted file, then a deleted run directory.
  unlinkSync(join(dir, 'a/events.out.tfevents.1'));
  await waitFor(async () => !(await ing.queries.listRuns()).some((r) => r.name === 'a'), 3000, 'file deletion');
  rmSync(join(dir, 'b'), { recursive: true });
  await waitFor(async () => (await ing.queries.listRuns()).length === 0, 3000, 'run deletion');
});

test('polling fallback picks up appends and new runs without filesystem events', async () => {
  const dir = logdir();
  const file = join(dir, 'run/events.out.tfevents.1');
  writeEvents(file, scalarRecords(0, 3, ['t']));
  const ing = await live(dir, { pollIntervalMs: 50 });
  appendEvents(file, scalarRecords(3, 6, ['t']));
  await waitFor(async () => (await count(ing, 'run', 't')) === 6, 3000, 'polled append');
  writeEvents(join(dir, 'other/events.out.tfevents.1'), scalarRecords(0, 2, ['t']));
  await waitFor(async () => (await count(ing, 'other', 't')) === 2, 3000, 'polled new run');
});

test('concurrent writers while ingesting: every record exactly once', async () => {
  const dir = logdir();
  const writers = 4,
    perWriter = 400;
  const paths = Array.from({ length: writers }, (_, i) => join(dir, `w${i}/events.out.tfevents.${i}`));
  for (const p of paths) writeEvents(p, fileVersionRecord());
  const ing = await live(dir);
  const fds = paths.map((p) => openSync(p, 'a'));
  try {
    // Interleaved small flushes, some splitting a record in two writes (a reader may see half).
    for (let s = 0; s < perWriter; s++) {
      for (let w = 0; w < writers; w++) {
        const rec = scalarRecord(s, { x: s, y: -s });
        if (s % 7 === 3) {
          writeSync(fds[w]!, rec, 0, 9);
          writeSync(fds[w]!, rec, 9);
        } else writeSync(fds[w]!, rec);
      }
      if (s % 50 === 0) await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    fds.forEach((fd) => closeSync(fd));
  }
  await waitFor(
    async () => (await Promise.all(paths.map((_, w) => count(ing, `w${w}`, 'y')))).every((n) => n === perWriter),
    5000,
    'all records',
  );
  for (let w = 0; w < writers; w++) {
    const pts = (await ing.queries.scalars([`w${w}`], 'x', { maxPoints: 1e9 }))[0]!.points;
    expect(pts.map((p) => p.step)).toEqual(Array.from({ length: perWriter }, (_, i) => i));
  }
  expect(await ing.queries.warnings()).toEqual([]);
});

test('the change feed iterator ends when the ingester closes', async () => {
  const dir = logdir();
  writeEvents(join(dir, 'r/events.out.tfevents.1'), scalarRecord(1, { t: 1 }));
  const ing = await startIngest({ logdir: dir, db: ':memory:', watch: true });
  await ing.initialScan;
  const it = ing.changes()[Symbol.asyncIterator]();
  const pending = it.next();
  await ing.close();
  expect(await pending).toEqual({ value: undefined, done: true });
});

// chokidar emits at most one 'change' per path per 50 ms and drops (does not defer) the rest; the
// ingester looks again 60 ms after an event. That look must come after the *last* event's window:
// an event that arrived while an earlier look was still pending (here: the second write, ~55 ms
// after the first) opened a new window, and a write inside it (the third) used to wait for a
// write that never came.
test('a write inside the throttle window of an event that came while a re-check was pending is still read', async () => {
  const dir = logdir();
  const files = Array.from({ length: 16 }, (_, i) => join(dir, `r${i}/events.out.tfevents.1`));
  for (const f of files) writeEvents(f, fileVersionRecord(), scalarRecord(0, { t: 0 }));
  const ing = await live(dir);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // Each file: a write, a second one 51..58 ms later, a third 20 ms after that; then silence.
  await Promise.all(
    files.map(async (f, i) => {
      await sleep(i * 7);
      appendEvents(f, scalarRecord(1, { t: 1 }));
      await sleep(51 + (i % 8));
      appendEvents(f, scalarRecord(2, { t: 2 }));
      await sleep(20);
      appendEvents(f, scalarRecord(3, { t: 3 }));
    }),
  );
  const counts = async () => Promise.all(files.map((_, i) => count(ing, `r${i}`, 't')));
  await waitFor(async () => (await counts()).every((n) => n === 4), 3000, 'every write of every file').catch(async (err: Error) => {
    throw new Error(`${err.message}: points per file ${JSON.stringify(await counts())}`);
  });
});
