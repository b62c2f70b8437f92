// `board` command dispatcher. Each subcommand lives in its own module and is loaded lazily, so
// `board inspect` never pays for Next.js start-up. To add a command, add one entry to COMMANDS
// (its usage line is listed by `board --help`), parse its flags with parseFlags (./args.ts) and
// wrap its body in runCommand so exit statuses stay 0 / 1 / 2.
import { EXIT_OK, EXIT_USAGE, runCommand } from './args.ts';
import { version } from './version.ts';
import { BATCH_COMMANDS } from './batch.ts';

export { version } from './version.ts';

type Command = (argv: string[]) => Promise<number>;

interface CommandEntry {
  /** One usage line for `board --help`. */
  usage: string;
  load: () => Promise<Command>;
}

const COMMANDS: Record<string, CommandEntry> = {
  serve: {
    usage: 'board [serve] --logdir DIR [options]  |  board serve --db URL --no_ingest',
    load: async () => (await import('./serve.ts')).serveCommand,
  },
  ingest: {
    usage: 'board ingest --logdir DIR --db URL [--once]',
    load: async () => (await import('./ingest.ts')).ingestCommand,
  },
  inspect: { usage: 'board inspect <file-or-logdir> [--json]', load: BATCH_COMMANDS.inspect },
  events: { usage: 'board events <file> [--json]', load: BATCH_COMMANDS.events },
  export: {
    usage: 'board export (--logdir DIR [--db PATH] | --db URL) [--format jsonl|csv] [--runs REGEX] [--tags REGEX]',
    load: BATCH_COMMANDS.export,
  },
};

export function usage(): string {
  const lines = Object.values(COMMANDS).map((c, i) => `${i === 0 ? 'Usage: ' : '       '}${c.usage}`);
  return `${lines.join('\n')}

Flags may be written --flag_name or --flag-name, --flag VALUE or --flag=VALUE.
Run 'board <command> --help' for the options of a command.
Exit status: 0 on success, 1 on failure, 2 on bad usage.`;
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-V') {
    console.log(version());
    return EXIT_OK;
  }
  if (first === '--help' || first === '-h') {
    console.log(usage());
    return EXIT_OK;
  }
  if (first === undefined) {
    console.error(usage());
    return EXIT_USAGE;
  }
  // `board --logdir DIR` is `board serve --logdir DIR`, as TensorBoard.
  const name = Object.hasOwn(COMMANDS, first) ? first : 'serve';
  if (name !== first && !first.startsWith('-')) {
    console.error(`board: unknown command '${first}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  const args = name === first ? rest : argv;
  return runCommand(`board ${name}`, async () => (await COMMANDS[name]!.load())(args));
}
