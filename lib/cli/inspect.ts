// `board inspect <file-or-logdir> [--json]` and `board events <file> [--json]`.
import { readFileSync, statSync } from 'node:fs';
import { isUrl } from '../discovery/spec.ts';
import { inspect, jsonNumber, jsonStep, summarizeValue } from '../tfevents/inspect.ts';
import type { EventInfo } from '../tfevents/event-decode.ts';
import { RunNormalizer } from '../tfevents/normalize.ts';
import { terminalSafe } from './terminal-text.ts';
import { decodeEventBuffer } from '../tfevents/reader.ts';
import type { NormalizedValue, ValueData } from '../tfevents/types.ts';
import { EXIT_FAILURE, EXIT_OK, parseFlags, runCommand, UsageError, type FlagDefs } from './args.ts';

const INSPECT_HELP = `Usage: board inspect <file-or-logdir> [--json]

Summarize TensorBoard event files, like 'tensorboard --inspect'. The log directory may be
s3://BUCKET/PREFIX (AWS SDK configuration: credential chain, AWS_REGION, AWS_ENDPOINT_URL).

For a log directory, every directory holding files whose name contains "tfevents" is a run
(named by its path relative to the log directory, '.' for the directory itself). For each run and
tag it prints the value kind, count, step range and first and last values, then the number of
corrupt records (bad CRC or undecodable; reading resumes after each) and the bytes of an
incomplete record at the end of a file (a writer may still be writing it).

Options:
  --json   Print one JSON document:
           { "runs": { <run>: { "tags": { <tag>: { kind, plugin, count, minStep, maxStep, first, last } },
                                "corruptRecords", "corrupt": [{file, offset, reason}], "incompleteBytes",
                                "records", "files" } } }
           Steps are numbers, or decimal strings beyond 2^53. Scalars' first/last are numbers
           ('nan', 'inf', '-inf' as strings); other kinds give a short description object.
  -h, --help

Exit status: 0 when every record is valid, 1 when corrupt records were found, 2 on usage errors.`;

const EVENTS_HELP = `Usage: board events <file> [--json]

Print every event of one event file, in file order.

Options:
  --json   One JSON document per line: { offset, wallTime, step, what, fileVersion?, sourceWriter?,
           values: [{ tag, kind, plugin, data }] }, and { corrupt: { file, offset, reason } } lines
           for corrupt records, and finally { incompleteBytes } when the file ends mid-record.
           Typed arrays are printed as arrays, byte strings as base64.
  -h, --help

Exit status: 0 when every record is valid, 1 when corrupt records were found, 2 on usage errors.`;

/** `board inspect ... | head` closes the pipe early: that is not an error. */
function exitQuietlyOnEpipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const INSPECT_FLAGS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagDefs;

/** Flags of inspect and events: one <target> and --json. Null after printing the help. */
function parseTargetArgs(command: 'inspect' | 'events', argv: string[], help: string): { target: string; json: boolean } | null {
  const { values, positionals } = parseFlags(argv, INSPECT_FLAGS, { positionals: true, hint: `see 'board ${command} --help'` });
  if (values.help) {
    console.log(help);
    return null;
  }
  const what = command === 'inspect' ? '<file-or-logdir>' : '<file>';
  if (positionals.length !== 1)
    throw new UsageError(`expected one ${what} argument, got ${positionals.length} (see 'board ${command} --help')`);
  exitQuietlyOnEpipe();
  return { target: positionals[0]!, json: values.json ?? false };
}

function fmt(x: unknown): string {
  return typeof x === 'string' ? terminalSafe(JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)) : JSON.stringify(x);
}

export function inspectCommand(argv: string[]): Promise<number> {
  return runCommand('board inspect', () => inspectTarget(argv));
}

