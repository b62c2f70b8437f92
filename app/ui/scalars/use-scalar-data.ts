'use client';
// Data of one scalar card: the downsampled overview, a higher-resolution window when zoomed, and
// live appends from the change feed (only the new steps are fetched).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ScalarPoint, ScalarSeries } from '../../../lib/store/types.ts';
import { fetchJson, query } from '../api.ts';
import { subscribeChanges } from '../live.ts';

export const OVERVIEW_POINTS = 1500;

export interface ScalarData {
  byRun: Map<string, ScalarPoint[]>;
  totals: Map<string, number>;
  loading: boolean;
  error: string | null;
  /** Step window currently shown at high resolution, or null for the overview. */
  zoom: [number, number] | null;
  setZoom(range: [number, number] | null): void;
  /** Bumped on every data change, for memo keys. */
  version: number;
}

type Resp = { series: ScalarSeries[] };

function mergeWindow(overview: ScalarPoint[], detail: ScalarPoint[], lo: number, hi: number): ScalarPoint[] {
  const out: ScalarPoint[] = [];
  let i = 0;
  while (i < overview.length && overview[i]!.step < lo) out.push(overview[i++]!);
  for (const p of detail) out.push(p);
  while (i < overview.length && overview[i]!.step <= hi) i++;
  while (i < overview.length) out.push(overview[i++]!);
  return out;
}

export function useScalarData(tag: string, runs: string[], active: boolean): ScalarData {
  const [version, setVersion] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [zoom, setZoomState] = useState<[number, number] | null>(null);
  const overview = useRef(new Map<string, ScalarPoint[]>());
  const shown = useRef(new Map<string, ScalarPoint[]>());
  const totals = useRef(new Map<string, number>());
  const zoomRef = useRef<[number, number] | null>(null);
  const runsKey = runs.join('\u0000');
  const inflight = useRef(new Map<string, boolean>());
  const dirty = useRef(new Set<string>());

  const rebuild = useCallback((detail?: Map<string, ScalarPoint[]>) => {
    const z = zoomRef.current;
    const next = new Map<string, ScalarPoint[]>();
    for (const [run, pts] of overview.current) next.set(run, z && detail?.has(run) ? mergeWindow(pts, detail.get(run)!, z[0], z[1]) : pts);
    shown.current = next;
    setVersion((v) => v + 1);
  }, []);

  // Overview load whenever the tag or the run set changes.
  useEffect(() => {
    if (!active || runs.length === 0) { setLoading(false); return; }
    let cancelled = false;
    setLoading(true);
    fetchJson<Resp>(query('/api/scalars', { run: runs, tag, maxPoints: OVERVIEW_POINTS })).then(
      ({ series }) => {
        if (cancelled) return;
        overview.current = new Map(series.map((s) => [s.run, s.points]));
        totals.current = new Map(series.map((s) => [s.run, s.total]));
        zoomRef.current = null;
        setZoomState(null);
        rebuild();
        setError(null);
        setLoading(false);
      },
      (err: Error) => { if (!cancelled) { setError(err.message); setLoading(false); } },
    );
    return () => { cancelled = true; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tag, runsKey, active]);

  // Live appends: fetch only steps after the last one we hold, per run.
  useEffect(() => {
    if (!active) return;
    const runSet = new Set(runs);
    const appendRun = (run: string) => {
      if (inflight.current.get(run)) { dirty.current.add(run); return; }
      inflight.current.set(run, true);
      const have = overview.current.get(run) ?? [];
      const last = have.length ? have[have.length - 1]!.step : undefined;
      fetchJson<Resp>(query('/api/scalars', { run: [run], tag, minStep: last === undefined ? undefined : last + 1, maxPoints: 200_000 })).then(
        ({ series }) => {
          const s = series[0];
          if (s && s.points.length) {
            const cur = overview.current.get(run) ?? [];
            const lastNow = cur.length ? cur[cur.length - 1]!.step : -Infinity;
            const fresh = s.points.filter((p) => p.step > lastNow);
            overview.current.set(run, cur.concat(fresh));
            totals.current.set(run, (totals.current.get(run) ?? 0) + fresh.length);
            if (!zoomRef.current) rebuild();
          }
        },
        () => { /* the next change retries */ },
      ).finally(() => {
        inflight.current.set(run, false);
        if (dirty.current.delete(run)) appendRun(run);
      });
    };
    return subscribeChanges((c) => {
      if (c.type === 'data' && c.tag === tag && runSet.has(c.run)) appendRun(c.run);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tag, runsKey, active]);

  const setZoom = useCallback((range: [number, number] | null) => {
    zoomRef.current = range;
    setZoomState(range);
    if (range === null) { rebuild(); return; }
    fetchJson<Resp>(query('/api/scalars', { run: runs, tag, minStep: Math.floor(range[0]), maxStep: Math.ceil(range[1]), maxPoints: OVERVIEW_POINTS })).then(
      ({ series }) => { if (zoomRef.current === range) rebuild(new Map(series.map((s) => [s.run, s.points]))); },
      (err: Error) => setError(err.message),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tag, runsKey, rebuild]);

  return { byRun: shown.current, totals: totals.current, loading, error, zoom, setZoom, version };
}
