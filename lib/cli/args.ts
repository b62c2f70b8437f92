// The one argument parser of every command (board serve/export/inspect/events/..., the demo).
// Node's util.parseArgs does the parsing; this module adds what all commands share:
//   - `--flag_name` and `--flag-name` are the same flag (TensorBoard spells them with '_', most
//     CLIs with '-'); flags are declared once, with '_'.
//   - A flag that takes a value takes the next argument whatever it looks like, so `--port -1`
//     is a range error, not an "ambiguous" one.
//   - Every problem is a UsageError, which the command runner turns into exit status 2.
import { parseArgs } from 'node:util';
import { compilePattern, type NameFilter } from '../pattern.ts';

/** Exit statuses of every command. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad command-line usage: the runner prints the message and exits with EXIT_USAGE. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagDef {
  type: 'string' | 'boolean';
  /** One-letter alias, e.g. 'p' for --port. */
  short?: string;
  /** May be repeated; the values are collected in order. */
  multiple?: boolean;
}
export type FlagDefs = Record<string, FlagDef>;

/** The parsed value of each declared flag (absent when not given). */
export type FlagValues<D extends FlagDefs> = {
  [K in keyof D]?: D[K]['type'] extends 'boolean' ? boolean : D[K]['multiple'] extends true ? string[] : string;
};

export interface ParseOptions {
  /** Positional arguments allowed: false (default), or true for any number. */
  positionals?: boolean;
  /** Appended to "unknown option" messages, e.g. "see 'board serve --help'". */
  hint?: string;
}

/** Canonical spelling of a long flag name: '-' and '_' are interchangeable. */
export function flagKey(name: string): string {
  return name.replaceAll('-', '_');
}

export function parseFlags<D extends FlagDefs>(
  argv: readonly string[],
  defs: D,
  opts: ParseOptions = {},
): { values: FlagValues<D>; positionals: string[] } {
  const shortToLong = new Map<string, string>();
  for (const [name, d] of Object.entries(defs)) if (d.short) shortToLong.set(d.short, name);
  const hint = opts.hint ? ` (${opts.hint})` : '';
  // Rewrite to canonical `--name=value` / `--name` tokens; parseArgs then validates them.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i));
      break;
    }
    let name: string | null = null;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = flagKey(eq >= 0 ? a.slice(2, eq) : a.slice(2));
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
    } else if (/^-[A-Za-z]$/.test(a) && shortToLong.has(a[1]!)) {
      name = shortToLong.get(a[1]!)!;
    }
    if (name === null) {
      args.push(a);
      continue;
    }
    const def = defs[name];
    if (!def) throw new UsageError(`unknown option '${a.split('=')[0]}'${hint}`);
    if (def.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      args.push(`--${name}`);
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      args.push(`--${name}=${value}`);
    }
  }
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const [name, d] of Object.entries(defs)) options[name] = d.multiple ? { type: d.type, multiple: true } : { type: d.type };
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: opts.positionals ?? false });
    return { values: values as FlagValues<D>, positionals };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']*)'/.exec((err as Error).message)?.[1] ?? '';
      throw new UsageError(`unexpected argument '${arg}'${hint}`);
    }
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const arg = /'([^']*)'/.exec((err as Error).message)?.[1] ?? '';
      throw new UsageError(`unknown option '${arg}'${hint}`);
    }
    if (code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((err as Error).message);
    throw err;
  }
}

/** An integer flag value in [min, max]. */
export function intFlag(flag: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${flag}: expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`}, got '${raw}'`,
    );
  }
  return n;
}

/** One of a fixed set of words. */
export function choiceFlag<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${flag}: expected ${choices.join(' or ')}, got '${raw}'`);
  return raw as T;
}

/** A name pattern in RE2 syntax, matched in linear time: the web export's patterns (lib/pattern.ts). */
export function patternFlag(flag: string, raw: string): NameFilter {
  try {
    return compilePattern(raw);
  } catch (err) {
    throw new UsageError(`--${flag}: ${(err as Error).message}`);
  }
}

/**
 * Run a command body with the shared exit-status rules: its own return value on success,
 * EXIT_USAGE after printing a UsageError as "<prog>: <message>", EXIT_FAILURE after printing any
 * other error.
 */
export async function runCommand(prog: string, body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${prog}: ${err.message}`);
      return EXIT_USAGE;
    }
    console.error(`${prog}: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_FAILURE;
  }
}
