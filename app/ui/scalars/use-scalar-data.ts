'use client';
// Data of one scalar card: the downsampled overview, a higher-resolution window when zoomed, and
// live appends from the change feed (only the new steps are fetched). Series are kept columnar.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ScalarColumns } from '../../../lib/server/wire.ts';
import { fetchJson, query } from '../api.ts';
import { onFeedConnect, subscribeChanges } from '../live.ts';

export const OVERVIEW_POINTS = 1500;

/** One run's points, columnar, in step order. */
export interface Cols {
  steps: number[];
  wallTimes: number[];
  values: number[];
}

export interface ScalarData {
  byRun: Map<string, Cols>;
  totals: Map<string, number>;
  loading: boolean;
  error: string | null;
  /** Step window currently shown at high resolution, or null for the overview. */
  zoom: [number, number] | null;
  setZoom(range: [number, number] | null): void;
  /** Bumped on every data change, for memo keys. */
  version: number;
}

type Resp = { series: ScalarColumns[] };

/** Wire values back to numbers (non-finite ones arrive as 'NaN' / 'Infinity' strings). */
function decodeValues(values: Array<number | string>): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = typeof v === 'number' ? v : Number(v);
  }
  return out;
}

const cols = (s: ScalarColumns): Cols => ({ steps: s.steps, wallTimes: s.wallTimes, values: decodeValues(s.values) });

/** Overview points outside [lo, hi] plus the detailed points inside it. */
function mergeWindow(overview: Cols, detail: Cols, lo: number, hi: number): Cols {
  const out: Cols = { steps: [], wallTimes: [], values: [] };
  const push = (c: Cols, i: number) => {
    out.steps.push(c.steps[i]!);
    out.wallTimes.push(c.wallTimes[i]!);
    out.values.push(c.values[i]!);
  };
  let i = 0;
  const n = overview.steps.length;
  while (i < n && overview.steps[i]! < lo) push(overview, i++);
  for (let j = 0; j < detail.steps.length; j++) push(detail, j);
  while (i < n && overview.steps[i]! <= hi) i++;
  while (i < n) push(overview, i++);
  return out;
}

export function useScalarData(tag: string, runs: string[], active: boolean): ScalarData {
  const [version, setVersion] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [zoom, setZoomState] = useState<[number, number] | null>(null);
  const overview = useRef(new Map<string, Cols>());
  const shown = useRef(new Map<string, Cols>());
  const totals = useRef(new Map<string, number>());
  const zoomRef = useRef<[number, number] | null>(null);
  const runsKey = runs.join('\u0000');
  const inflight = useRef(new Map<string, boolean>());
  const dirty = useRef(new Set<string>());

  const rebuild = useCallback((detail?: Map<string, Cols>) => {
    const z = zoomRef.current;
    const next = new Map<string, Cols>();
    for (const [run, c] of overview.current) next.set(run, z && detail?.has(run) ? mergeWindow(c, detail.get(run)!, z[0], z[1]) : c);
    shown.current = next;
    setVersion((v) => v + 1);
  }, []);

  // Overview load whenever the tag or the run set changes.
  useEffect(() => {
    if (!active || runs.length === 0) {
      setLoading(false);
      return;
    }
    let cancelled = false;
    setLoading(true);
    fetchJson<Resp>(query('/api/scalars', { run: runs, tag, maxPoints: OVERVIEW_POINTS })).then(
      ({ series }) => {
        if (cancelled) return;
        overview.current = new Map(series.map((s) => [s.run, cols(s)]));
        totals.current = new Map(series.map((s) => [s.run, s.total]));
        zoomRef.current = null;
        setZoomState(null);
        rebuild();
        setError(null);
        setLoading(false);
      },
      (err: Error) => {
        if (!cancelled) {
          setError(err.message);
          setLoading(false);
        }
      },
    );
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runsKey stands for runs (a new array each render with the same names)
  }, [tag, runsKey, active]);

  // Live appends: fetch only steps after the last one we hold, per run.
  useEffect(() => {
    if (!active) return;
    const runSet = new Set(runs);
    const appendRun = (run: string) => {
      if (inflight.current.get(run)) {
        dirty.current.add(run);
        return;
      }
      inflight.current.set(run, true);
      const have = overview.current.get(run);
      const last = have && have.steps.length ? have.steps[have.steps.length - 1]! : undefined;
      fetchJson<Resp>(query('/api/scalars', { run: [run], tag, minStep: last === undefined ? undefined : last + 1, maxPoints: 200_000 }))
        .then(
          ({ series }) => {
            const s = series[0];
            if (!s || s.steps.length === 0) return;
            const cur = overview.current.get(run) ?? { steps: [], wallTimes: [], values: [] };
            const lastNow = cur.steps.length ? cur.steps[cur.steps.length - 1]! : -Infinity;
            const fresh = cols(s);
            const next: Cols = { steps: cur.steps.slice(), wallTimes: cur.wallTimes.slice(), values: cur.values.slice() };
            let added = 0;
            for (let i = 0; i < fresh.steps.length; i++) {
              if (fresh.steps[i]! <= lastNow) continue;
              next.steps.push(fresh.steps[i]!);
              next.wallTimes.push(fresh.wallTimes[i]!);
              next.values.push(fresh.values[i]!);
              added++;
            }
            if (added === 0) return;
            overview.current.set(run, next);
            totals.current.set(run, (totals.current.get(run) ?? 0) + added);
            if (!zoomRef.current) rebuild();
          },
          () => {
            /* the next change retries */
          },
        )
        .finally(() => {
          inflight.current.set(run, false);
          if (dirty.current.delete(run)) appendRun(run);
        });
    };
    const offChange = subscribeChanges((c) => {
      if (c.type === 'data' && c.tag === tag && runSet.has(c.run)) appendRun(c.run);
    });
    // Points flushed while the feed was (re)connecting were never announced: ask for anything newer.
    const offConnect = onFeedConnect(() => {
      for (const run of runs) if (overview.current.has(run)) appendRun(run);
    });
    return () => {
      offChange();
      offConnect();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runsKey stands for runs (a new array each render with the same names); appendRun reads refs
  }, [tag, runsKey, active]);

  const setZoom = useCallback(
    (range: [number, number] | null) => {
      zoomRef.current = range;
      setZoomState(range);
      if (range === null) {
        rebuild();
        return;
      }
      fetchJson<Resp>(
        query('/api/scalars', { run: runs, tag, minStep: Math.floor(range[0]), maxStep: Math.ceil(range[1]), maxPoints: OVERVIEW_POINTS }),
      ).then(
        ({ series }) => {
          if (zoomRef.current === range) rebuild(new Map(series.map((s) => [s.run, cols(s)])));
        },
        (err: Error) => setError(err.message),
      );
    },
    // runsKey stands for `runs` (a new array each render with the same content).
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [tag, runsKey, rebuild],
  );

  return { byRun: shown.current, totals: totals.current, loading, error, zoom, setZoom, version };
}
