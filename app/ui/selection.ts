// Run selection in the URL, kept short for sweeps: the selected runs, or the runs left out. Pure (no
// React): the client's run context and the server-rendered page both read the selection here.
import type { NameFilter } from '../../lib/pattern.ts';
import { forEachRunIndex, type TagIndexEntry } from '../../lib/store/tag-index.ts';
import type { RunSummary } from '../../lib/store/types.ts';
import { compileFilter } from './name-filter.ts';

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

/** The URL parameters that decide which runs dashboards show, as strings (stable memo keys). */
export interface SelectionKeys {
  /** `hide` values joined by NUL. */
  hiddenKey: string;
  /** `sel` values joined by NUL, or null when the URL has no `sel`. */
  selKey: string | null;
  /** `desel` values joined by NUL. */
  deselKey: string;
  /** The run filter's source (`runFilter`). */
  filterSrc: string;
}

export function selectionKeys(params: URLSearchParams): SelectionKeys {
  return {
    hiddenKey: params.getAll('hide').join('\u0000'),
    selKey: params.has('sel') ? params.getAll('sel').join('\u0000') : null,
    deselKey: params.getAll('desel').join('\u0000'),
    filterSrc: params.get('runFilter') ?? '',
  };
}

export interface RunView {
  /** Runs shown in dashboards: selected, not hidden, matching the run filter (in run-list order). */
  selected: string[];
  hidden: Set<string>;
  /** Explicit selection from the URL; null means "all runs". */
  explicit: Set<string> | null;
  filter: NameFilter | null;
  filterError: string | null;
}

/**
 * The runs dashboards show. The client's run context and the server-rendered page (which starts
 * the first charts' requests before hydration) both decide it here, so they agree.
 */
export function selectedRuns(names: string[], keys: SelectionKeys): RunView {
  const hidden = new Set(keys.hiddenKey ? keys.hiddenKey.split('\u0000') : []);
  const explicit = explicitSelection(names, keys.selKey, keys.deselKey);
  const { re, error } = compileFilter(keys.filterSrc);
  const selected = names.filter((n) => !hidden.has(n) && (explicit === null || explicit.has(n)) && (re === null || re.test(n)));
  return { selected, hidden, explicit, filter: re, filterError: error };
}

/** Tags of the given kind over the selected runs: tag -> runs that have it (selected order), sorted by tag. */
export function tagsOfKind(
  view: { runs: readonly RunSummary[]; tags: readonly TagIndexEntry[]; selected: readonly string[] },
  kinds: readonly string[],
  plugins: readonly string[] = [],
): Map<string, string[]> {
  const sel = new Set(view.selected);
  const out = new Map<string, string[]>();
  for (const t of view.tags) {
    if (!kinds.includes(t.kind) && !(t.plugin !== null && plugins.includes(t.plugin))) continue;
    let list = out.get(t.tag);
    forEachRunIndex(t, (i) => {
      const run = view.runs[i]?.name;
      if (run === undefined || !sel.has(run)) return;
      if (!list) {
        list = [];
        out.set(t.tag, list);
      }
      list.push(run);
    });
  }
  return new Map([...out.entries()].sort((a, b) => a[0].localeCompare(b[0])));
}