async function inspectTarget(argv: string[]): Promise<number> {
  const args = parseTargetArgs('inspect', argv, INSPECT_HELP);
  if (args === null) return EXIT_OK;
  let result;
  if (isUrl(args.target)) {
    // Object stores (s3://BUCKET/PREFIX): loaded on first use, so local inspects never load the AWS SDK.
    await import('../sources/remote.ts');
    const { inspectRemote } = await import('../sources/inspect-remote.ts');
    result = await inspectRemote(args.target);
  } else {
    try {
      statSync(args.target);
    } catch {
      throw new UsageError(`${args.target}: no such file or directory`);
    }
    result = inspect(args.target);
  }
  const corrupt = Object.values(result.runs).reduce((a, r) => a + r.corruptRecords, 0);
  if (args.json) {
    console.log(JSON.stringify(result, null, 1));
    return corrupt ? EXIT_FAILURE : EXIT_OK;
  }
  const runs = Object.entries(result.runs);
  if (runs.length === 0) console.log(`No event files (names containing "tfevents") under ${args.target}.`);
  for (const [run, r] of runs) {
    console.log(`run ${terminalSafe(run)}  (${r.files.length} file${r.files.length === 1 ? '' : 's'}, ${r.records} records)`);
    const rows = Object.entries(r.tags).map(([tag, t]) => [
      terminalSafe(tag),
      t.kind,
      String(t.count),
      `${t.minStep}..${t.maxStep}`,
      fmt(t.first),
      fmt(t.last),
    ]);
    const head = ['tag', 'kind', 'count', 'steps', 'first', 'last'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`;
    console.log(line(head));
    for (const row of rows) console.log(line(row));
    console.log(`  corrupt records: ${r.corruptRecords}, incomplete bytes: ${r.incompleteBytes}`);
    for (const c of r.corrupt) console.log(`    corrupt record at ${terminalSafe(c.file)} offset ${c.offset} (${c.reason})`);
    console.log('');
  }
  return corrupt ? EXIT_FAILURE : EXIT_OK;
}

/** Full JSON of a value's data: typed arrays as arrays, bytes as base64, non-finite as strings. */
function dataJson(d: ValueData): unknown {
  return JSON.parse(
    JSON.stringify(d, (_k, v: unknown) => {
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
      if (v instanceof Float64Array) return Array.from(v, jsonNumber);
      if (typeof v === 'number') return jsonNumber(v);
      return v;
    }),
  ) as unknown;
}

export function eventsCommand(argv: string[]): Promise<number> {
  return runCommand('board events', () => printEvents(argv));
}

function printEvents(argv: string[]): number {
  const args = parseTargetArgs('events', argv, EVENTS_HELP);
  if (args === null) return EXIT_OK;
  let st;
  try {
    st = statSync(args.target);
  } catch {
    throw new UsageError(`${args.target}: no such file`);
  }
  if (!st.isFile()) throw new UsageError(`${args.target} is not a file (use 'board inspect' for a log directory)`);
  let pending: NormalizedValue[] = [];
  const lines: Array<[number, string]> = [];
  const res = decodeEventBuffer(new Uint8Array(readFileSync(args.target)), {
    file: args.target,
    baseOffset: 0,
    normalizer: new RunNormalizer(),
    onValue: (v) => pending.push(v),
    onEvent: (info: EventInfo, offset: number) => {
      const values = pending.map((v) => ({
        tag: v.tag,
        kind: v.kind,
        plugin: v.plugin,
        data: args.json ? dataJson(v.data) : summarizeValue(v.data),
      }));
      pending = [];
      const ev: Record<string, unknown> = { offset, wallTime: info.wallTime, step: jsonStep(info.step), what: info.kind };
      if (info.fileVersion !== null) ev.fileVersion = info.fileVersion;
      if (info.sourceWriter !== null) ev.sourceWriter = info.sourceWriter;
      ev.values = values;
      lines.push([
        offset,
        args.json
          ? JSON.stringify(ev)
          : `@${offset} step ${String(jsonStep(info.step))} ${info.wallTime === null ? '(no wall time)' : new Date(info.wallTime * 1000).toISOString()} ${info.kind}` +
            (info.fileVersion !== null ? ` ${terminalSafe(info.fileVersion)}` : '') +
            values.map((v) => `\n    ${terminalSafe(v.tag)} [${v.kind}] ${terminalSafe(JSON.stringify(v.data))}`).join(''),
      ]);
    },
  });
  for (const c of res.corrupt)
    lines.push([c.offset, args.json ? JSON.stringify({ corrupt: c }) : `@${c.offset} corrupt record (${c.reason})`]);
  lines.sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < lines.length; i += 1000)
    process.stdout.write(
      lines
        .slice(i, i + 1000)
        .map((l) => l[1])
        .join('\n') + '\n',
    );
  if (res.incompleteBytes)
    console.log(
      args.json ? JSON.stringify({ incompleteBytes: res.incompleteBytes }) : `incomplete record: ${res.incompleteBytes} bytes at the end`,
    );
  return res.corrupt.length ? EXIT_FAILURE : EXIT_OK;
}
