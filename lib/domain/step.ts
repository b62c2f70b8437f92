// Steps, one representation from the event file to the browser.
//
// A step is an int64 in the file. Board carries it as `Step`: a JS number while it is a safe
// integer (|s| <= 2^53 - 1: every step any real training loop writes), a bigint beyond, so that no
// step is ever rounded. JSON cannot carry a bigint, so at the JSON boundary (HTTP API, `--json`
// output, export) the same rule gives `JsonStep`: the number, or the exact decimal string. The
// browser reads JsonStep and plots stepAsNumber() (a chart axis needs a number; the label keeps
// the exact string).
//
// This module has no Node or browser dependency: lib/ and app/ both import it.

export type Step = number | bigint;
export type JsonStep = number | string;

/** The canonical Step for an int64: a number while safe, else the bigint. */
export function stepOf(s: number | bigint): Step {
  if (typeof s === 'number') return s;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}

/** Step in JSON: the number while safe, else the exact decimal string. */
export function stepToJson(s: Step): JsonStep {
  if (typeof s === 'number') return s;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s.toString();
}

/** Back from JSON (exact). */
export function stepFromJson(s: JsonStep): Step {
  return typeof s === 'number' ? s : stepOf(BigInt(s));
}

/** A number for chart axes and arithmetic (rounded beyond 2^53). */
export function stepAsNumber(s: Step | JsonStep): number {
  return typeof s === 'number' ? s : Number(s);
}

/** Exact order of two steps. */
export function compareSteps(a: Step, b: Step): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = BigInt(a),
    y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
