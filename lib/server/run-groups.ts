// Run groups: a sweep's runs gathered by a regex capture group of their names or by the value of
// one hyper-parameter, and each group's curve aggregated per step (mean with a min–max or ±std
// band), the seed aggregation tensorboard-reducer and W&B offer. The UI and the export share it;
// group patterns are RE2 syntax (re2js, linear time), like every other user pattern.
import { RE2JS } from 're2js';
import { compilePattern } from '../pattern.ts';

export type GroupBy = { by: 'regex'; pattern: string } | { by: 'hparam'; name: string };

/** Runs left over (no match, no such hparam) share this group. */
export const UNGROUPED = '(other)';

/** hparams of sessions, per run name; a session logged in a child run (add_hparams) also counts for its parent. */
export function hparamsByRun(
  sessions: Array<{ run: string; hparams: Record<string, string | number | boolean> }>,
): Map<string, Record<string, string | number | boolean>> {
  const out = new Map<string, Record<string, string | number | boolean>>();
  for (const s of sessions) {
    out.set(s.run, s.hparams);
    const slash = s.run.lastIndexOf('/');
    if (slash > 0 && !out.has(s.run.slice(0, slash))) out.set(s.run.slice(0, slash), s.hparams);
  }
  return out;
}

/**
 * The group label of a run: the first capture group of `pattern` (the whole match when it has
 * none), or the hparam's value. Throws on an invalid regex so callers can report it.
 */
export function groupLabeler(by: GroupBy, hparams?: Map<string, Record<string, string | number | boolean>>): (run: string) => string {
  if (by.by === 'regex') {
    compilePattern(by.pattern); // length, RE2 syntax and program size, with the usual messages
    const re = RE2JS.compile(by.pattern);
    const memo = new Map<string, string>();
    return (run) => {
      let label = memo.get(run);
      if (label !== undefined) return label;
      const m = re.matcher(run);
      if (!m.find()) label = UNGROUPED;
      else {
        label = m.group(0) ?? UNGROUPED;
        for (let g = 1; g <= m.groupCount(); g++) {
          const v = m.group(g);
          if (v !== null && v !== undefined) {
            label = v;
            break;
          }
        }
      }
      if (memo.size < 100_000) memo.set(run, label);
      return label;
    };
  }
  return (run) => {
    const v = hparams?.get(run)?.[by.name];
    return v === undefined ? UNGROUPED : `${by.name}=${String(v)}`;
  };
}

/** Runs by group label, groups in label order (UNGROUPED last), runs in the given order. */
export function groupRuns(runs: string[], label: (run: string) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of runs) {
    const g = label(r);
    const list = out.get(g);
    if (list) list.push(r);
    else out.set(g, [r]);
  }
  return new Map(
    [...out.entries()].sort((a, b) => (a[0] === UNGROUPED ? 1 : b[0] === UNGROUPED ? -1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
  );
}

export interface GroupAggregate {
  steps: number[];
  /** x positions (first member's x at that step, e.g. its relative time). */
  xs: number[];
  mean: number[];
  min: number[];
  max: number[];
  std: number[];
  /** Runs contributing at each step. */
  n: number[];
}

/**
 * Per-step statistics over the members' series (steps need not match: each step aggregates the
 * runs that have it). Non-finite values are left out. std is the population standard deviation.
 */
export function aggregateByStep(
  members: Array<{ steps: ArrayLike<number>; xs?: ArrayLike<number>; values: ArrayLike<number> }>,
): GroupAggregate {
  const acc = new Map<number, { x: number; sum: number; sq: number; min: number; max: number; n: number }>();
  for (const m of members) {
    for (let i = 0; i < m.steps.length; i++) {
      const v = m.values[i]!;
      if (!Number.isFinite(v)) continue;
      const step = m.steps[i]!;
      const a = acc.get(step);
      if (a) {
        a.sum += v;
        a.sq += v * v;
        if (v < a.min) a.min = v;
        if (v > a.max) a.max = v;
        a.n++;
      } else acc.set(step, { x: m.xs ? m.xs[i]! : step, sum: v, sq: v * v, min: v, max: v, n: 1 });
    }
  }
  const steps = [...acc.keys()].sort((a, b) => a - b);
  const out: GroupAggregate = { steps, xs: [], mean: [], min: [], max: [], std: [], n: [] };
  for (const s of steps) {
    const a = acc.get(s)!;
    const mean = a.sum / a.n;
    out.xs.push(a.x);
    out.mean.push(mean);
    out.min.push(a.min);
    out.max.push(a.max);
    out.n.push(a.n);
    out.std.push(Math.sqrt(Math.max(0, a.sq / a.n - mean * mean)));
  }
  return out;
}
