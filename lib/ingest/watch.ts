// The file watcher of a live ingest: chokidar over the logdir sources, with two rules the
// initial scan shares and one fallback.
// - Symlinked directories inside a source are not entered (discovery does not walk them either;
//   following them would let a link to / or a loop make the watcher walk the whole disk). A
//   symlinked event file is read and watched, and a source that is itself a symlink is followed.
// - When the OS refuses more watches (inotify's max_user_watches: ENOSPC; open files: EMFILE,
//   ENFILE), the watcher is replaced by a polling one, with a warning, instead of silently
//   missing every run it could not watch.
import { lstatSync, statSync } from 'node:fs';
import { basename, sep } from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { isEventFileName, TRASH_DIR, type LogdirSource } from '../discovery/index.ts';

/** Poll interval after falling back from OS events (a stat per file per interval). */
export const FALLBACK_POLL_MS = 1000;

export interface WatchHandlers {
  add(path: string): void;
  change(path: string): void;
  unlink(path: string): void;
  addDir(dir: string): void;
  unlinkDir(dir: string): void;
  /** The watcher was replaced by a polling one: anything missed meanwhile must be re-scanned. */
  fellBack(): void;
}

export interface SourceWatcher {
  /** 'events' (OS notifications) or 'polling' (asked for, or after the OS watch limit was hit). */
  readonly mode: 'events' | 'polling';
  /** The chokidar instance in use (diagnostics; tests inject OS errors through it). */
  readonly instance: FSWatcher | null;
  /** Resolves once the current watcher has walked the sources. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Whether `p` is a symbolic link to a directory (not entered: see the header). */
export function isSymlinkedDir(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink() && statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Errors that mean "the OS will not watch more", as opposed to one path failing. */
function isWatchLimit(err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EMFILE' || code === 'ENFILE' ? code : null;
}

export function watchSources(sources: LogdirSource[], pollIntervalMs: number | undefined, on: WatchHandlers): SourceWatcher {
  const roots = new Set(sources.map((s) => s.path));
  const ignored = (p: string): boolean => {
    if (p.split(sep).includes(TRASH_DIR)) return true;
    // Event files (symlinked or not) are read; other symlinks to directories are not entered.
    if (roots.has(p) || isEventFileName(basename(p))) return false;
    return isSymlinkedDir(p);
  };
  let closed = false;
  let current: FSWatcher | null = null;
  let switching: Promise<void> | null = null;
  const state = { mode: (pollIntervalMs !== undefined ? 'polling' : 'events') as 'events' | 'polling' };

  const start = (polling: boolean, interval: number, binaryInterval: number): Promise<void> => {
    const w = chokidar.watch([...roots], {
      ignoreInitial: true,
      persistent: true,
      usePolling: polling,
      interval,
      binaryInterval,
      // Never wait for writes to "finish": a run is written for hours; we read complete records as they land.
      awaitWriteFinish: false,
      atomic: false,
      ignored,
    });
    current = w;
    w.on('add', (p) => on.add(p));
    w.on('change', (p) => on.change(p));
    w.on('unlink', (p) => on.unlink(p));
    w.on('addDir', (d) => {
      if (!isSymlinkedDir(d) || roots.has(d)) on.addDir(d);
    });
    w.on('unlinkDir', (d) => on.unlinkDir(d));
    let readyNow = () => {};
    const ready = new Promise<void>((res) => {
      readyNow = res;
      w.once('ready', () => res());
    });
    w.on('error', (err) => {
      const limit = isWatchLimit(err);
      if (limit && !polling && !closed && current === w && !switching) {
        console.error(
          `board ingest: watcher: ${limit}: the system limit on file watches or open files is reached; ` +
            `watching by polling every ${FALLBACK_POLL_MS} ms instead (raise fs.inotify.max_user_watches for instant updates)`,
        );
        switching = (async () => {
          current = null;
          readyNow(); // a scan waiting for this watcher goes on; fellBack() re-scans after the switch
          await w.close();
          if (closed) return;
          state.mode = 'polling';
          await start(true, FALLBACK_POLL_MS, FALLBACK_POLL_MS);
          on.fellBack();
        })().finally(() => {
          switching = null;
        });
        return;
      }
      console.error(`board ingest: watcher: ${err instanceof Error ? err.message : String(err)}`);
    });
    return ready;
  };

  const handle: SourceWatcher = {
    get mode() {
      return state.mode;
    },
    ready: start(pollIntervalMs !== undefined, pollIntervalMs ?? 100, pollIntervalMs ?? 300),
    get instance() {
      return current;
    },
    async close() {
      closed = true;
      await switching;
      await (current as FSWatcher | null)?.close();
      current = null;
    },
  };
  return handle;
}
