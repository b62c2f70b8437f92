// Live ingest of a log directory into the SQLite store: initial scan, then a chokidar watcher
// (or polling, for filesystems that deliver no events) that reads appended records as they are
// flushed. All store writes go through one serial queue, so there is exactly one writer.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { openWriterDb } from '../store/schema.ts';
import { StoreWriter, type FileRecord } from '../store/writer.ts';
import { openQueries } from '../store/queries.ts';
import type { IngestSink } from '../store/sink.ts';
import { isPgUrl, redactUrl } from '../store/pg/url.ts';
import type { StoreChange, StoreQueries } from '../store/types.ts';
import {
  discoverFiles,
  eventFilesUnder,
  isUrl,
  listEventFiles,
  sourcesOf,
  targetOf,
  TRASH_DIR,
  type EventFileEntry,
  type LogdirSource,
} from '../discovery/index.ts';
import '../sources/remote.ts'; // registers s3:// sources
import { RunLoader } from './run-loader.ts';
import type { SourceWatcher } from './watch.ts';
import { ChangeFeed } from './change-feed.ts';
import { acquireWriterLock } from './writer-lock.ts';
import { createProgress, formatBytes, silentProgress, type ProgressSink } from './progress.ts';

export { parseLogdirSpec, TRASH_DIR } from '../discovery/index.ts';
export { StoreLockedError } from './writer-lock.ts';

export interface IngestOptions {
  logdir?: string;
  logdirSpec?: string;
  /** Store path, or ':memory:'. Default: a cache file keyed by the absolute logdir (defaultDbPath). */
  db?: string;
  /** Keep watching after the initial scan (default true). */
  watch?: boolean;
  /** Poll every this many ms instead of relying on filesystem events. */
  pollIntervalMs?: number;
  /** Progress of the initial scan on stderr: a bar on a TTY, one line per phase otherwise. */
  progress?: boolean | 'auto';
  /** Bytes decoded per transaction (default 8 MiB). Smaller commits more often. */
  sliceBytes?: number;
  /** Decode a large initial backlog in a worker thread: 'auto' (default) when >= 16 MiB is new. */
  decodeWorker?: boolean | 'auto';
}

export interface Ingester {
  readonly dbPath: string;
  /** Queries over the store (read-only connection for a file; the writer's own for ':memory:'). */
  readonly queries: StoreQueries;
  /** Resolves when everything present at start is in the store and the watcher is ready. */
  initialScan: Promise<void>;
  onChange(listener: (c: StoreChange) => void): () => void;
  changes(): AsyncIterable<StoreChange>;
  /** Remove a run from the store; with trash, also move its files into <logdir>/.board-trash/. */
  deleteRun(run: string, opts?: { trash?: boolean }): Promise<void>;
  /** Read whatever is new now (the export command and tests use it without a watcher). */
  sync(): Promise<void>;
  /** How the logdir is watched: OS events, polling (asked for, or after the OS watch limit), or not. */
  readonly watchMode: 'events' | 'polling' | 'none';
  close(): Promise<void>;
}

/** Cache file for a logdir: $XDG_CACHE_HOME/board (or ~/.cache/board) / <name>-<hash>.sqlite. */
export function defaultDbPath(logdirAbs: string): string {
  const cache =
    process.env.XDG_CACHE_HOME && process.env.XDG_CACHE_HOME.startsWith('/') ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache');
  const hash = createHash('sha256').update(logdirAbs).digest('hex').slice(0, 16);
  const name = (basename(logdirAbs) || 'root').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40);
  return join(cache, 'board', `${name}-${hash}.sqlite`);
}

export async function startIngest(opts: IngestOptions): Promise<Ingester> {
  if (!opts.logdir === !opts.logdirSpec) throw new Error('startIngest: give exactly one of logdir and logdirSpec');
  const sources = sourcesOf(opts);
  if (opts.logdir && !isUrl(sources[0]!.path) && !existsSync(sources[0]!.path))
    throw new Error(`--logdir ${opts.logdir}: no such file or directory`);
  const key = opts.logdir ? sources[0]!.path : sources.map((s) => `${s.name ?? ''}:${s.path}`).join(',');
  const dbPath = opts.db ?? defaultDbPath(key);
  const store = isPgUrl(dbPath) ? await openPgStore(dbPath, sources) : await openSqliteStore(dbPath);
  let ingester: LiveIngester;
  try {
    ingester = new LiveIngester(store, sources, opts);
  } catch (err) {
    await store.close();
    throw err;
  }
  ingester.begin();
  return ingester;
}

