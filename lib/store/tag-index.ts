// The tag list the UI needs, compact enough for sweeps of thousands of runs. A sweep of 2,000 runs x
// 50 tags is 100,000 (run, tag) rows: as TagSummary objects that is ~12 MB of JSON in every page.
// Grouped by tag, with the runs holding it given as index ranges into the run list, it is a few KB.
// No runtime deps: client components import the decoder.
import type { RunSummary, TagSummary, ValueKind } from './types.ts';

export interface TagIndexEntry {
  tag: string;
  kind: ValueKind;
  plugin: string | null;
  /** Runs holding the tag: [start, count, start, count, ...] over indices of TagIndex.runs. */
  ranges: number[];
  /** Points over all runs. */
  count: number;
  /** Step range over all runs (numbers; beyond 2^53 decimal strings, as in TagSummary). */
  minStep: number | string;
  maxStep: number | string;
  displayName?: string;
  description?: string;
}

export interface TagIndex {
  runs: RunSummary[];
  tags: TagIndexEntry[];
}

const stepNum = (s: number | string) => (typeof s === 'number' ? s : Number(s));

/** One (run, tag) row for the index: the run given by its position in the run list. */
export interface TagIndexRow extends Omit<TagSummary, 'run'> {
  runIndex: number;
}

/** Groups (run, tag) rows by (tag, kind, plugin); run order is `runs` order. */
export function buildTagIndex(runs: RunSummary[], rows: TagSummary[]): TagIndex {
  const runIndex = new Map(runs.map((r, i) => [r.name, i]));
  const indexed: TagIndexRow[] = [];
  for (const t of rows) {
    const i = runIndex.get(t.run);
    if (i !== undefined) indexed.push({ ...t, runIndex: i }); // else a run removed between the two queries
  }
  return groupTagRows(runs, indexed);
}

/** The grouping step of buildTagIndex, for stores that read rows with run positions directly. */
export function groupTagRows(runs: RunSummary[], rows: Iterable<TagIndexRow>): TagIndex {
  const byKey = new Map<string, { entry: TagIndexEntry; members: number[] }>();
  for (const t of rows) {
    const i = t.runIndex;
    const key = `${t.kind}\u0000${t.plugin ?? ''}\u0000${t.tag}`;
    let g = byKey.get(key);
    if (!g) {
      g = {
        entry: { tag: t.tag, kind: t.kind, plugin: t.plugin, ranges: [], count: 0, minStep: t.minStep, maxStep: t.maxStep },
        members: [],
      };
      byKey.set(key, g);
    }
    g.members.push(i);
    g.entry.count += t.count;
    if (stepNum(t.minStep) < stepNum(g.entry.minStep)) g.entry.minStep = t.minStep;
    if (stepNum(t.maxStep) > stepNum(g.entry.maxStep)) g.entry.maxStep = t.maxStep;
    if (t.displayName && !g.entry.displayName) g.entry.displayName = t.displayName;
    if (t.description && !g.entry.description) g.entry.description = t.description;
  }
  const tags: TagIndexEntry[] = [];
  for (const { entry, members } of byKey.values()) {
    entry.ranges = toRanges(members);
    tags.push(entry);
  }
  tags.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  return { runs, tags };
}

/** Run positions (any order, no duplicates) as [start, count, ...] ranges. */
export function toRanges(members: number[]): number[] {
  members.sort((a, b) => a - b);
  const ranges: number[] = [];
  for (const m of members) {
    const last = ranges.length - 2;
    if (last >= 0 && ranges[last]! + ranges[last + 1]! === m) ranges[last + 1]!++;
    else ranges.push(m, 1);
  }
  return ranges;
}

/** Calls fn with every run index an entry's ranges cover. */
export function forEachRunIndex(entry: Pick<TagIndexEntry, 'ranges'>, fn: (i: number) => void): void {
  const r = entry.ranges;
  for (let k = 0; k + 1 < r.length; k += 2) for (let i = r[k]!, end = r[k]! + r[k + 1]!; i < end; i++) fn(i);
}
