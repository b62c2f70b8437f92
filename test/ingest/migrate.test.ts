// Schema migrations (issue 16): a store written by an older layout that MIGRATIONS covers opens in
// place, keeps its data, and goes on ingesting from its committed offsets (nothing lost, nothing
// read twice). Version 4 -> 5 dropped scalar_chunks' (file_id, tag_id) index.
import { afterEach, expect, test } from 'vitest';
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startIngest } from '../../lib/ingest/index.ts';
import { SCHEMA_VERSION } from '../../lib/store/schema.ts';
import { appendEvents, fileVersionRecord, scalarRecords, tempDir, writeEvents } from './helpers.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

/** Turn a current store back into the version-4 layout (the index it had then, and its version row). */
function downgradeToV4(path: string): void {
  const db = new Database(path);
  db.exec(`CREATE INDEX scalar_chunks_file ON scalar_chunks(file_id, tag_id)`);
  db.prepare(`UPDATE meta SET value = '4' WHERE key = 'schema_version'`).run();
  db.close();
}

function indexes(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const names = (
    db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'scalar_chunks'`).all() as { name: string }[]
  ).map((r) => r.name);
  const version = (db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string }).value;
  db.close();
  return [...names.sort(), `v${version}`];
}

test('a version-4 store migrates in place: data kept, appends resume from the committed offsets, a reset file is re-read once', async () => {
  expect(SCHEMA_VERSION).toBe(5);
  const logdir = dir();
  const db = join(dir(), 'store.sqlite');
  const a = join(logdir, 'a', 'events.out.tfevents.1.h');
  const b = join(logdir, 'b', 'events.out.tfevents.1.h');
  writeEvents(a, fileVersionRecord(), scalarRecords(0, 1500, ['x', 'y']));
  writeEvents(b, fileVersionRecord(), scalarRecords(0, 40, ['x']));
  let ing = await startIngest({ logdir, db, watch: false, decodeWorker: false });
  await ing.initialScan;
  await ing.close();
  downgradeToV4(db);
  expect(indexes(db)).toEqual(['scalar_chunks_file', 'scalar_chunks_tag', 'v4']);

  // Appended after the v4 store was written: the migrated store continues the tail chunks.
  appendEvents(a, scalarRecords(1500, 2100, ['x', 'y']));
  ing = await startIngest({ logdir, db, watch: false, decodeWorker: false });
  await ing.initialScan;
  expect(indexes(db)).toEqual(['scalar_chunks_tag', 'v5']);
  const steps = async (run: string, tag: string) =>
    (await ing.queries.scalars([run], tag, { maxPoints: 1e9 }))[0]!.points.map((p) => p.step);
  expect(await steps('a', 'x')).toEqual(Array.from({ length: 2100 }, (_, s) => s));
  expect(await steps('a', 'y')).toEqual(Array.from({ length: 2100 }, (_, s) => s));
  expect(await steps('b', 'x')).toEqual(Array.from({ length: 40 }, (_, s) => s));
  await ing.close();

  // A truncated file is reset (its chunks deleted through its run's tags) and read again once.
  truncateSync(b, 0);
  writeEvents(b, fileVersionRecord(), scalarRecords(100, 110, ['x']));
  ing = await startIngest({ logdir, db, watch: false, decodeWorker: false });
  await ing.initialScan;
  expect(await steps('b', 'x')).toEqual(Array.from({ length: 10 }, (_, s) => 100 + s));
  expect(await steps('a', 'x')).toHaveLength(2100);
  const total = (await ing.queries.listTags()).reduce((n, t) => n + t.count, 0);
  expect(total).toBe(2 * 2100 + 10);
  await ing.close();
});

test('a store from a layout without a migration (version 3) is rebuilt from the logdir', async () => {
  const logdir = dir();
  const db = join(dir(), 'store.sqlite');
  writeEvents(join(logdir, 'r', 'events.out.tfevents.1.h'), fileVersionRecord(), scalarRecords(0, 30, ['x']));
  let ing = await startIngest({ logdir, db, watch: false, decodeWorker: false });
  await ing.initialScan;
  await ing.close();
  const raw = new Database(db);
  raw.prepare(`UPDATE meta SET value = '3' WHERE key = 'schema_version'`).run();
  raw.close();
  ing = await startIngest({ logdir, db, watch: false, decodeWorker: false });
  await ing.initialScan;
  expect(indexes(db)).toEqual(['scalar_chunks_tag', 'v5']);
  expect((await ing.queries.scalars(['r'], 'x', { maxPoints: 1e9 }))[0]!.points).toHaveLength(30);
  await ing.close();
});
