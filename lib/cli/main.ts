// `board` command dispatcher. Each subcommand lives in its own module and is loaded lazily, so
// `board inspect` never pays for Next.js start-up.
import { readFileSync } from 'node:fs';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.ts')).serveCommand,
  inspect: async () => (await import('./inspect.ts')).inspectCommand,
  events: async () => (await import('./inspect.ts')).eventsCommand,
  export: async () => (await import('./export.ts')).exportCommand,
};

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return pkg.version as string;
}

const USAGE = `Usage: board [serve] --logdir DIR [options]
       board inspect <file-or-logdir> [--json]
       board events <file> --json
       board export --logdir DIR [--db PATH] [--format jsonl|csv] [--runs REGEX] [--tags REGEX]

Run 'board <command> --help' for the options of a command.`;

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-V') { console.log(version()); return 0; }
  if (first === undefined || first === '--help' || first === '-h') {
    if (first === undefined) { console.error(USAGE); return 2; }
    console.log(USAGE); return 0;
  }
  const name = first in COMMANDS ? first : 'serve';
  const args = first in COMMANDS ? rest : argv;
  try {
    const command = await COMMANDS[name]!();
    return await command(args);
  } catch (err) {
    console.error(`board ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
