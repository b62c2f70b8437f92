// Where the runs are: --logdir (a directory or a single event file) or --logdir_spec
// name1:path1,name2:path2. A run is a directory holding event files, named by its path relative
// to its logdir ('.' for the root), prefixed by the spec name when there is one.
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { isEventFileName } from '../tfevents/index.ts';

/** Folder inside a logdir that receives trashed runs; discovery and the watcher skip it. */
export const TRASH_DIR = '.board-trash';

export interface LogdirSource {
  /** Spec name (prefix of its runs' names), or null for a plain --logdir. */
  name: string | null;
  /** Absolute path of the directory or single event file. */
  path: string;
}

export interface EventFileTarget {
  run: string;
  /** Absolute path. */
  path: string;
  /** Path shown to users: relative to the source, prefixed by its spec name. */
  rel: string;
}

/** Parse TensorBoard's --logdir_spec: comma-separated `name:path` or bare `path` entries. */
export function parseLogdirSpec(spec: string): LogdirSource[] {
  const out: LogdirSource[] = [];
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const colon = entry.indexOf(':');
    // "gs://x" (a URL) and, on Windows, "C:\\x" (a drive letter) are paths, not name:path.
    const isPath = colon < 0 || entry.slice(colon, colon + 3) === '://' || (process.platform === 'win32' && /^[A-Za-z]:[\\/]/.test(entry));
    if (isPath) out.push({ name: null, path: resolve(entry) });
    else {
      const name = entry.slice(0, colon), path = entry.slice(colon + 1);
      if (!name || !path) throw new Error(`--logdir_spec: bad entry ${JSON.stringify(entry)} (expected name:path)`);
      out.push({ name, path: resolve(path) });
    }
  }
  if (out.length === 0) throw new Error('--logdir_spec: no entries');
  const names = out.map(s => s.name).filter(n => n !== null);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`--logdir_spec: name ${JSON.stringify(dup)} is used twice`);
  return out;
}

/** Run name of a directory `dir` under `source` (a directory source). */
export function runNameOf(source: LogdirSource, dir: string): string {
  const rel = relative(source.path, dir).split(sep).join('/');
  if (source.name === null) return rel === '' ? '.' : rel;
  return rel === '' ? source.name : `${source.name}/${rel}`;
}

/** The target for one event file, or null when it is not one of ours (trash, not an event file). */
export function targetOf(sources: LogdirSource[], path: string): EventFileTarget | null {
  if (!isEventFileName(basename(path))) return null;
  for (const s of sources) {
    if (path === s.path) return { run: s.name ?? '.', path, rel: s.name ? `${s.name}/${basename(path)}` : basename(path) };
    const rel = relative(s.path, path);
    if (rel.startsWith('..') || rel === '' || rel.split(sep).includes(TRASH_DIR)) continue;
    const relPosix = rel.split(sep).join('/');
    return { run: runNameOf(s, dirname(path)), path, rel: s.name ? `${s.name}/${relPosix}` : relPosix };
  }
  return null;
}

/** Every event file under the sources, grouped by run in name order, files in name order. */
export function discoverFiles(sources: LogdirSource[]): EventFileTarget[] {
  const out: EventFileTarget[] = [];
  for (const s of sources) {
    let st;
    try { st = statSync(s.path); } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // may appear later; the watcher sees it
      throw err;
    }
    if (st.isFile()) { const t = targetOf([s], s.path); if (t) out.push(t); continue; }
    // Names are built while walking (no path.relative per file: a re-scan of 1,000 runs is mostly this).
    walkRel(s.path, '', (dir, relDir, name) => {
      const run = s.name === null ? (relDir === '' ? '.' : relDir) : (relDir === '' ? s.name : `${s.name}/${relDir}`);
      const relFile = relDir === '' ? name : `${relDir}/${name}`;
      out.push({ run, path: `${dir}${sep}${name}`, rel: s.name ? `${s.name}/${relFile}` : relFile });
    });
  }
  return out.sort((a, b) => cmp(a.run, b.run) || cmp(basename(a.path), basename(b.path)));
}

function walkRel(dir: string, relDir: string, onFile: (dir: string, relDir: string, name: string) => void): void {
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) {
    if (e.isDirectory()) { if (e.name !== TRASH_DIR) walkRel(`${dir}${sep}${e.name}`, relDir === '' ? e.name : `${relDir}/${e.name}`, onFile); }
    else if ((e.isFile() || e.isSymbolicLink()) && isEventFileName(e.name)) onFile(dir, relDir, e.name);
  }
}

function walk(dir: string, onFile: (path: string) => void): void {
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== TRASH_DIR) walk(full, onFile); }
    else if (e.isFile() || e.isSymbolicLink()) { if (isEventFileName(e.name)) onFile(full); }
  }
}

/** Event files under one directory (for a directory that appeared while watching). */
export function eventFilesUnder(sources: LogdirSource[], dir: string): EventFileTarget[] {
  const out: EventFileTarget[] = [];
  walk(dir, (f) => { const t = targetOf(sources, f); if (t) out.push(t); });
  return out;
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }
