// Run selection in the URL, kept short for sweeps: the selected runs, or the runs left out.

/**
 * The explicit selection: `sel` lists the selected runs ('' alone: none), `desel` the runs left out
 * of "all". A sweep of 2,000 runs with one run toggled off stays a short URL that way.
 */
export function explicitSelection(names: string[], selKey: string | null, deselKey: string): Set<string> | null {
  if (selKey !== null) return new Set(selKey.split('\u0000').filter(Boolean));
  if (!deselKey) return null;
  const out = new Set(names);
  for (const n of deselKey.split('\u0000')) out.delete(n);
  return out;
}

/** URL patch for a selection: nothing for all runs, else the shorter of `sel` and `desel`. */
export function selectionParams(names: string[], next: Set<string>): Record<string, string[] | null> {
  if (next.size === 0) return { sel: [''], desel: null };
  const left = names.filter((n) => !next.has(n));
  if (left.length === 0) return { sel: null, desel: null };
  return left.length < next.size ? { sel: null, desel: left } : { sel: [...next], desel: null };
}