/** A store opened for ingest: its sink (the only writer of these files) and queries over it. */
export interface OpenedStore {
  readonly dbPath: string;
  readonly sink: IngestSink;
  readonly queries: StoreQueries;
  close(): Promise<void>;
}

/** The SQLite store at `dbPath` (or ':memory:'), with the cross-process writer lock taken. */
async function openSqliteStore(dbPath: string): Promise<OpenedStore> {
  let release = () => {};
  if (dbPath !== ':memory:') {
    mkdirSync(dirname(resolve(dbPath)), { recursive: true });
    release = acquireWriterLock(resolve(dbPath));
  }
  try {
    const db = openWriterDb(dbPath);
    try {
      const sink = new StoreWriter(db);
      const queries = openQueries(dbPath === ':memory:' ? db : dbPath);
      return {
        dbPath,
        sink,
        queries,
        async close() {
          queries.close();
          db.close();
          release();
        },
      };
    } catch (err) {
      db.close();
      throw err;
    }
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * The PostgreSQL store at `url`: this ingester writes only files under its own sources (other
 * ingesters own the rest of the database) and reads through a pool.
 */
async function openPgStore(url: string, sources: LogdirSource[]): Promise<OpenedStore> {
  const { openPgReadStore, openPgWriteStore } = await import('../store/pg/index.ts');
  const prefixes = sources.map((s) => s.path);
  const inScope = (path: string) =>
    prefixes.some(
      (p) => path === p || path.startsWith(p.endsWith('/') || p.endsWith(sep) ? p : p.includes('://') ? `${p}/` : `${p}${sep}`),
    );
  const write = await openPgWriteStore(url, inScope);
  let read;
  try {
    read = await openPgReadStore(url, { listen: false });
  } catch (err) {
    await write.close();
    throw err;
  }
  return {
    dbPath: redactUrl(url),
    sink: write.writer,
    queries: read.queries,
    async close() {
      await write.close();
      await read.close();
    },
  };
}

class LiveIngester implements Ingester {
  readonly queries: StoreQueries;
  readonly dbPath: string;
  initialScan!: Promise<void>;
  private readonly writer: IngestSink;
  private readonly loader: RunLoader;
  private readonly feed = new ChangeFeed();
  private readonly progress: ProgressSink;
  private watcher: SourceWatcher | null = null;
  private chain: Promise<void> = Promise.resolve();
  private pending = new Map<string, EventFileEntry>();
  private draining = false;
  private closed = false;
  private rechecks = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly store: OpenedStore,
    private readonly sources: LogdirSource[],
    private readonly opts: IngestOptions,
  ) {
    this.dbPath = store.dbPath;
    this.writer = store.sink;
    this.writer.onChange((c) => this.feed.publish(c));
    this.loader = new RunLoader(this.writer, opts.sliceBytes);
    this.queries = store.queries;
    this.progress = createProgress(opts.progress);
  }

  begin(): void {
    this.initialScan = this.serial(() => this.scanAll(true)).then(async () => {
      if (this.opts.watch === false || this.closed) return;
      await this.startWatcher();
      // Anything written while the watcher was starting: one more pass (cheap: stat per file).
      await this.serial(() => this.scanAll(false));
    });
    // An unobserved rejection must not crash the process; callers that await see it.
    this.initialScan.catch(() => {});
  }

  onChange(listener: (c: StoreChange) => void): () => void {
    return this.feed.subscribe(listener);
  }
  changes(): AsyncIterable<StoreChange> {
    return this.feed.iterate();
  }

  sync(): Promise<void> {
    return this.serial(() => this.scanAll(false));
  }

  async deleteRun(run: string, opts: { trash?: boolean } = {}): Promise<void> {
    await this.serial(async () => {
      const files = this.writer.filesOfRun(run);
      if (files.length === 0 && !this.writer.hasRun(run)) throw new Error(`deleteRun: no run named ${JSON.stringify(run)}`);
      if (opts.trash) {
        moveRunToTrash(
          this.sources,
          run,
          files.map((f) => f.path),
        );
        await this.writer.removeRun(run);
      } else {
        // The files stay on disk: remember them so the next scan does not bring the run back.
        const tomb = new Map<string, number>();
        for (const f of files) {
          try {
            tomb.set(f.path, statSync(f.path).ino);
          } catch {
            /* already gone */
          }
        }
        await this.writer.removeRun(run, tomb);
      }
      this.loader.forgetRun(run);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.rechecks.values()) clearTimeout(t);
    if (this.remoteTimer) clearInterval(this.remoteTimer);
    this.rechecks.clear();
    await this.watcher?.close();
    await this.loader.close();
    await this.chain.catch(() => {});
    this.feed.end();
    this.storeClosed = true;
    await this.store.close();
  }
  private storeClosed = false;

  /** Run `fn` after every queued store operation (the single-writer rule). */
  private serial(fn: () => Promise<void> | void): Promise<void> {
    const next = this.chain.then(() => (this.storeClosed ? undefined : fn()));
    this.chain = next.catch(() => {});
    return next;
  }

  private async scanAll(initial: boolean): Promise<void> {
    // No progress shown: no sink, so no stat of every file for a total nobody reads (issue 16).
    const p = initial && this.progress !== silentProgress ? this.progress : null;
    p?.phase(`scanning ${this.sources.map((s) => s.path).join(', ')}`);
    const targets = this.hasRemote ? await listEventFiles(this.sources) : discoverFiles(this.sources);
    const seen = new Set(targets.map((t) => t.path));
    const known = new Map<string, FileRecord>();
    // Files in the store that are gone from disk (or now outside every source).
    for (const f of this.writer.allFiles()) {
      if (!seen.has(f.path)) {
        const t = isUrl(f.path) ? null : targetOf(this.sources, f.path);
        await this.removeGone(f.path, t);
      } else known.set(f.path, f);
    }
    if (p) {
      let total = 0;
      for (const t of targets) {
        try {
          const size = t.size ?? statSync(t.path).size;
          total += Math.max(0, size - (known.get(t.path)?.offset ?? 0));
        } catch {
          /* raced */
        }
      }
      p.start(total, targets.length);
    }
    const t0 = performance.now();
    const { bytes, events } = await this.loader.syncMany(
      targets,
      known,
      this.opts.decodeWorker ?? 'auto',
      p ? (b, e) => p.advance(b, e) : undefined,
      yieldToLoop,
    );
    if (p) {
      const secs = (performance.now() - t0) / 1000;
      p.done(
        `ingested ${events} events (${formatBytes(bytes)}) from ${targets.length} file(s) in ${secs.toFixed(2)} s` +
          (secs > 0 && events > 0 ? ` (${Math.round(events / secs)} events/s)` : ''),
      );
    }
  }

  private async removeGone(path: string, t: EventFileEntry | null): Promise<void> {
    const rec = this.writer.getFile(path);
    if (!rec) return;
    await this.writer.removeFile(rec);
    if (t && !this.writer.hasRun(t.run)) this.loader.forgetRun(t.run);
  }

  /** Object-store sources have no change events: they are listed again every poll period. */
  private get hasRemote(): boolean {
    return this.sources.some((s) => isUrl(s.path));
  }
  private remoteTimer: ReturnType<typeof setInterval> | null = null;

  private async startWatcher(): Promise<void> {
    // Object stores have no change events, and polling watchers can miss an append made before
    // their first stat (fs.watchFile takes its baseline asynchronously, after 'ready'): in both
    // cases the logdir is also re-scanned every poll period (one list or one stat per file).
    if (this.hasRemote || this.opts.pollIntervalMs !== undefined) {
      let busy = false;
      this.remoteTimer = setInterval(() => {
        if (busy || this.closed) return;
        busy = true;
        this.serial(() => this.scanAll(false))
          .catch((err: unknown) => console.error(`board ingest: ${(err as Error).message}`))
          .finally(() => {
            busy = false;
          });
      }, this.opts.pollIntervalMs ?? REMOTE_POLL_MS);
    }
    const local = this.sources.filter((s) => !isUrl(s.path));
    if (local.length === 0) return;
    // chokidar loads only when a watcher starts: `board export` never needs it.
    const { watchSources } = await import('./watch.ts');
    const watcher = watchSources(local, this.opts.pollIntervalMs, {
      add: (p) => this.enqueuePath(p, true),
      change: (p) => this.enqueuePath(p, true),
      unlink: (p) => this.enqueuePath(p),
      addDir: (d) => {
        for (const t of eventFilesUnder(this.sources, d)) this.enqueue(t);
      },
      unlinkDir: (d) => {
        const prefix = d.endsWith(sep) ? d : d + sep;
        for (const f of this.writer.allFiles())
          if (f.path.startsWith(prefix)) {
            const t = targetOf(this.sources, f.path);
            if (t) this.enqueue(t);
          }
      },
      // Whatever changed while no watcher ran: one more pass (a stat per file).
      fellBack: () => {
        if (!this.closed) void this.serial(() => this.scanAll(false)).catch(() => {});
      },
    });
    this.watcher = watcher;
    await watcher.ready;
  }

  /** How the logdir is watched now ('none' without a watcher). */
  get watchMode(): 'events' | 'polling' | 'none' {
    return this.watcher?.mode ?? 'none';
  }

  private enqueuePath(p: string, recheck = false): void {
    const t = targetOf(this.sources, resolve(p));
    if (!t) return;
    this.enqueue(t);
    // chokidar drops (does not defer) further 'change' events of a path for 50 ms after one it
    // emits, so appends inside that window would wait for the next write. Look again after it:
    // after the window of *this* event. (A look still pending from an earlier event ends inside
    // this window, and a write after it and before the window closes was never read when the
    // writer then paused: the concurrency campaign lost a run's last step that way.) Each event
    // reads the file itself, so pushing the look back never delays data that did raise an event.
    if (recheck) {
      clearTimeout(this.rechecks.get(t.path));
      const timer = setTimeout(() => {
        this.rechecks.delete(t.path);
        this.enqueue(t);
      }, RECHECK_MS);
      this.rechecks.set(t.path, timer);
    }
  }

  private enqueue(t: EventFileEntry): void {
    if (this.closed) return;
    this.pending.set(t.path, t);
    if (this.draining) return;
    this.draining = true;
    void this.serial(async () => {
      try {
        while (this.pending.size && !this.closed) {
          // Files of one run in name order, as the initial scan reads them.
          const batch = [...this.pending.values()].sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : a.path < b.path ? -1 : 1));
          this.pending.clear();
          for (const target of batch) {
            try {
              await this.loader.sync(target, undefined, yieldToLoop);
            } catch (err) {
              console.error(`board ingest: ${target.rel}: ${(err as Error).message}`);
            }
          }
        }
      } finally {
        this.draining = false;
      }
    });
  }
}

