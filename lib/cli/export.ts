// `board export`: ingest whatever is new in a logdir, then write every scalar point to stdout.
import { once } from 'node:events';
import { csvTextCell } from '../csv.ts';
import type { NameFilter } from '../pattern.ts';
import { startIngest, StoreLockedError } from '../ingest/index.ts';
import { openQueries } from '../store/queries.ts';
import { openReadStore } from './read-store.ts';
import type { ExportRow } from '../store/types.ts';
import { choiceFlag, EXIT_OK, parseFlags, patternFlag, runCommand, UsageError, type FlagDefs } from './args.ts';

const HELP = `Usage: board export --logdir DIR [--db PATH|URL] [--format jsonl|csv] [--runs REGEX] [--tags REGEX]
       board export --db PATH|URL [--format jsonl|csv] [--runs REGEX] [--tags REGEX]

Write every scalar point of a log directory (or of a store) to stdout, one per line (no downsampling).

Options:
  --logdir DIR       Log directory (or a single event file) to read. New data is ingested first.
  --logdir_spec SPEC Instead of --logdir: name1:path1,name2:path2 (as TensorBoard).
  --logdir DIR       may be an object-store URL: s3://BUCKET/PREFIX.
  --db PATH|URL      Store to use (default: the cache file board serve uses for this logdir;
                     ':memory:' reads everything without keeping a cache; postgres://USER:PASS@HOST/DB
                     for a shared PostgreSQL store). Without --logdir/--logdir_spec, exports what
                     the store holds, ingesting nothing.
  --format FORMAT    jsonl (default): {"run":…,"tag":…,"step":…,"wall_time":…,"value":…}
                     csv: header run,tag,step,wall_time,value
                     Steps past 2^53 are written as strings; NaN and infinities as "nan", "inf", "-inf".
  --runs REGEX       Only runs whose name matches (RE2 syntax: no backreferences
                     or lookaround; matched in linear time).
  --tags REGEX       Only tags that match.
  -h, --help         Show this help.

Flags may be written with '_' or '-' (--logdir_spec or --logdir-spec).

Exit status: 0 on success, 2 on bad arguments, 1 on other errors.`;

interface ExportArgs {
  logdir?: string;
  logdirSpec?: string;
  db?: string;
  format: 'jsonl' | 'csv';
  runs?: NameFilter;
  tags?: NameFilter;
}

export const EXPORT_FLAGS = {
  logdir: { type: 'string' },
  logdir_spec: { type: 'string' },
  db: { type: 'string' },
  format: { type: 'string' },
  runs: { type: 'string' },
  tags: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagDefs;

export function parseExportArgs(argv: string[]): ExportArgs | 'help' {
  const { values: v } = parseFlags(argv, EXPORT_FLAGS, { hint: "see 'board export --help'" });
  if (v.help) return 'help';
  const out: ExportArgs = { format: v.format === undefined ? 'jsonl' : choiceFlag('format', v.format, ['jsonl', 'csv'] as const) };
  if (v.logdir !== undefined) out.logdir = v.logdir;
  if (v.logdir_spec !== undefined) out.logdirSpec = v.logdir_spec;
  if (v.db !== undefined) out.db = v.db;
  if (v.runs !== undefined) out.runs = patternFlag('runs', v.runs);
  if (v.tags !== undefined) out.tags = patternFlag('tags', v.tags);
  if (out.logdir !== undefined && out.logdirSpec !== undefined)
    throw new UsageError("give --logdir DIR or --logdir_spec SPEC, not both; see 'board export --help'");
  if (out.logdir === undefined && out.logdirSpec === undefined && out.db === undefined)
    throw new UsageError("give --logdir DIR (or --logdir_spec SPEC), or --db to export a store; see 'board export --help'");
  return out;
}

export function exportCommand(argv: string[]): Promise<number> {
  return runCommand('board export', async () => {
    const args = parseExportArgs(argv);
    if (args === 'help') {
      console.log(HELP);
      return EXIT_OK;
    }
    return exportScalars(args);
  });
}

async function exportScalars(args: ExportArgs): Promise<number> {
  if (args.logdir === undefined && args.logdirSpec === undefined) {
    // Export what the store holds (PostgreSQL filled by `board ingest`, or a store file).
    const store = await openReadStore(args.db!, { listen: false });
    try {
      await writeRows(process.stdout, store.queries.exportScalars({ runs: args.runs, tags: args.tags }), args.format);
    } finally {
      await store.close();
    }
    return EXIT_OK;
  }
  const opts: Parameters<typeof startIngest>[0] = { watch: false, progress: false };
  if (args.logdir) opts.logdir = args.logdir;
  else opts.logdirSpec = args.logdirSpec!;
  if (args.db) opts.db = args.db;
  const filter: { runs?: NameFilter; tags?: NameFilter } = {};
  if (args.runs) filter.runs = args.runs;
  if (args.tags) filter.tags = args.tags;
  let ingester;
  try {
    ingester = await startIngest(opts);
  } catch (err) {
    if (!(err instanceof StoreLockedError)) throw err;
    // A running `board serve` keeps this store current: export what it has, read-only.
    console.error(`board export: the store is being updated by board process ${err.pid}; exporting what it holds now`);
    const queries = openQueries(err.dbPath);
    try {
      await writeRows(process.stdout, queries.exportScalars(filter), args.format);
    } finally {
      queries.close();
    }
    return EXIT_OK;
  }
  try {
    await ingester.initialScan;
    await writeRows(process.stdout, ingester.queries.exportScalars(filter), args.format);
  } finally {
    await ingester.close();
  }
  return EXIT_OK;
}

/** Stream rows to `out` in the given format, honouring backpressure. */
export async function writeRows(out: NodeJS.WritableStream, batches: AsyncIterable<ExportRow[]>, format: 'jsonl' | 'csv'): Promise<void> {
  let buf = format === 'csv' ? 'run,tag,step,wall_time,value\n' : '';
  for await (const rows of batches) {
    for (const r of rows) {
      buf += format === 'csv' ? csvLine(r) : jsonLine(r);
      if (buf.length > 1 << 16) {
        const ok = out.write(buf);
        buf = '';
        if (!ok) await once(out, 'drain');
      }
    }
  }
  if (buf) out.write(buf);
}

export function formatValue(v: number): number | string {
  if (v === v && v !== Infinity && v !== -Infinity) return v;
  return v !== v ? 'nan' : v > 0 ? 'inf' : '-inf';
}

export function jsonLine(r: ExportRow): string {
  return `{"run":${JSON.stringify(r.run)},"tag":${JSON.stringify(r.tag)},"step":${JSON.stringify(r.step)},"wall_time":${r.wallTime === null ? 'null' : JSON.stringify(r.wallTime)},"value":${JSON.stringify(formatValue(r.value))}}\n`;
}

export function csvLine(r: ExportRow): string {
  return `${csvTextCell(r.run)},${csvTextCell(r.tag)},${r.step},${r.wallTime === null ? '' : r.wallTime},${formatValue(r.value)}\n`;
}
