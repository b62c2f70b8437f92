// The commands that need neither Next.js nor the web app: inspect, events, export. bin/board.js
// runs them from the compiled copy in dist/ when it is current, because starting through tsx
// costs about 0.8 CPU-seconds (its loader thread and transforms) before any work is done, and
// `board export` is often run on its own in scripts. So this module and everything it imports
// must build with tsconfig.build.json (no Next.js, no paths relative to the source tree).
import { runCommand } from './args.ts';

type Command = (argv: string[]) => Promise<number>;

export const BATCH_COMMANDS: Record<'inspect' | 'events' | 'export', () => Promise<Command>> = {
  inspect: async () => (await import('./inspect.ts')).inspectCommand,
  events: async () => (await import('./inspect.ts')).eventsCommand,
  export: async () => (await import('./export.ts')).exportCommand,
};

export function isBatchCommand(name: string): name is keyof typeof BATCH_COMMANDS {
  return Object.hasOwn(BATCH_COMMANDS, name);
}

/** Run one batch command with its arguments; exit status 0 / 1 / 2 as every command. */
export function runBatchCommand(name: keyof typeof BATCH_COMMANDS, argv: string[]): Promise<number> {
  return runCommand(`board ${name}`, async () => (await BATCH_COMMANDS[name]())(argv));
}
