// User-given name patterns (run and tag filters) with RE2 syntax, matched in linear time.
//
// JavaScript's RegExp backtracks: `^((.+)+)+!` against a 19-character name never returns, and the
// server's one thread also ingests and feeds live updates. RE2 (here re2js, a pure-JS port of
// RE2/J: no native build, and the browser bundles the same code) has no backreferences or
// lookaround, so its matching time is linear in the name length. One more bound is ours: RE2's
// time is also proportional to the compiled program, and `.{0,1000}.{0,1000}x` compiles to
// 4,000 instructions (about 10 ms per 1 KiB name), so programs larger than MAX_PATTERN_PROGRAM
// are refused. Shared by the server (export route, store queries, `board export`) and the UI
// filters, so a pattern means the same thing everywhere.
import { RE2JS } from 're2js';

/** Longest accepted pattern source, in UTF-16 code units. */
export const MAX_PATTERN_LENGTH = 500;
/** Largest accepted compiled program, in RE2 instructions (a 500-character literal needs ~500). */
export const MAX_PATTERN_PROGRAM = 1000;

/** What the store needs of a filter: a yes/no per name. RegExp fits too (tests, trusted callers). */
export interface NameFilter {
  test(name: string): boolean;
}

export class PatternError extends Error {}

export interface NamePattern extends NameFilter {
  readonly source: string;
}

/**
 * Compiles a user pattern with RE2 semantics (`ignoreCase` for the UI filters). Throws
 * PatternError with a message fit for the user: too long, too large, or not RE2 syntax
 * (backreferences and lookaround included, which RE2 does not have).
 */
export function compilePattern(source: string, opts: { ignoreCase?: boolean } = {}): NamePattern {
  if (source.length > MAX_PATTERN_LENGTH)
    throw new PatternError(`pattern is ${source.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`);
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, opts.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    throw new PatternError(`not a valid RE2 pattern: ${message}`);
  }
  const size = programSize(re);
  if (size > MAX_PATTERN_PROGRAM) {
    throw new PatternError(
      `pattern too large: it compiles to ${size} RE2 instructions; the limit is ${MAX_PATTERN_PROGRAM} (use fewer or smaller repeat counts)`,
    );
  }
  // Filters test the same run name once per tag: remember answers (bounded, names are few).
  const memo = new Map<string, boolean>();
  return {
    source,
    test(name: string): boolean {
      let hit = memo.get(name);
      if (hit === undefined) {
        hit = re.test(name);
        if (memo.size < 100_000) memo.set(name, hit);
      }
      return hit;
    },
  };
}

/** The error message for a pattern, or null when it compiles (form validation). */
export function patternError(source: string, opts: { ignoreCase?: boolean } = {}): string | null {
  try {
    compilePattern(source, opts);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Instruction count of the compiled program; re2js keeps it on its internal RE2 object. */
function programSize(re: RE2JS): number {
  const prog = (re.re2() as unknown as { prog?: { inst?: unknown[] } }).prog;
  return Array.isArray(prog?.inst) ? prog.inst.length : 0;
}
