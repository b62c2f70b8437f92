// Where the runs are: --logdir (a directory, a single event file, or a URL such as s3://bucket/prefix)
// or TensorBoard's --logdir_spec name1:path1,name2:path2. Every command turns its flags into
// LogdirSources here, so `board serve`, `board export` and `board inspect` agree on them.
import { resolve } from 'node:path';
import type { LogdirSource } from './rules.ts';

const URL_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** True for `s3://bucket/x`, `gs://x`, `postgres://...`: locations that are not local paths. */
export function isUrl(location: string): boolean {
  return URL_RE.test(location);
}

/** A local path made absolute; URLs are kept as written. */
export function resolveLocation(location: string): string {
  return isUrl(location) ? location : resolve(location);
}

/** Parse TensorBoard's --logdir_spec: comma-separated `name:path` or bare `path` entries. */
export function parseLogdirSpec(spec: string): LogdirSource[] {
  const out: LogdirSource[] = [];
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const colon = entry.indexOf(':');
    // A URL ("s3://x") and, on Windows, "C:\\x" (a drive letter) are paths, not name:path.
    const isPath = colon < 0 || isUrl(entry) || (process.platform === 'win32' && /^[A-Za-z]:[\\/]/.test(entry));
    if (isPath) out.push({ name: null, path: resolveLocation(entry) });
    else {
      const name = entry.slice(0, colon),
        path = entry.slice(colon + 1);
      if (!name || !path) throw new Error(`--logdir_spec: bad entry ${JSON.stringify(entry)} (expected name:path)`);
      out.push({ name, path: resolveLocation(path) });
    }
  }
  if (out.length === 0) throw new Error('--logdir_spec: no entries');
  const names = out.map((s) => s.name).filter((n) => n !== null);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`--logdir_spec: name ${JSON.stringify(dup)} is used twice`);
  return out;
}

/** The sources named by exactly one of --logdir and --logdir_spec. */
export function sourcesOf(opts: { logdir?: string | null; logdirSpec?: string | null }): LogdirSource[] {
  if (!opts.logdir === !opts.logdirSpec) throw new Error('give exactly one of --logdir and --logdir_spec');
  return opts.logdir ? [{ name: null, path: resolveLocation(opts.logdir) }] : parseLogdirSpec(opts.logdirSpec!);
}
