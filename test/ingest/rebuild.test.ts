// A store written by another layout version is rebuilt from the logdir (schema.ts migrate). This
// once failed for any populated store: better-sqlite3 enables foreign keys, and dropping `runs`
// before the `files` and `tags` rows that reference it raised FOREIGN KEY constraint failed.
import { afterEach, expect, test } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startIngest } from '../../lib/ingest/index.ts';
import { SCHEMA_VERSION } from '../../lib/store/schema.ts';
import { fileVersionRecord, scalarRecords, tempDir, writeEvents } from './helpers.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

test('a populated store from another layout version is rebuilt from the logdir, every point once', async () => {
  const logdir = dir();
  const db = join(dir(), 'store.sqlite');
  writeEvents(join(logdir, 'r', 'events.out.tfevents.1.h'), fileVersionRecord(), scalarRecords(0, 30, ['x', 'y']));
  writeEvents(join(logdir, 's', 'events.out.tfevents.1.h'), fileVersionRecord(), scalarRecords(0, 1500, ['x']));
  let ing = await startIngest({ logdir, db, watch: false, decodeWorker: false });
  await ing.initialScan;
  await ing.close();
  const raw = new Database(db);
  raw.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(SCHEMA_VERSION - 1));
  raw.close();
  ing = await startIngest({ logdir, db, watch: false, decodeWorker: false });
  await ing.initialScan;
  const check = new Database(db, { readonly: true });
  expect((check.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string }).value).toBe(
    String(SCHEMA_VERSION),
  );
  check.close();
  expect((await ing.queries.scalars(['r'], 'x', { maxPoints: 1e9 }))[0]!.points).toHaveLength(30);
  expect((await ing.queries.scalars(['s'], 'x', { maxPoints: 1e9 }))[0]!.points.map((p) => p.step)).toEqual(
    Array.from({ length: 1500 }, (_, s) => s),
  );
  const total = (await ing.queries.listTags()).reduce((n, t) => n + t.count, 0);
  expect(total).toBe(30 * 2 + 1500);
  await ing.close();
});
