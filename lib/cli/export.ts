// `board export`: ingest whatever is new in a logdir, then write every scalar point to stdout.
import { once } from 'node:events';
import { csvTextCell } from '../csv.ts';
import { compilePattern, type NameFilter } from '../pattern.ts';
import { startIngest, StoreLockedError } from '../ingest/index.ts';
import { openQueries } from '../store/queries.ts';
import type { ExportRow } from '../store/types.ts';

const HELP = `Usage: board export --logdir DIR [--db PATH] [--format jsonl|csv] [--runs REGEX] [--tags REGEX]

Write every scalar point of a log directory to stdout, one per line (no downsampling).

Options:
  --logdir DIR       Log directory (or a single event file) to read. New data is ingested first.
  --logdir_spec SPEC Instead of --logdir: name1:path1,name2:path2 (as TensorBoard).
  --db PATH          Store to use (default: the cache file board serve uses for this logdir;
                     ':memory:' reads everything without keeping a cache).
  --format FORMAT    jsonl (default): {"run":…,"tag":…,"step":…,"wall_time":…,"value":…}
                     csv: header run,tag,step,wall_time,value
                     Steps past 2^53 are written as strings; NaN and infinities as "nan", "inf", "-inf".
  --runs REGEX       Only runs whose name matches (RE2 syntax: no backreferences
                     or lookaround; matched in linear time).
  --tags REGEX       Only tags that match.
  -h, --help         Show this help.

Exit status: 0 on success, 2 on bad arguments, 1 on other errors.`;

interface ExportArgs { logdir?: string; logdirSpec?: string; db?: string; format: 'jsonl' | 'csv'; runs?: NameFilter; tags?: NameFilter }

export function parseExportArgs(argv: string[]): ExportArgs | 'help' {
  const out: ExportArgs = { format: 'jsonl' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return 'help';
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (a.startsWith('--') && eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--logdir': out.logdir = value(); break;
      case '--logdir_spec': case '--logdir-spec': out.logdirSpec = value(); break;
      case '--db': out.db = value(); break;
      case '--format': {
        const f = value();
        if (f !== 'jsonl' && f !== 'csv') throw new UsageError(`--format must be jsonl or csv, got ${JSON.stringify(f)}`);
        out.format = f; break;
      }
      case '--runs': out.runs = regex('--runs', value()); break;
      case '--tags': out.tags = regex('--tags', value()); break;
      default: throw new UsageError(`unknown option ${JSON.stringify(a)}`);
    }
  }
  if (!out.logdir === !out.logdirSpec) throw new UsageError('give --logdir DIR (or --logdir_spec SPEC)');
  return out;
}

class UsageError extends Error {}

/** RE2 syntax, linear-time matching: the same patterns as the web export (lib/pattern.ts). */
function regex(flag: string, src: string): NameFilter {
  try { return compilePattern(src); } catch (err) { throw new UsageError(`${flag}: ${(err as Error).message}`); }
}

export async function exportCommand(argv: string[]): Promise<number> {
  let args: ExportArgs | 'help';
  try { args = parseExportArgs(argv); } catch (err) {
    if (err instanceof UsageError) { console.error(`board export: ${err.message}\n\n${HELP}`); return 2; }
    throw err;
  }
  if (args === 'help') { console.log(HELP); return 0; }
  const opts: Parameters<typeof startIngest>[0] = { watch: false, progress: false };
  if (args.logdir) opts.logdir = args.logdir; else opts.logdirSpec = args.logdirSpec!;
  if (args.db) opts.db = args.db;
  const filter: { runs?: NameFilter; tags?: NameFilter } = {};
  if (args.runs) filter.runs = args.runs;
  if (args.tags) filter.tags = args.tags;
  let ingester;
  try { ingester = await startIngest(opts); } catch (err) {
    if (!(err instanceof StoreLockedError)) throw err;
    // A running `board serve` keeps this store current: export what it has, read-only.
    console.error(`board export: the store is being updated by board process ${err.pid}; exporting what it holds now`);
    const queries = openQueries(err.dbPath);
    try { await writeRows(process.stdout, queries.exportScalars(filter), args.format); } finally { queries.close(); }
    return 0;
  }
  try {
    await ingester.initialScan;
    await writeRows(process.stdout, ingester.queries.exportScalars(filter), args.format);
  } finally {
    await ingester.close();
  }
  return 0;
}

/** Stream rows to `out` in the given format, honouring backpressure. */
export async function writeRows(out: NodeJS.WritableStream, rows: Iterable<ExportRow>, format: 'jsonl' | 'csv'): Promise<void> {
  let buf = format === 'csv' ? 'run,tag,step,wall_time,value\n' : '';
  for (const r of rows) {
    buf += format === 'csv' ? csvLine(r) : jsonLine(r);
    if (buf.length > 1 << 16) {
      const ok = out.write(buf);
      buf = '';
      if (!ok) await once(out, 'drain');
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
