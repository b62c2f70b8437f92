// Ingest over real temporary log directories, without a watcher (sync() reads what is new).
import { collectRows } from '../helpers/rows.ts';
import { afterEach, expect, test, vi } from 'vitest';
import {
  chmodSync,
  existsSync,
  readdirSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
  readFileSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { startIngest, defaultDbPath, StoreLockedError, type Ingester } from '../../lib/ingest/index.ts';
import { parseLogdirSpec, TRASH_DIR } from '../../lib/discovery/index.ts';
import {
  appendEvents,
  concat,
  fileVersionRecord,
  scalarRecord,
  scalarRecords,
  tempDir,
  tensorScalarRecord,
  writeEvents,
} from './helpers.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function logdir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

async function ingest(opts: Parameters<typeof startIngest>[0]): Promise<Ingester> {
  const ing = await startIngest({ watch: false, ...opts });
  cleanups.push(() => ing.close());
  await ing.initialScan;
  return ing;
}

async function points(ing: Ingester, run: string, tag: string): Promise<number[]> {
  return (await ing.queries.scalars([run], tag, { maxPoints: 1e9 }))[0]?.points.map((p) => p.step) ?? [];
}

test('runs are directories with event files, named by relative path (spaces, colon, non-ASCII)', async () => {
  const dir = logdir();
  writeEvents(join(dir, 'events.out.tfevents.1.root'), fileVersionRecord(), scalarRecord(1, { a: 1 }));
  writeEvents(join(dir, 'sin and cos/cos/events.out.tfevents.1.h'), scalarRecord(0, { v: 1 }));
  writeEvents(join(dir, 'lr:0.1/events.out.tfevents.1.h'), scalarRecord(0, { v: 2 }));
  writeEvents(join(dir, 'モデル/événement/events.out.tfevents.1.h'), scalarRecord(0, { v: 3 }));
  writeEvents(join(dir, 'not-a-run/checkpoint.pt'), new Uint8Array([1, 2, 3]));
  writeEvents(join(dir, TRASH_DIR, 'old/events.out.tfevents.1.h'), scalarRecord(0, { v: 4 }));
  const ing = await ingest({ logdir: dir, db: ':memory:' });
  expect((await ing.queries.listRuns()).map((r) => r.name)).toEqual(['.', 'lr:0.1', 'sin and cos/cos', 'モデル/événement']);
  expect(await points(ing, 'モデル/événement', 'v')).toEqual([0]);
});

test('files of a run are read in name order; a single event file works as --logdir', async () => {
  const dir = logdir();
  writeEvents(join(dir, 'run/events.out.tfevents.2.b'), scalarRecord(10, { t: 2 }));
  writeEvents(join(dir, 'run/events.out.tfevents.1.a'), scalarRecord(5, { t: 1 }));
  const ing = await ingest({ logdir: dir, db: ':memory:' });
  expect((await collectRows(ing.queries.exportScalars({}))).map((r) => [r.step, r.value])).toEqual([
    [5, 1],
    [10, 2],
  ]);
  const single = await ingest({ logdir: join(dir, 'run/events.out.tfevents.1.a'), db: ':memory:' });
  expect((await single.queries.listRuns()).map((r) => r.name)).toEqual(['.']);
  expect(await points(single, '.', 't')).toEqual([5]);
});

test('--logdir_spec names runs name/relpath', async () => {
  const a = logdir(),
    b = logdir();
  writeEvents(join(a, 'x/events.out.tfevents.1'), scalarRecord(1, { t: 1 }));
  writeEvents(join(b, 'events.out.tfevents.1'), scalarRecord(2, { t: 2 }));
  expect(parseLogdirSpec(`A:${a},B:${b}`)).toEqual([
    { name: 'A', path: a },
    { name: 'B', path: b },
  ]);
  expect(() => parseLogdirSpec('A:/x,A:/y')).toThrow(/used twice/);
  const ing = await ingest({ logdirSpec: `A:${a},B:${b}`, db: ':memory:' });
  expect((await ing.queries.listRuns()).map((r) => r.name)).toEqual(['A/x', 'B']);
});

test('default database: a cache file keyed by the absolute logdir, outside the logdir', async () => {
  const prev = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = '/tmp/cache-test';
  try {
    const p = defaultDbPath('/data/logs');
    expect(p.startsWith('/tmp/cache-test/board/logs-')).toBe(true);
    expect(p).not.toBe(defaultDbPath('/other/logs'));
    expect(defaultDbPath('/data/logs')).toBe(p);
  } finally {
    if (prev === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = prev;
  }
});

test('incremental: appended records are read once; an unchanged logdir reads nothing on restart', async () => {
  const dir = logdir();
  const db = join(logdir(), 'store.sqlite');
  const file = join(dir, 'run/events.out.tfevents.1');
  writeEvents(file, fileVersionRecord(), scalarRecords(0, 100, ['a', 'b']));
  let ing = await ingest({ logdir: dir, db });
  appendEvents(file, scalarRecords(100, 150, ['a', 'b']));
  await ing.sync();
  await ing.sync();
  expect(await points(ing, 'run', 'a')).toEqual(Array.from({ length: 150 }, (_, i) => i));
  await ing.close();
  // Restart over the unchanged logdir: nothing is read again (no change emitted, same counts).
  ing = await startIngest({ logdir: dir, db, watch: false });
  cleanups.push(() => ing.close());
  const seen: unknown[] = [];
  ing.onChange((c) => seen.push(c));
  await ing.initialScan;
  expect(seen).toEqual([]);
  expect((await ing.queries.listTags('run')).map((t) => t.count)).toEqual([150, 150]);
  // Append after restart: continues the stored partial chunk without duplicates.
  appendEvents(file, scalarRecords(150, 160, ['a', 'b']));
  await ing.sync();
  expect(await points(ing, 'run', 'b')).toEqual(Array.from({ length: 160 }, (_, i) => i));
});

test('stopped between two slices of a file, a restart reads the rest even though the file did not change', async () => {
  const dir = logdir();
  const db = join(logdir(), 'store.sqlite');
  writeEvents(join(dir, 'run/events.out.tfevents.1'), scalarRecords(0, 2000, ['t']));
  const first = await startIngest({ logdir: dir, db, watch: false, sliceBytes: 4096 });
  let closing: Promise<void> | null = null;
  first.onChange((c) => {
    if (c.type === 'data') closing ??= first.close();
  });
  await first.initialScan.catch(() => {});
  // `closing` is assigned in the callback above; TypeScript's narrowing only sees the null.
  await (closing as Promise<void> | null);
  const second = await ingest({ logdir: dir, db });
  expect(await points(second, 'run', 't')).toEqual(Array.from({ length: 2000 }, (_, i) => i));
});

test('a truncated tail waits for the rest of the record', async () => {
  const dir = logdir();
  const file = join(dir, 'run/events.out.tfevents.1');
  const rec = scalarRecord(7, { t: 7 });
  writeEvents(file, scalarRecords(0, 3, ['t']), rec.subarray(0, 10));
  const ing = await ingest({ logdir: dir, db: ':memory:' });
  expect(await points(ing, 'run', 't')).toEqual([0, 1, 2]);
  appendEvents(file, rec.subarray(10, rec.length - 1));
  await ing.sync();
  expect(await points(ing, 'run', 't')).toEqual([0, 1, 2]);
  appendEvents(file, rec.subarray(rec.length - 1));
  await ing.sync();
  expect(await points(ing, 'run', 't')).toEqual([0, 1, 2, 7]);
  expect(await ing.queries.warnings()).toEqual([]);
});

test('corrupt records mid-file are skipped, counted and kept as warnings with file and offset', async () => {
  const dir = logdir();
  const file = join(dir, 'run/events.out.tfevents.1');
  const good = scalarRecords(0, 5, ['t']);
  const badData = scalarRecord(5, { t: 5 }).slice();
  badData[badData.length - 6]! ^= 0xff; // payload byte flipped: data CRC fails
  const badLen = scalarRecord(6, { t: 6 }).slice();
  badLen[8]! ^= 0xff; // length CRC fails
  const tail = scalarRecords(7, 10, ['t']);
  writeEvents(file, good, badData, badLen, tail);
  const ing = await ingest({ logdir: dir, db: ':memory:' });
  expect(await points(ing, 'run', 't')).toEqual([0, 1, 2, 3, 4, 7, 8, 9]);
  const w = await ing.queries.warnings();
  expect(w.map((x) => [x.run, x.file, x.offset, x.reason])).toEqual([
    ['run', 'run/events.out.tfevents.1', good.length, 'data-crc'],
    ['run', 'run/events.out.tfevents.1', good.length + badData.length, 'length-crc'],
  ]);
  expect((await ing.queries.listRuns())[0]!.warningCount).toBe(2);
});

test('a truncated file is re-read from the start without duplicates', async () => {
  const dir = logdir();
  const file = join(dir, 'run/events.out.tfevents.1');
  writeEvents(file, scalarRecords(0, 50, ['t']));
  const ing = await ingest({ logdir: dir, db: ':memory:' });
  const firstTen = scalarRecords(0, 10, ['t']).length;
  truncateSync(file, firstTen);
  await ing.sync();
  expect(await points(ing, 'run', 't')).toEqual(Array.from({ length: 10 }, (_, i) => i));
  appendEvents(file, scalarRecords(10, 20, ['t']));
  await ing.sync();
  expect(await points(ing, 'run', 't')).toEqual(Array.from({ length: 20 }, (_, i) => i));
});

test('a replaced file (new inode, or rewritten in place with other bytes) is re-read without duplicates', async () => {
  const dir = logdir();
  const file = join(dir, 'run/events.out.tfevents.1');
  writeEvents(file, scalarRecords(0, 30, ['t']));
  const ing = await ingest({ logdir: dir, db: ':memory:' });
  // Atomic replace: write elsewhere, rename over (new inode, larger).
  writeEvents(file + '.tmp', scalarRecords(100, 140, ['t']));
  renameSync(file + '.tmp', file);
  await ing.sync();
  expect(await points(ing, 'run', 't')).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i));
  // In place, same inode, same size or larger, different first bytes.
  const ino = statSync(file).ino;
  writeFileSync(file, scalarRecords(200, 245, ['t']));
  expect(statSync(file).ino).toBe(ino);
  await ing.sync();
  expect(await points(ing, 'run', 't')).toEqual(Array.from({ length: 45 }, (_, i) => 200 + i));
  expect((await ing.queries.listTags('run'))[0]).toMatchObject({ count: 45, minStep: 200, maxStep: 244 });
});