/** Poll period of object-store sources when --reload_interval is not given (as TensorBoard's 5 s). */
export const REMOTE_POLL_MS = 5000;

/** Just past chokidar's 50 ms per-path throttle of 'change' events. */
const RECHECK_MS = 60;

/** Work between two turns of the event loop during a scan, at most (ms). */
const YIELD_EVERY_MS = 10;
let lastYield = 0;

/**
 * Let the event loop run (requests, timers, watcher events) when a scan has held it for
 * YIELD_EVERY_MS. Yielding after every slice cost a loop turn (an epoll_wait) per file: 2,000
 * in a sweep of small runs (issue 16).
 */
function yieldToLoop(): Promise<void> {
  if (performance.now() - lastYield < YIELD_EVERY_MS) return Promise.resolve();
  return new Promise((res) =>
    setImmediate(() => {
      lastYield = performance.now();
      res();
    }),
  );
}

/** Move a run's event files (its whole directory when it holds no other run) under <source>/.board-trash/<stamp>/. */
function moveRunToTrash(sources: LogdirSource[], run: string, files: string[]): void {
  if (files.length === 0) return;
  const dir = dirname(files[0]!);
  const source = sources.find((s) => dir === s.path || dir.startsWith(s.path + sep));
  if (!source || statSync(source.path).isFile())
    throw new Error(`deleteRun: ${JSON.stringify(run)} is not inside a logdir directory, cannot trash it`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const relDir = relative(source.path, dir);
  const dest = join(source.path, TRASH_DIR, stamp, relDir === '' ? '_root' : relDir);
  mkdirSync(dirname(dest), { recursive: true });
  const holdsOtherRuns = relDir !== '' && hasSubdirEventFiles(dir);
  if (relDir !== '' && !holdsOtherRuns) {
    renameSync(dir, dest);
    return;
  }
  // The root, or a directory with nested runs: move only this run's files.
  mkdirSync(dest, { recursive: true });
  for (const f of files) {
    try {
      renameSync(f, join(dest, basename(f)));
    } catch {
      /* already gone */
    }
  }
  try {
    if (relDir !== '' && readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    /* not empty */
  }
}

function hasSubdirEventFiles(dir: string): boolean {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && eventFilesUnder([{ name: null, path: join(dir, e.name) }], join(dir, e.name)).length) return true;
  }
  return false;
}
