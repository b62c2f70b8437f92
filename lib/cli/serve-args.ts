// Flags of `board serve`, parsed and validated. Kept apart from serve.ts so tests can check
// parsing and messages without starting anything.
import { parseSampleCaps } from '../server/sample-caps.ts';
import type { SampleCaps } from '../server/registry.ts';

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

      --db <PATH>
          SQLite database to ingest into. Reusing a database resumes from the stored offsets
          instead of re-reading every file.
          [default: a cache file under $XDG_CACHE_HOME/board (or ~/.cache/board), keyed by
          the log directory]

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

  -h, --help
          Print this help and exit.

Exit status:
  0 on a clean shutdown (Ctrl-C / SIGTERM), 1 when the board cannot start (missing log
  directory, port in use, database that cannot be opened), 2 on bad usage.
`;

export class UsageError extends Error {}

const VALUE_FLAGS = new Set(['logdir', 'logdir_spec', 'port', 'host', 'allowed_hosts', 'db', 'reload_interval', 'samples_per_plugin']);
const BOOL_FLAGS = new Set(['bind_all', 'open', 'help', 'version']);
const SHORT: Record<string, string> = { p: 'port', h: 'help', V: 'version' };

export function parseServeArgs(argv: string[]): ServeOptions {
  const raw = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      name = name.replaceAll('-', '_');
    } else if (/^-[a-zA-Z]$/.test(arg) && SHORT[arg[1]!]) {
      name = SHORT[arg[1]!]!;
    } else {
      throw new UsageError(`unexpected argument '${arg}' (see 'board serve --help')`);
    }
    if (BOOL_FLAGS.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      raw.set(name, true);
    } else if (VALUE_FLAGS.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      raw.set(name, value);
    } else {
      throw new UsageError(`unknown option '--${name}' (see 'board serve --help')`);
    }
  }
  const str = (k: string) => (typeof raw.get(k) === 'string' ? (raw.get(k) as string) : null);
  const opts: ServeOptions = {
    logdir: str('logdir'),
    logdirSpec: str('logdir_spec'),
    port: 6006,
    host: '127.0.0.1',
    allowedHosts: [],
    db: str('db'),
    reloadIntervalSec: null,
    caps: {},
    open: raw.has('open'),
    help: raw.has('help'),
    version: raw.has('version'),
  };
  if (opts.help || opts.version) return opts;
  if (str('port') !== null) {
    const port = Number(str('port'));
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected an integer 0..65535, got '${str('port')}'`);
    opts.port = port;
  }
  if (str('host') !== null) opts.host = str('host')!;
  if (raw.has('bind_all')) opts.host = '::';
  if (str('allowed_hosts') !== null) {
    opts.allowedHosts = str('allowed_hosts')!.split(',').map((h) => h.trim()).filter(Boolean);
    const bad = opts.allowedHosts.find((h) => !/^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:]+:[0-9a-fA-F:.]*|[A-Za-z0-9._-]+)$/.test(h));
    if (bad !== undefined) throw new UsageError(`--allowed_hosts: '${bad}' is not a host name or address`);
  }
  if (str('reload_interval') !== null) {
    const sec = Number(str('reload_interval'));
    if (!Number.isFinite(sec) || sec <= 0) throw new UsageError(`--reload_interval: expected seconds > 0, got '${str('reload_interval')}'`);
    opts.reloadIntervalSec = sec;
  }
  if (str('samples_per_plugin') !== null) {
    try { opts.caps = parseSampleCaps(str('samples_per_plugin')!); } catch (err) { throw new UsageError((err as Error).message); }
  }
  if (opts.logdir === null && opts.logdirSpec === null) throw new UsageError(`--logdir is required (or --logdir_spec); see 'board serve --help'`);
  if (opts.logdir !== null && opts.logdirSpec !== null) throw new UsageError('--logdir and --logdir_spec cannot be used together');
  return opts;
}