test('deleted files and runs leave the store', async () => {
  const dir = logdir();
  writeEvents(join(dir, 'a/events.out.tfevents.1'), scalarRecords(0, 5, ['t']));
  writeEvents(join(dir, 'a/events.out.tfevents.2'), scalarRecords(5, 10, ['t']));
  writeEvents(join(dir, 'b/events.out.tfevents.1'), scalarRecords(0, 5, ['t']));
  const ing = await ingest({ logdir: dir, db: ':memory:' });
  unlinkSync(join(dir, 'a/events.out.tfevents.2'));
  await ing.sync();
  expect(await points(ing, 'a', 't')).toEqual([0, 1, 2, 3, 4]);
  rmSync(join(dir, 'b'), { recursive: true });
  await ing.sync();
  expect((await ing.queries.listRuns()).map((r) => r.name)).toEqual(['a']);
});

test('TF2 tensor scalars are scalars', async () => {
  const dir = logdir();
  writeEvents(
    join(dir, 'run/events.out.tfevents.1.v2'),
    tensorScalarRecord(1, 'epoch_loss', 0.5),
    tensorScalarRecord(2, 'epoch_loss', 0.25),
  );
  const ing = await ingest({ logdir: dir, db: ':memory:' });
  expect(await ing.queries.listTags()).toMatchObject([{ tag: 'epoch_loss', kind: 'scalar', plugin: 'scalars', count: 2 }]);
  expect((await collectRows(ing.queries.exportScalars({}))).map((r) => r.value)).toEqual([0.5, 0.25]);
});

