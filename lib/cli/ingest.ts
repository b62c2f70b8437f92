// `board ingest`: read a logdir into a store and keep watching it, with no web server. Several
// ingesters (one per logdir or spec, on any machines) may fill one PostgreSQL store that
// `board serve --db URL --no_ingest` processes serve.
import { EXIT_OK, parseFlags, runCommand, UsageError, type FlagDefs } from './args.ts';

const HELP = `Usage: board ingest --logdir DIR --db URL [--once] [--reload_interval SECONDS]
       board ingest --logdir_spec NAME:DIR,... --db URL [--once]

Ingest a log directory into a store and keep it current (no web server).

Options:
  --logdir DIR             Log directory: a local folder, or s3://BUCKET/PREFIX.
  --logdir_spec SPEC       Instead of --logdir: name1:path1,name2:path2 (as TensorBoard).
  --db URL|PATH            postgres://USER:PASS@HOST:PORT/DB (shared by other ingesters and by
                           web servers), or a SQLite store file.
  --once                   Ingest what is there now, then exit.
  --reload_interval SEC    Poll every SEC seconds instead of relying on file-system events
                           (object stores are always polled; default 5 s there).
  -h, --help               Show this help.

Each file is written by one ingester only: a PostgreSQL advisory lock per file makes a second
ingester of the same logdir leave that file alone (it takes over if the first one stops).

Exit status: 0 on success (or Ctrl-C / SIGTERM), 1 on failure, 2 on bad usage.`;

export const INGEST_FLAGS = {
  logdir: { type: 'string' },
  logdir_spec: { type: 'string' },
  db: { type: 'string' },
  once: { type: 'boolean' },
  reload_interval: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagDefs;

export interface IngestArgs {
  logdir?: string;
  logdirSpec?: string;
  db: string;
  once: boolean;
  reloadIntervalSec: number | null;
}

export function parseIngestArgs(argv: string[]): IngestArgs | 'help' {
  const { values: v } = parseFlags(argv, INGEST_FLAGS, { hint: "see 'board ingest --help'" });
  if (v.help) return 'help';
  if ((v.logdir === undefined) === (v.logdir_spec === undefined))
    throw new UsageError("give --logdir DIR or --logdir_spec SPEC (one of them); see 'board ingest --help'");
  if (v.db === undefined)
    throw new UsageError("--db is required (postgres://USER:PASS@HOST:PORT/DB, or a store file); see 'board ingest --help'");
  let reloadIntervalSec: number | null = null;
  if (v.reload_interval !== undefined) {
    const sec = Number(v.reload_interval);
    if (v.reload_interval.trim() === '' || !Number.isFinite(sec) || sec <= 0)
      throw new UsageError(`--reload_interval: expected seconds > 0, got '${v.reload_interval}'`);
    reloadIntervalSec = sec;
  }
  const out: IngestArgs = { db: v.db, once: v.once ?? false, reloadIntervalSec };
  if (v.logdir !== undefined) out.logdir = v.logdir;
  if (v.logdir_spec !== undefined) out.logdirSpec = v.logdir_spec;
  return out;
}

export function ingestCommand(argv: string[]): Promise<number> {
  return runCommand('board ingest', async () => {
    const args = parseIngestArgs(argv);
    if (args === 'help') {
      console.log(HELP);
      return EXIT_OK;
    }
    const { startIngest } = await import('../ingest/index.ts');
    const started = Date.now();
    const ing = await startIngest({
      logdir: args.logdir,
      logdirSpec: args.logdirSpec,
      db: args.db,
      watch: !args.once,
      progress: 'auto',
      pollIntervalMs: args.reloadIntervalSec === null ? undefined : args.reloadIntervalSec * 1000,
    });
    try {
      await ing.initialScan;
    } catch (err) {
      await ing.close();
      throw err;
    }
    const runs = (await ing.queries.listRuns()).length;
    console.log(
      `ingest: initial scan done in ${((Date.now() - started) / 1000).toFixed(1)} s (${runs} runs in the store)${args.once ? '' : ', watching for changes'}`,
    );
    if (args.once) {
      await ing.close();
      return EXIT_OK;
    }
    const { waitForShutdown } = await import('./serve.ts');
    return waitForShutdown(() => ing.close());
  });
}
