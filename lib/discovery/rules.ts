// The naming rules of run discovery, written once for every source (local directories today,
// object stores later). They work on '/'-separated paths relative to a source's root, so a
// source only has to list its files; it never decides what a run is called.
//
//   - An event file is any file whose base name contains "tfevents" (as TensorBoard's loader).
//   - A run is a directory holding event files, named by its path relative to the source root;
//     the root itself is '.', or the spec name when the source has one (--logdir_spec name:path).
//   - Runs of a named source are prefixed by its name: `name/sub/dir`.
//   - Anything under a `.board-trash` folder (runs deleted from the dashboard) is not a run.

/** Folder inside a logdir that receives trashed runs; discovery and the watcher skip it. */
export const TRASH_DIR = '.board-trash';

/** "tfevents" in the base name, as TensorBoard's loader requires. */
export function isEventFileName(name: string): boolean {
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return name.slice(slash + 1).includes('tfevents');
}

/** One root to discover runs in: a --logdir, or one entry of --logdir_spec. */
export interface LogdirSource {
  /** Spec name (prefix of its runs' names), or null for a plain --logdir. */
  name: string | null;
  /** Absolute path of the directory or single event file, or a URL (s3://bucket/prefix) for remote sources. */
  path: string;
}

/** One event file found by discovery. */
export interface EventFileEntry {
  run: string;
  /** What the reader opens: an absolute file path, or an object URL for remote sources. */
  path: string;
  /** Path shown to users: relative to the source, prefixed by its spec name. */
  rel: string;
  /** Size in bytes when the listing knows it (object stores do; the local walk leaves it out). */
  size?: number;
}

/** True when `relDir` ('/'-separated, relative to a source root) is inside a trash folder. */
export function isTrashed(relDir: string): boolean {
  // The cheap substring test first: discovery calls this for every event file of every re-scan.
  return relDir.includes(TRASH_DIR) && relDir.split('/').includes(TRASH_DIR);
}

/** Run name of the directory `relDir` ('' for the root) of `source`. */
export function runNameOf(source: LogdirSource, relDir: string): string {
  if (source.name === null) return relDir === '' ? '.' : relDir;
  return relDir === '' ? source.name : `${source.name}/${relDir}`;
}

/**
 * The run and display path of the file `fileName` in directory `relDir` of `source`, or null when
 * it is not an event file or lies in the trash. A single-file source passes relDir ''.
 */
export function entryAt(source: LogdirSource, relDir: string, fileName: string): { run: string; rel: string } | null {
  if (!isEventFileName(fileName) || isTrashed(relDir)) return null;
  const relFile = relDir === '' ? fileName : `${relDir}/${fileName}`;
  return { run: runNameOf(source, relDir), rel: source.name === null ? relFile : `${source.name}/${relFile}` };
}

/**
 * Entries from a flat listing of '/'-separated keys relative to a source root (what an object store
 * returns): each key is split into directory and name and passed through the rules above.
 */
export function entriesFromKeys(source: LogdirSource, keys: Iterable<{ key: string; path: string; size?: number }>): EventFileEntry[] {
  const out: EventFileEntry[] = [];
  for (const k of keys) {
    const slash = k.key.lastIndexOf('/');
    const e = entryAt(source, slash < 0 ? '' : k.key.slice(0, slash), k.key.slice(slash + 1));
    if (e) out.push(k.size === undefined ? { ...e, path: k.path } : { ...e, path: k.path, size: k.size });
  }
  return sortEntries(out);
}

/** Runs in name order, each run's files in base-name order (the order writers create them). */
export function sortEntries<T extends EventFileEntry>(entries: T[]): T[] {
  const base = (p: string) => p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
  return entries.sort((a, b) => cmp(a.run, b.run) || cmp(base(a.path), base(b.path)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