test('a TF2 tag whose plugin metadata came only with its first value stays a scalar after a restart', async () => {
  const dir = logdir();
  const db = join(logdir(), 'store.sqlite');
  const file = join(dir, 'run/events.out.tfevents.1.v2');
  writeEvents(file, tensorScalarRecord(1, 'loss', 0.5), tensorScalarRecord(2, 'loss', 0.4, undefined, false));
  let ing = await ingest({ logdir: dir, db });
  expect(await ing.queries.listTags('run')).toMatchObject([{ tag: 'loss', kind: 'scalar', count: 2 }]);
  await ing.close();
  appendEvents(file, tensorScalarRecord(3, 'loss', 0.25, undefined, false));
  ing = await ingest({ logdir: dir, db });
  expect(await ing.queries.listTags('run')).toMatchObject([{ tag: 'loss', kind: 'scalar', plugin: 'scalars', count: 3 }]);
});

test('deleteRun without trash: gone from the store, files stay and are not re-ingested; new files are', async () => {
  const dir = logdir();
  writeEvents(join(dir, 'a/events.out.tfevents.1'), scalarRecords(0, 5, ['t']));
  writeEvents(join(dir, 'b/events.out.tfevents.1'), scalarRecords(0, 5, ['t']));
  const ing = await ingest({ logdir: dir, db: ':memory:' });
  await ing.deleteRun('a');
  expect(existsSync(join(dir, 'a/events.out.tfevents.1'))).toBe(true);
  await ing.sync();
  expect((await ing.queries.listRuns()).map((r) => r.name)).toEqual(['b']);
  writeEvents(join(dir, 'a/events.out.tfevents.2'), scalarRecords(10, 12, ['t']));
  await ing.sync();
  expect(await points(ing, 'a', 't')).toEqual([10, 11]);
  await expect(ing.deleteRun('nope')).rejects.toThrow(/no run named "nope"/);
});

