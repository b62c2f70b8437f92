// Run discovery, as TensorBoard does it: every directory holding at least one file whose name
// contains "tfevents" is a run, named by its path relative to the log directory ('.' for the root).
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';

/** "tfevents" in the basename, as TensorBoard's loader requires. */
export function isEventFileName(name: string): boolean {
  return basename(name).includes('tfevents');
}

export interface DiscoveredRun {
  /** Path relative to the root with '/' separators; '.' for the root itself. */
  run: string;
  /** Absolute paths of its event files, in name order (the order writers create them). */
  files: string[];
}

/** Runs under `root` (a directory, or a single event file whose run is '.'), sorted by run name. */
export function discoverRuns(root: string): DiscoveredRun[] {
  const st = statSync(root);
  if (st.isFile()) return [{ run: '.', files: [root] }];
  const runs: DiscoveredRun[] = [];
  const walk = (dir: string): void => {
    let entries;
    try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
    const files: string[] = [];
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if ((e.isFile() || e.isSymbolicLink()) && isEventFileName(e.name)) files.push(full);
    }
    if (files.length) {
      files.sort((a, b) => (basename(a) < basename(b) ? -1 : basename(a) > basename(b) ? 1 : 0));
      const rel = relative(root, dir);
      runs.push({ run: rel === '' ? '.' : rel.split(sep).join('/'), files });
    }
  };
  walk(root);
  return runs.sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
}
