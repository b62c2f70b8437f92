// Run discovery on the local file system: walks each source directory (or takes a single event
// file) and names what it finds with the shared rules of rules.ts. Directories named .board-trash
// are never entered. Symlinked event files are read; symlinked directories are not walked.
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { entryAt, sortEntries, TRASH_DIR, type EventFileEntry, type LogdirSource } from './rules.ts';

/** The entry for one event file, or null when it is not one of ours (trash, not an event file, outside every source). */
export function targetOf(sources: LogdirSource[], path: string): EventFileEntry | null {
  for (const s of sources) {
    if (path === s.path) {
      const e = entryAt(s, '', basename(path));
      return e && { ...e, path };
    }
    const rel = relative(s.path, path);
    if (rel.startsWith('..') || rel === '') continue;
    const relDir = dirname(rel);
    const e = entryAt(s, relDir === '.' ? '' : relDir.split(sep).join('/'), basename(path));
    return e && { ...e, path };
  }
  return null;
}

/** Every event file under the sources, grouped by run in name order, files in name order. */
export function discoverFiles(sources: LogdirSource[]): EventFileEntry[] {
  const out: EventFileEntry[] = [];
  for (const s of sources) {
    let st;
    try {
      st = statSync(s.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // may appear later; the watcher sees it
      throw err;
    }
    if (st.isFile()) {
      const t = targetOf([s], s.path);
      if (t) out.push(t);
      continue;
    }
    // Relative names are built while walking (no path.relative per file: a re-scan of 1,000 runs is mostly this).
    walkRel(s.path, '', (dir, relDir, name) => {
      const e = entryAt(s, relDir, name);
      if (e) out.push({ ...e, path: `${dir}${sep}${name}` });
    });
  }
  return sortEntries(out);
}

function walkRel(dir: string, relDir: string, onFile: (dir: string, relDir: string, name: string) => void): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.isDirectory()) {
      if (e.name !== TRASH_DIR) walkRel(`${dir}${sep}${e.name}`, relDir === '' ? e.name : `${relDir}/${e.name}`, onFile);
    } else if (e.isFile() || e.isSymbolicLink()) onFile(dir, relDir, e.name);
  }
}

function walk(dir: string, onFile: (path: string) => void): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== TRASH_DIR) walk(full, onFile);
    } else if (e.isFile() || e.isSymbolicLink()) onFile(full);
  }
}

/** Event files under one directory (for a directory that appeared while watching). */
export function eventFilesUnder(sources: LogdirSource[], dir: string): EventFileEntry[] {
  const out: EventFileEntry[] = [];
  walk(dir, (f) => {
    const t = targetOf(sources, f);
    if (t) out.push(t);
  });
  return out;
}
