// Flags of `board serve`, parsed and validated. Kept apart from serve.ts so tests can check
// parsing and messages without starting anything.
import { parseSampleCaps } from '../server/sample-caps.ts';
import type { SampleCaps } from '../server/registry.ts';
import { intFlag, parseFlags, UsageError, type FlagDefs } from './args.ts';

export { UsageError } from './args.ts';

export interface ServeOptions {
  logdir: string | null;
  logdirSpec: string | null;
  port: number;
  host: string;
  /** Extra Host header names to answer (`--allowed_hosts a,b`), besides this machine's own. */
  allowedHosts: string[];
  db: string | null;
  /** Polling interval; null means file-system events (the default). */
  reloadIntervalSec: number | null;
  caps: SampleCaps;
  open: boolean;
  /** Serve the --db store only (no logdir, no ingest). */
  noIngest: boolean;
  help: boolean;
  version: boolean;
}

export const SERVE_HELP = `Serve TensorBoard log directories in the browser, live.

Reads every event file under the log directory into a SQLite store, watches it for new data and
serves the dashboard (scalars, images, histograms, text, hparams, PR curves, graphs). New points
reach open pages within a fraction of a second, without a reload.

Usage: board [serve] --logdir <DIR> [OPTIONS]
       board [serve] --logdir_spec <NAME:DIR,...> [OPTIONS]

Options:
      --logdir <DIR>
          Log directory to read. Every folder holding an event file (name containing "tfevents")
          is a run, named by its path relative to DIR.

      --logdir_spec <NAME:DIR,...>
          Several log directories at once, each under a name that prefixes its runs
          (e.g. "base:logs/a,tuned:logs/b"). Use instead of --logdir.

  -p, --port <PORT>
          TCP port to listen on. 0 picks a free port (the URL printed tells which).
          [default: 6006]

      --host <ADDR>
          Address to bind. Only this machine can connect unless you bind a public address.
          [default: 127.0.0.1]

      --bind_all
          Bind every interface (IPv4 and IPv6): anyone who can reach this machine can read
          your logs. Overrides --host.

      --allowed_hosts <HOST,...>
          Extra host names the board answers to, besides this machine's own names and
          addresses (e.g. a DNS alias or a port-forwarding proxy's name). Requests whose Host
          header names anything else are refused, which stops DNS-rebinding pages.

      --db <PATH|URL>
          Store to ingest into: a SQLite file, or postgres://USER:PASS@HOST:PORT/DB for a store
          shared by several ingesters and web servers (see docs/deploy.md). Reusing a store
          resumes from the stored offsets instead of re-reading every file.
          [default: a SQLite cache file under $XDG_CACHE_HOME/board (or ~/.cache/board), keyed
          by the log directory]

      --no_ingest
          Serve what the --db store holds without reading any log directory: a stateless web
          server for a store that 'board ingest' processes fill. With PostgreSQL, new points
          reach the browser through LISTEN/NOTIFY from whichever ingester flushed them.

      --reload_interval <SECONDS>
          Poll the log directory every SECONDS instead of relying on file-system change
          notifications: for file systems whose notifications are missing or late (network
          mounts, some containers). Fractions are allowed (0.5).
          [default: off; change notifications, which reach the browser in well under a second]

      --samples_per_plugin <PLUGIN=N,...>
          Caps how many samples the UI shows per series: scalars (points per chart), images,
          histograms, text, pr_curves (steps). Storage keeps everything.
          Example: "scalars=2000,images=20".

      --open
          Open the dashboard in the default browser once it answers.

  -V, --version
          Print the version and exit.

Flags may be written with '_' or '-' (--logdir_spec or --logdir-spec), and as --flag VALUE
or --flag=VALUE.

  -h, --help
          Print this help and exit.

Exit status:
  0 on a clean shutdown (Ctrl-C / SIGTERM), 1 when the board cannot start (missing log
  directory, port in use, database that cannot be opened), 2 on bad usage.
`;

/** The flags of `board serve`, declared once ('_' names; '-' spellings are accepted too). */
export const SERVE_FLAGS = {
  logdir: { type: 'string' },
  logdir_spec: { type: 'string' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  allowed_hosts: { type: 'string' },
  bind_all: { type: 'boolean' },
  db: { type: 'string' },
  reload_interval: { type: 'string' },
  samples_per_plugin: { type: 'string' },
  open: { type: 'boolean' },
  no_ingest: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies FlagDefs;

export function parseServeArgs(argv: string[]): ServeOptions {
  const { values: v } = parseFlags(argv, SERVE_FLAGS, { hint: "see 'board serve --help'" });
  const opts: ServeOptions = {
    logdir: v.logdir ?? null,
    logdirSpec: v.logdir_spec ?? null,
    port: 6006,
    host: '127.0.0.1',
    allowedHosts: [],
    db: v.db ?? null,
    reloadIntervalSec: null,
    caps: {},
    open: v.open ?? false,
    noIngest: v.no_ingest ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
  };
  if (opts.help || opts.version) return opts;
  if (v.port !== undefined) opts.port = intFlag('port', v.port, 0, 65535);
  if (v.host !== undefined) opts.host = v.host;
  if (v.bind_all) opts.host = '::';
  if (v.allowed_hosts !== undefined) {
    opts.allowedHosts = v.allowed_hosts
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const bad = opts.allowedHosts.find((h) => !/^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:]+:[0-9a-fA-F:.]*|[A-Za-z0-9._-]+)$/.test(h));
    if (bad !== undefined) throw new UsageError(`--allowed_hosts: '${bad}' is not a host name or address`);
  }
  if (v.reload_interval !== undefined) {
    const sec = Number(v.reload_interval);
    if (v.reload_interval.trim() === '' || !Number.isFinite(sec) || sec <= 0)
      throw new UsageError(`--reload_interval: expected seconds > 0, got '${v.reload_interval}'`);
    opts.reloadIntervalSec = sec;
  }
  if (v.samples_per_plugin !== undefined) {
    try {
      opts.caps = parseSampleCaps(v.samples_per_plugin);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (opts.noIngest) {
    if (opts.db === null)
      throw new UsageError(`--no_ingest serves a store: give --db postgres://... (or a store file); see 'board serve --help'`);
    if (opts.logdir !== null || opts.logdirSpec !== null)
      throw new UsageError('--no_ingest reads no log directory: leave out --logdir/--logdir_spec (run `board ingest` for them)');
    return opts;
  }
  if (opts.logdir === null && opts.logdirSpec === null)
    throw new UsageError(`--logdir is required (or --logdir_spec); see 'board serve --help'`);
  if (opts.logdir !== null && opts.logdirSpec !== null) throw new UsageError('--logdir and --logdir_spec cannot be used together');
  return opts;
}
