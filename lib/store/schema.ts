// SQLite schema of the store, and opening a database with the pragmas both sides need.
// The ingester is the only writer; the server opens read-only connections (WAL lets them read
// while the writer commits).
//
// Scalars are stored in chunks (one row per up to CHUNK_POINTS points of one tag from one file,
// the points packed in a blob; see scalar-chunk.ts) rather than one row per point: measured here,
// row-per-point inserts top out near 0.4M rows/s and a GROUP BY over 1M rows takes ~400 ms, while
// chunks ingest at decode speed and downsample 1M points in a few ms. Every point is still kept.
import Database from 'better-sqlite3';

export type DB = Database.Database;

/** Bumped when the layout changes; an older cache file is then rebuilt from the logdir. */
export const SCHEMA_VERSION = 4;

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created REAL NOT NULL
);

-- One event file. offset = byte just after the last complete record, committed in the same
-- transaction as the data it covers. ino/size/mtime/head_crc detect replacement and truncation.
CREATE TABLE IF NOT EXISTS files (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  path TEXT NOT NULL UNIQUE,       -- absolute path
  rel TEXT NOT NULL,               -- path shown to users (relative to its logdir)
  offset INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  mtime REAL NOT NULL DEFAULT 0,
  ino INTEGER NOT NULL DEFAULT 0,
  head_len INTEGER NOT NULL DEFAULT 0,
  head_crc INTEGER NOT NULL DEFAULT 0,
  records INTEGER NOT NULL DEFAULT 0,
  events INTEGER NOT NULL DEFAULT 0,
  corrupt INTEGER NOT NULL DEFAULT 0,
  file_version TEXT
);
CREATE INDEX IF NOT EXISTS files_run ON files(run_id);

