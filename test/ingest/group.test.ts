// The initial scan commits the slices of many small files in shared transactions ("groups",
// StoreWriter.beginGroup). These tests pin what must not change with that: each file's offset
// stays with its data, a failed or abandoned group leaves the store as it was, and nothing is
// announced before it is committed.
import { afterEach, expect, test } from 'vitest';
import { join } from 'node:path';
import { startIngest } from '../../lib/ingest/index.ts';
import { openWriterDb } from '../../lib/store/schema.ts';
import { StoreWriter } from '../../lib/store/writer.ts';
import type { StoreChange } from '../../lib/store/types.ts';
import { decodeSlice } from '../../lib/ingest/slice.ts';
import { progressAfter } from '../../lib/ingest/run-loader.ts';
import { RunNormalizer } from '../../lib/tfevents/index.ts';
import { scalarRecords, tempDir, writeEvents } from './helpers.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function logdir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

/** A sweep: `runs` runs of `tags` tags x `steps` steps, one small file each. */
function sweep(dir: string, runs: number, tags: number, steps: number): void {
  const names = Array.from({ length: tags }, (_, t) => `m${t}`);
  for (let r = 0; r < runs; r++)
    writeEvents(
      join(dir, `run_${r}`, 'events.out.tfevents.1.h'),
      scalarRecords(0, steps, names, (t, s) => r * 1e6 + t * 1000 + s),
    );
}

test('a sweep ingested in groups stores every point exactly once, across group boundaries and a restart', async () => {
  const dir = logdir();
  sweep(dir, 60, 5, 30);
  const db = join(logdir(), 'store.sqlite');
  // Tiny groups (sliceBytes also bounds a group) so the scan crosses many group commits.
  let ing = await startIngest({ logdir: dir, db, watch: false, sliceBytes: 4096, decodeWorker: false });
  await ing.initialScan;
  const count = async () => (await ing.queries.listTags()).reduce((a, t) => a + t.count, 0);
  expect(await count()).toBe(60 * 5 * 30);
  const pts = (await ing.queries.scalars(['run_7'], 'm3', { maxPoints: 1e9 }))[0]!.points;
  expect(pts.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, s) => s));
  expect(pts[4]!.value).toBe(7e6 + 3000 + 4);
  await ing.close();
  ing = await startIngest({ logdir: dir, db, watch: false, decodeWorker: false });
  await ing.initialScan;
  expect(await count()).toBe(60 * 5 * 30);
  await ing.close();
});

test('a group that is never committed (a kill) leaves no data and no offsets; the next scan reads everything once', () => {
  const dir = logdir();
  sweep(dir, 3, 2, 10);
  const dbPath = join(logdir(), 'store.sqlite');
  const w = new StoreWriter(openWriterDb(dbPath));
  const changes: StoreChange[] = [];
  w.onChange((c) => changes.push(c));
  w.beginGroup();
  for (let r = 0; r < 3; r++) {
    const path = join(dir, `run_${r}`, 'events.out.tfevents.1.h');
    const rec = w.ensureFile(`run_${r}`, path, `run_${r}/events.out.tfevents.1.h`);
    const bytes = scalarRecords(0, 10, ['m0', 'm1']);
    const sl = decodeSlice(bytes, 0, rec.rel, new RunNormalizer(), { size: bytes.length, mtimeMs: 1, ino: 1 });
    w.begin();
    w.addSlice(rec, sl);
    w.commit(rec, progressAfter(rec, sl));
    expect(rec.offset).toBe(bytes.length);
  }
  // Nothing is announced before the group commits.
  expect(changes).toEqual([]);
  w.db.close(); // as a kill: the open transaction is discarded
  const w2 = new StoreWriter(openWriterDb(dbPath));
  expect(w2.allFiles()).toEqual([]);
  expect(w2.db.prepare('SELECT count(*) c FROM scalar_chunks').get()).toEqual({ c: 0 });
  expect(w2.db.prepare('SELECT count(*) c FROM tags').get()).toEqual({ c: 0 });
  w2.db.close();
});

test('rollback of a group restores every file record it advanced, and endGroup announces the changes', () => {
  const dir = logdir();
  const dbPath = join(logdir(), 'store.sqlite');
  const w = new StoreWriter(openWriterDb(dbPath));
  cleanups.push(() => {
    w.db.close();
  });
  const changes: StoreChange[] = [];
  w.onChange((c) => changes.push(c));
  const bytes = scalarRecords(0, 5, ['a']);
  const slice = (rel: string, from: number) =>
    decodeSlice(bytes, from, rel, new RunNormalizer(), { size: from + bytes.length, mtimeMs: 1, ino: 1 });
  // Commit one file normally first.
  const a = w.ensureFile('ra', join(dir, 'a'), 'a');
  w.begin();
  w.addSlice(a, slice('a', 0));
  w.commit(a, progressAfter(a, slice('a', 0)));
  const aOffset = a.offset;
  changes.length = 0;
  w.beginGroup();
  w.begin();
  const s2 = slice('a', aOffset);
  w.addSlice(a, s2);
  w.commit(a, progressAfter(a, s2));
  const b = w.ensureFile('rb', join(dir, 'b'), 'b');
  w.begin();
  w.addSlice(b, slice('b', 0));
  w.commit(b, progressAfter(b, slice('b', 0)));
  expect(a.offset).toBe(2 * aOffset);
  w.rollback();
  expect(a.offset).toBe(aOffset);
  expect(a.events).toBe(5);
  expect(changes.filter((c) => c.type === 'data')).toEqual([]);
  expect(w.db.prepare('SELECT sum(n) n FROM scalar_chunks').get()).toEqual({ n: 5 });
  expect(w.db.prepare('SELECT count(*) c FROM files').get()).toEqual({ c: 1 });
  // The same again, committed: the changes arrive at endGroup, and the points are all there.
  const a2 = w.getFile(join(dir, 'a'))!;
  w.beginGroup();
  w.begin();
  const s3 = slice('a', a2.offset);
  w.addSlice(a2, s3);
  w.commit(a2, progressAfter(a2, s3));
  expect(changes.filter((c) => c.type === 'data')).toEqual([]);
  w.endGroup();
  expect(changes.filter((c) => c.type === 'data').map((c) => (c as { run: string }).run)).toEqual(['ra']);
  expect(w.db.prepare('SELECT sum(n) n FROM scalar_chunks').get()).toEqual({ n: 10 });
  expect(w.db.prepare('SELECT count, min_step, max_step FROM tags').get()).toEqual({ count: 10, min_step: 0, max_step: 4 });
});
