// Finding 10 of issue 10: `--db` pointed at a database that is not Board's is refused with a
// message, and not one of its tables is dropped (before: any table named `meta` without the right
// version row had every table of the file dropped).
import { afterEach, expect, test } from 'vitest';
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIngest } from '../../lib/ingest/index.ts';
import { APPLICATION_ID, openWriterDb } from '../../lib/store/schema.ts';
import { fileVersionRecord, scalarRecords, tempDir, writeEvents } from '../ingest/helpers.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup() {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  writeEvents(join(dir, 'logs/run/events.out.tfevents.1.h'), fileVersionRecord(), scalarRecords(0, 5, ['loss']));
  return { dir, logdir: join(dir, 'logs') };
}

function tablesOf(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

test('a foreign database with a `meta` table is refused and keeps every table and row', async () => {
  const { dir, logdir } = setup();
  const path = join(dir, 'app.sqlite');
  const app = new Database(path);
  app.exec(`CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('owner', 'accounting');
            CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices(total) VALUES (12.5), (99);`);
  app.close();
  await expect(startIngest({ logdir, db: path, watch: false })).rejects.toThrow(/app\.sqlite is not a Board store .*"invoices".*--db/);
  expect(tablesOf(path)).toEqual(['invoices', 'meta']);
  const check = new Database(path, { readonly: true });
  expect(check.prepare('SELECT count(*) c FROM invoices').get()).toEqual({ c: 2 });
  check.close();
});

test('a database without a meta table, another application id, or a non-database file are refused', async () => {
  const { dir, logdir } = setup();
  const plain = join(dir, 'plain.sqlite');
  const a = new Database(plain);
  a.exec('CREATE TABLE notes (t TEXT)');
  a.close();
  await expect(startIngest({ logdir, db: plain, watch: false })).rejects.toThrow(/not a Board store/);
  expect(tablesOf(plain)).toEqual(['notes']);
  const other = join(dir, 'other.gpkg');
  const b = new Database(other);
  b.pragma('application_id = 1196444487');
  b.close(); // GeoPackage's "GPKG"
  await expect(startIngest({ logdir, db: other, watch: false })).rejects.toThrow(/application_id 0x47504b47 belongs to another program/);
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'x'.repeat(4096));
  expect(() => openWriterDb(text)).toThrow(/notes\.txt is not a Board store \(not an SQLite database\)/);
});

test('a new file becomes a marked Board store; a store from before the mark is still accepted', async () => {
  const { dir, logdir } = setup();
  const path = join(dir, 'store.sqlite');
  const ing = await startIngest({ logdir, db: path, watch: false });
  await ing.initialScan;
  expect((await ing.queries.scalars(['run'], 'loss', { maxPoints: 10 }))[0]!.total).toBe(5);
  await ing.close();
  const db = new Database(path, { readonly: true });
  expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
  db.close();
  // A pre-mark store: Board's tables and its schema_version row, application_id 0.
  const legacy = join(dir, 'legacy.sqlite');
  const l = new Database(legacy);
  l.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '3');
          CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE scalars (x);`);
  l.close();
  const again = await startIngest({ logdir, db: legacy, watch: false });
  await again.initialScan;
  expect((await again.queries.scalars(['run'], 'loss', { maxPoints: 10 }))[0]!.total).toBe(5);
  await again.close();
});