-- Files the user deleted from the store without trashing them: not ingested again.
CREATE TABLE IF NOT EXISTS tombstones (path TEXT PRIMARY KEY, ino INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS tags (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  tag TEXT NOT NULL,
  kind TEXT NOT NULL,
  plugin TEXT,
  display_name TEXT,
  description TEXT,
  count INTEGER NOT NULL DEFAULT 0,
  min_step INTEGER,
  max_step INTEGER,
  first_wall REAL,
  last_wall REAL,
  UNIQUE (run_id, tag, kind)
);

CREATE TABLE IF NOT EXISTS scalar_chunks (
  id INTEGER PRIMARY KEY,
  tag_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  n INTEGER NOT NULL,
  min_step INTEGER NOT NULL,
  max_step INTEGER NOT NULL,
  min_value REAL,
  max_value REAL,
  min_wall REAL,
  max_wall REAL,
  sorted INTEGER NOT NULL,         -- 1 when steps never decrease inside the chunk
  marks BLOB NOT NULL,             -- first/min/max/last/non-finite points (scalar-chunk.ts MARKS)
  data BLOB NOT NULL               -- last column: metadata-only scans never read its overflow pages
);
CREATE INDEX IF NOT EXISTS scalar_chunks_tag ON scalar_chunks(tag_id, min_step);
CREATE INDEX IF NOT EXISTS scalar_chunks_file ON scalar_chunks(file_id, tag_id);

CREATE TABLE IF NOT EXISTS blobs (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  etag TEXT NOT NULL,
  bytes BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS blobs_file ON blobs(file_id);

CREATE TABLE IF NOT EXISTS images (
  tag_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  step INTEGER NOT NULL,
  wall REAL,
  idx INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  blob_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS images_tag ON images(tag_id, step);
CREATE INDEX IF NOT EXISTS images_file ON images(file_id);

CREATE TABLE IF NOT EXISTS audio (
  tag_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  step INTEGER NOT NULL,
  wall REAL,
  sample_rate REAL NOT NULL,
  channels INTEGER NOT NULL,
  frames INTEGER NOT NULL,
  blob_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS audio_tag ON audio(tag_id, step);
CREATE INDEX IF NOT EXISTS audio_file ON audio(file_id);

CREATE TABLE IF NOT EXISTS histograms (
  tag_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  step INTEGER NOT NULL,
  wall REAL,
  min REAL, max REAL, num REAL, sum REAL, sum_squares REAL,
  buckets BLOB NOT NULL            -- float64 [left..., right..., count...]
);
CREATE INDEX IF NOT EXISTS histograms_tag ON histograms(tag_id, step);
CREATE INDEX IF NOT EXISTS histograms_file ON histograms(file_id);

CREATE TABLE IF NOT EXISTS texts (
  tag_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  step INTEGER NOT NULL,
  wall REAL,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS texts_tag ON texts(tag_id, step);
CREATE INDEX IF NOT EXISTS texts_file ON texts(file_id);

CREATE TABLE IF NOT EXISTS pr_curves (
  tag_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  step INTEGER NOT NULL,
  wall REAL,
  thresholds INTEGER NOT NULL,
  data BLOB NOT NULL               -- float64 rows tp, fp, tn, fn, precision, recall
);
CREATE INDEX IF NOT EXISTS pr_curves_tag ON pr_curves(tag_id, step);
CREATE INDEX IF NOT EXISTS pr_curves_file ON pr_curves(file_id);

-- Other tensors (unknown plugins, non-scalar tensors). shape is JSON; data float64 or JSON strings.
CREATE TABLE IF NOT EXISTS tensors (
  tag_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  step INTEGER NOT NULL,
  wall REAL,
  dtype INTEGER NOT NULL,
  shape TEXT NOT NULL,
  data BLOB
);
CREATE INDEX IF NOT EXISTS tensors_tag ON tensors(tag_id, step);
CREATE INDEX IF NOT EXISTS tensors_file ON tensors(file_id);

-- GraphDef (source 'graph_def') or RunMetadata (source 'run_metadata') bytes; decoded on query.
CREATE TABLE IF NOT EXISTS graphs (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  source TEXT NOT NULL,
  tag TEXT,
  step INTEGER NOT NULL,
  wall REAL,
  bytes BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS graphs_run ON graphs(run_id);
CREATE INDEX IF NOT EXISTS graphs_file ON graphs(file_id);

CREATE TABLE IF NOT EXISTS hparams (
  run_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  part TEXT NOT NULL,              -- experiment | session_start | session_end
  step INTEGER NOT NULL,
  wall REAL,
  payload TEXT NOT NULL            -- JSON
);
CREATE INDEX IF NOT EXISTS hparams_run ON hparams(run_id);
CREATE INDEX IF NOT EXISTS hparams_file ON hparams(file_id);

CREATE TABLE IF NOT EXISTS warnings (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  reason TEXT NOT NULL,
  time REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS warnings_run ON warnings(run_id);
CREATE INDEX IF NOT EXISTS warnings_file ON warnings(file_id);
`;

/** Tables holding per-file data: resetting or removing a file deletes its rows from each. */
export const FILE_DATA_TABLES = [
  'scalar_chunks',
  'images',
  'audio',
  'histograms',
  'texts',
  'pr_curves',
  'tensors',
  'graphs',
  'hparams',
  'warnings',
  'blobs',
] as const;

/**
 * Board's mark in the SQLite header (PRAGMA application_id, bytes 68-71 of the file): "Brd1".
 * A store is wiped and rebuilt when its layout is old, so a file without this mark is never
 * touched: `--db` pointed at someone else's database must not lose a single table.
 */
export const APPLICATION_ID = 0x42726431;

/** Tables of every layout Board has had: a store that predates APPLICATION_ID holds only these. */
const BOARD_TABLES = new Set([
  'meta',
  'runs',
  'files',
  'tombstones',
  'tags',
  'scalar_chunks',
  'scalars',
  'blobs',
  'images',
  'audio',
  'histograms',
  'texts',
  'pr_curves',
  'tensors',
  'graphs',
  'hparams',
  'warnings',
]);

export class ForeignDatabaseError extends Error {
  constructor(
    readonly path: string,
    why: string,
  ) {
    super(`${path} is not a Board store (${why}); Board will not modify it. Choose another path with --db.`);
    this.name = 'ForeignDatabaseError';
  }
}

/** Open (creating if needed) the writer's connection. A Board store from an older layout is wiped;
 *  any other file is refused with ForeignDatabaseError. */
export function openWriterDb(path: string): DB {
  const db = new Database(path);
  try {
    checkOwnership(db, path);
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw new ForeignDatabaseError(path, 'not an SQLite database');
    throw err;
  }
  // 16 KiB pages for a new store (no effect on an existing one): a full scalar chunk is a 16 KiB
  // blob, and with 4 KiB pages a commit wrote ~1.5x the WAL frames (issue 16: COMMIT cost
  // 150 -> 105 ms per 2M points). Set before WAL mode, which fixes the page size.
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -16384'); // 16 MiB: ingest appends, it rarely re-reads pages
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** Open a read-only connection to an existing store file. */
export function openReaderDb(path: string): DB {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -32768');
  return db;
}

/** Refuses a database that is neither empty nor Board's (see APPLICATION_ID); marks legacy stores. */
function checkOwnership(db: DB, path: string): void {
  const id = db.pragma('application_id', { simple: true }) as number;
  if (id === APPLICATION_ID) return;
  if (id !== 0) throw new ForeignDatabaseError(path, `application_id 0x${(id >>> 0).toString(16)} belongs to another program`);
  const objects = db.prepare(`SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`).all() as {
    type: string;
    name: string;
  }[];
  if (objects.length === 0) return; // a new or empty file: ours from now on (migrate marks it)
  const tables = objects.filter((o) => o.type === 'table').map((o) => o.name);
  const foreign = tables.filter((t) => !BOARD_TABLES.has(t));
  const hasVersion =
    tables.includes('meta') &&
    (db.prepare(`SELECT count(*) c FROM pragma_table_info('meta') WHERE name IN ('key', 'value')`).get() as { c: number }).c === 2 &&
    db.prepare(`SELECT 1 FROM meta WHERE key = 'schema_version'`).get() !== undefined;
  if (foreign.length === 0 && hasVersion) return; // a store written before the mark existed
  const shown =
    tables
      .slice(0, 5)
      .map((t) => JSON.stringify(t))
      .join(', ') + (tables.length > 5 ? `, ... (${tables.length} tables)` : '');
  throw new ForeignDatabaseError(path, `no Board mark; it holds ${shown || 'other objects'}`);
}

function migrate(db: DB): void {
  // checkOwnership let this file through: mark it as Board's (new files and pre-mark stores).
  if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);
  const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'`).get();
  if (hasMeta) {
    const row = db.prepare(`SELECT value FROM meta WHERE key='schema_version'`).get() as { value: string } | undefined;
    if (row && Number(row.value) === SCHEMA_VERSION) return;
    // A cache from another layout: drop everything and re-ingest (the logdir is the source of truth).
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[];
    // Foreign keys off while dropping (better-sqlite3 turns them on): dropping a populated `runs`
    // before the `files` and `tags` rows that reference it would otherwise fail. The pragma has no
    // effect inside a transaction, so it is set around it.
    const fk = db.pragma('foreign_keys', { simple: true }) as number;
    db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        for (const t of tables) db.exec(`DROP TABLE IF EXISTS "${t.name}"`);
      })();
    } finally {
      if (fk) db.pragma('foreign_keys = ON');
    }
  }
  db.transaction(() => {
    db.exec(DDL);
    db.prepare(`INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
  })();
}