test('deleteRun with trash moves the run directory under .board-trash (nested runs stay)', async () => {
  const dir = logdir();
  writeEvents(join(dir, 'exp/events.out.tfevents.1'), scalarRecords(0, 5, ['t']));
  writeEvents(join(dir, 'exp/checkpoint.pt'), new Uint8Array([1]));
  writeEvents(join(dir, 'exp/sub/events.out.tfevents.1'), scalarRecords(0, 5, ['t']));
  writeEvents(join(dir, 'solo/events.out.tfevents.1'), scalarRecords(0, 5, ['t']));
  const ing = await ingest({ logdir: dir, db: ':memory:' });
  await ing.deleteRun('solo', { trash: true });
  await ing.deleteRun('exp', { trash: true });
  expect(existsSync(join(dir, 'solo'))).toBe(false);
  expect(existsSync(join(dir, 'exp/events.out.tfevents.1'))).toBe(false);
  expect(existsSync(join(dir, 'exp/checkpoint.pt'))).toBe(true); // a directory with a nested run: only the run's files move
  expect(existsSync(join(dir, 'exp/sub/events.out.tfevents.1'))).toBe(true);
  const trash = readdirSync(join(dir, TRASH_DIR));
  expect(trash.length).toBeGreaterThanOrEqual(1);
  await ing.sync();
  expect((await ing.queries.listRuns()).map((r) => r.name)).toEqual(['exp/sub']);
});

test('the corrupt-free byte stream matches what was written (wall times, values)', async () => {
  const dir = logdir();
  const file = join(dir, 'r/events.out.tfevents.1');
  writeEvents(file, concat(scalarRecord(3, { x: 0.1 }, 1234.5), scalarRecord(4, { x: -2 }, 1235.25)));
  const ing = await ingest({ logdir: dir, db: ':memory:' });
  expect(await collectRows(ing.queries.exportScalars({}))).toEqual([
    { run: 'r', tag: 'x', step: 3, wallTime: 1234.5, value: Math.fround(0.1) },
    { run: 'r', tag: 'x', step: 4, wallTime: 1235.25, value: -2 },
  ]);
  expect(readFileSync(file).length).toBeGreaterThan(0);
});

