// Run discovery: which event files exist and which run each belongs to. The one implementation
// used by `board serve`/ingest, `board export`, `board inspect` and the public discoverRuns().
//
// A source kind other than the local file system (an object store, say) plugs in by registering a
// lister for its URL scheme. The lister only lists keys; entriesFromKeys() applies the naming
// rules (root run '.', spec-name prefix, .board-trash excluded), so every source names runs alike.
import { statSync } from 'node:fs';
import { discoverFiles } from './local.ts';
import { isUrl } from './spec.ts';
import type { EventFileEntry, LogdirSource } from './rules.ts';

export {
  TRASH_DIR,
  entriesFromKeys,
  entryAt,
  isEventFileName,
  isTrashed,
  runNameOf,
  sortEntries,
  type EventFileEntry,
  type LogdirSource,
} from './rules.ts';
export { isUrl, parseLogdirSpec, resolveLocation, sourcesOf } from './spec.ts';
export { discoverFiles, eventFilesUnder, targetOf } from './local.ts';

/** Lists the event files of one remote source (use entriesFromKeys to name them). */
export type SourceLister = (source: LogdirSource) => Promise<EventFileEntry[]>;

const listers = new Map<string, SourceLister>();

/** Make `scheme://...` locations discoverable (e.g. registerSourceLister('s3', listS3)). */
export function registerSourceLister(scheme: string, lister: SourceLister): void {
  listers.set(scheme.toLowerCase(), lister);
}

/** The lister for a URL source, or a clear error naming the unsupported scheme. */
export function listerFor(source: LogdirSource): SourceLister {
  const scheme = source.path.slice(0, source.path.indexOf(':')).toLowerCase();
  const lister = listers.get(scheme);
  if (!lister)
    throw new Error(
      `${source.path}: ${scheme}:// log directories are not supported (supported: local paths${[...listers.keys()].map((s) => `, ${s}://`).join('')})`,
    );
  return lister;
}

/** Every event file of every source, local or remote: runs in name order, files in name order. */
export async function listEventFiles(sources: LogdirSource[]): Promise<EventFileEntry[]> {
  const local = sources.filter((s) => !isUrl(s.path));
  const out = discoverFiles(local);
  for (const s of sources) if (isUrl(s.path)) out.push(...(await listerFor(s)(s)));
  return out.sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0)); // stable: keeps each run's file order
}

export interface DiscoveredRun {
  /** Run name: path relative to the root with '/' separators; '.' for the root itself. */
  run: string;
  /** Absolute paths of its event files, in name order (the order writers create them). */
  files: string[];
}

/** Group entries (sorted by run) into runs. */
export function groupRuns(entries: EventFileEntry[]): DiscoveredRun[] {
  const runs: DiscoveredRun[] = [];
  for (const e of entries) {
    const last = runs[runs.length - 1];
    if (last && last.run === e.run) last.files.push(e.path);
    else runs.push({ run: e.run, files: [e.path] });
  }
  return runs;
}

/**
 * Runs under a local `root` (a directory, or a single event file whose run is '.'), sorted by run
 * name. Throws ENOENT when root does not exist.
 */
export function discoverRuns(root: string): DiscoveredRun[] {
  // A file named explicitly is read whatever its name (as `tensorboard --inspect --event_file`).
  if (statSync(root).isFile()) return [{ run: '.', files: [root] }];
  return groupRuns(discoverFiles([{ name: null, path: root }]));
}