test('decoding in a worker thread stores exactly what in-process decoding stores', async () => {
  const dir = logdir();
  const badData = scalarRecord(5, { t: 5 }).slice();
  badData[badData.length - 6]! ^= 0xff;
  writeEvents(
    join(dir, 'a/events.out.tfevents.1'),
    fileVersionRecord(),
    scalarRecords(0, 5, ['t', 'u']),
    badData,
    scalarRecords(6, 3000, ['t', 'u']),
  );
  writeEvents(join(dir, 'a/events.out.tfevents.2'), scalarRecords(3000, 3100, ['t']));
  writeEvents(
    join(dir, 'b/events.out.tfevents.1.v2'),
    tensorScalarRecord(1, 'loss', 0.5),
    tensorScalarRecord(2, 'loss', 0.25, undefined, false),
  );
  const snapshot = async (ing: Ingester) => ({
    tags: await ing.queries.listTags(),
    rows: await collectRows(ing.queries.exportScalars({})),
    warnings: (await ing.queries.warnings()).map((w) => [w.file, w.offset, w.reason]),
  });
  // Small slices: many slices per file cross the worker boundary.
  const inProcess = await ingest({ logdir: dir, db: ':memory:', decodeWorker: false, sliceBytes: 4096 });
  const errors = vi.spyOn(console, 'error');
  const worker = await ingest({ logdir: dir, db: ':memory:', decodeWorker: true, sliceBytes: 4096 });
  expect(errors).not.toHaveBeenCalled(); // no fallback to in-process decoding
  errors.mockRestore();
  const a = await snapshot(inProcess),
    b = await snapshot(worker);
  expect(b.rows.length).toBe(2 * 2999 + 100 + 2);
  expect(b).toEqual(a);
  // Appends after a worker scan are decoded in-process with the plugins the worker saw.
  appendEvents(join(dir, 'b/events.out.tfevents.1.v2'), tensorScalarRecord(3, 'loss', 0.125, undefined, false));
  await worker.sync();
  expect(await worker.queries.listTags('b')).toMatchObject([{ tag: 'loss', kind: 'scalar', count: 3 }]);
}, 30_000);

test('a sweep of many small runs decoded in the worker (slices in batches) stores what in-process decoding stores', async () => {
  const dir = logdir();
  // 300 runs of one small file each: many files share one message from the worker, and the worker
  // reuses its read buffer from one file to the next.
  for (let r = 0; r < 300; r++)
    writeEvents(
      join(dir, `run${String(r).padStart(3, '0')}/events.out.tfevents.${r}`),
      scalarRecords(0, 5 + (r % 7), ['a', 'b/c', `t${r % 3}`]),
    );
  const snapshot = async (ing: Ingester) => ({
    tags: await ing.queries.listTags(),
    rows: await collectRows(ing.queries.exportScalars({})),
  });
  const inProcess = await ingest({ logdir: dir, db: ':memory:', decodeWorker: false });
  const errors = vi.spyOn(console, 'error');
  const worker = await ingest({ logdir: dir, db: ':memory:', decodeWorker: true });
  expect(errors).not.toHaveBeenCalled();
  errors.mockRestore();
  const a = await snapshot(inProcess),
    b = await snapshot(worker);
  expect(b.rows.length).toBe(a.rows.length);
  expect(b.rows.length).toBeGreaterThan(300 * 15);
  expect(b).toEqual(a);
}, 30_000);

// Root reads files whatever their mode, so this runs only as another user.
test.skipIf(process.getuid?.() === 0)('an unreadable file is skipped with a message; the other runs ingest', async () => {
  const dir = logdir();
  writeEvents(join(dir, 'ok/events.out.tfevents.1'), scalarRecords(0, 3, ['t']));
  writeEvents(join(dir, 'locked/events.out.tfevents.1'), scalarRecords(0, 3, ['t']));
  chmodSync(join(dir, 'locked/events.out.tfevents.1'), 0o000);
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const ing = await ingest({ logdir: dir, db: ':memory:' });
    expect(await points(ing, 'ok', 't')).toEqual([0, 1, 2]);
    expect(errors.mock.calls.flat().join(' ')).toMatch(/locked\/events.out.tfevents.1: .*EACCES/);
  } finally {
    errors.mockRestore();
    chmodSync(join(dir, 'locked/events.out.tfevents.1'), 0o644);
  }
});

test('one ingester per store file: a second one is refused while the first runs, and may start after it closes', async () => {
  const dir = logdir();
  const db = join(logdir(), 'store.sqlite');
  writeEvents(join(dir, 'r/events.out.tfevents.1'), scalarRecords(0, 3, ['t']));
  const first = await startIngest({ logdir: dir, db, watch: false });
  await first.initialScan;
  await expect(startIngest({ logdir: dir, db, watch: false })).rejects.toThrow(StoreLockedError);
  await first.close();
  const second = await ingest({ logdir: dir, db });
  expect(await points(second, 'r', 't')).toEqual([0, 1, 2]);
  // The lock is an OS lock that dies with its process; a pid file left by an older version is ignored.
  await second.close();
  writeFileSync(`${db}.writer-lock`, '999999999');
  const third = await ingest({ logdir: dir, db });
  expect(await points(third, 'r', 't')).toEqual([0, 1, 2]);
});
