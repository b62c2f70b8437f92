'use client';
// Data of one scalar card: the downsampled overview, a higher-resolution window when zoomed, and
// live appends from the change feed (only the new steps are fetched). Series are kept columnar.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ScalarColumns } from '../../../lib/server/wire.ts';
import { fetchJson, readJson } from '../api.ts';
import { preloadECharts } from '../echart.tsx';
import { onFeedConnect, subscribeChanges } from '../live.ts';
import { OVERVIEW_POINTS, scalarsPostBodies, takeEarlyResponse, type ScalarsAsk } from './scalars-post.ts';

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

// Overview loads run at most two at a time, in mount order: with a sweep of thousands of runs each
// answer is big, and a dozen cards asking at once would make the first chart wait for all of them.
// A load naming many runs takes both slots: the server answers one request at a time anyway (its
// store reads are synchronous), so two big requests in flight only made each answer, and the
// first chart, wait for the other's.
const SLOTS = 2;
const BIG_LOAD_RUNS = 200;
let used = 0;
const waiting: Array<{ need: number; start: () => void }> = [];

/** One POST /api/scalars, or the page's early request with the same body (scalars-post.ts). */
function postBody(body: string): Promise<Resp> {
  const send = () => fetchJson<Resp>('/api/scalars', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const early = takeEarlyResponse(body);
  // An early request that failed on the network is sent again; an HTTP error is the answer.
  return early ? early.then(readJson<Resp>, send) : send();
}

/** POST /api/scalars for any number of runs, split into requests the server accepts. */
function postScalars(runs: string[], ask: ScalarsAsk): Promise<Resp> {
  // The chart library's request goes first: the server sends that static file at once and then
  // answers the (slower) data request while the browser evaluates the library. Asked after the
  // data, the file waited behind the data request on the server, and evaluation came after both.
  preloadECharts();
  const parts = scalarsPostBodies(runs, ask).map(postBody);
  return parts.length === 1 ? parts[0]! : Promise.all(parts).then((rs) => ({ series: rs.flatMap((r) => r.series) }));
}

function limited<T>(runCount: number, fn: () => Promise<T>): Promise<T> {
  const need = runCount > BIG_LOAD_RUNS ? SLOTS : 1;
  return new Promise<T>((resolve, reject) => {
    const start = () => {
      used += need;
      fn()
        .then(resolve, reject)
        .finally(() => {
          used -= need;
          // Start waiting loads in order while they fit.
          while (waiting.length && used + waiting[0]!.need <= SLOTS) waiting.shift()!.start();
        });
    };
    if (waiting.length === 0 && used + need <= SLOTS) start();
    else waiting.push({ need, start });
  });
}

/**
 * Wire values back to numbers (non-finite ones arrive as 'NaN' / 'Infinity' strings); compact
 * float32 series (f32) go back to their exact float32 through Math.fround.
 */
function decodeValues(values: Array<number | string>, f32: boolean): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const n = typeof v === 'number' ? v : Number(v);
    out[i] = f32 ? Math.fround(n) : n;
  }
  return out;
}

const cols = (s: ScalarColumns): Cols => ({ steps: s.steps, wallTimes: s.wallTimes, values: decodeValues(s.values, s.f32 === true) });

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

/**
 * `needWall`: the chart's x axis uses wall times (relative or wall clock). On a step axis the series
 * come without them (about 40% less to send and parse); switching the axis loads them.
 */
export function useScalarData(tag: string, runs: string[], active: boolean, needWall: boolean): ScalarData {
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
    limited(runs.length, () =>
      cancelled ? Promise.resolve({ series: [] } as Resp) : postScalars(runs, { tag, maxPoints: OVERVIEW_POINTS, wallTimes: needWall }),
    ).then(
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
  }, [tag, runsKey, active, needWall]);

  // Live appends: fetch only steps after the last one we hold. Runs waiting for an append are
  // batched (one request per distinct last step), so a feed reconnect on a sweep of thousands of
  // runs costs a handful of requests, not one per run.
  useEffect(() => {
    if (!active) return;
    const runSet = new Set(runs);
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    let alive = true;
    const lastStep = (run: string) => {
      const have = overview.current.get(run);
      return have && have.steps.length ? have.steps[have.steps.length - 1]! : undefined;
    };
    const merge = (s: ScalarColumns) => {
      if (s.steps.length === 0) return false;
      const cur = overview.current.get(s.run) ?? { steps: [], wallTimes: [], values: [] };
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
      if (added === 0) return false;
      overview.current.set(s.run, next);
      totals.current.set(s.run, (totals.current.get(s.run) ?? 0) + added);
      return true;
    };
    const flush = () => {
      timer = null;
      const groups = new Map<number | undefined, string[]>();
      for (const run of pending) {
        if (inflight.current.get(run)) {
          dirty.current.add(run);
          continue;
        }
        const last = lastStep(run);
        const g = groups.get(last);
        if (g) g.push(run);
        else groups.set(last, [run]);
      }
      pending.clear();
      for (const [last, group] of groups) {
        for (const run of group) inflight.current.set(run, true);
        postScalars(group, { tag, minStep: last === undefined ? undefined : last + 1, maxPoints: 200_000, wallTimes: needWall })
          .then(
            ({ series }) => {
              let changed = false;
              for (const s of series) changed = merge(s) || changed;
              if (changed && !zoomRef.current) rebuild();
            },
            () => {
              /* the next change retries */
            },
          )
          .finally(() => {
            for (const run of group) {
              inflight.current.set(run, false);
              if (alive && dirty.current.delete(run)) queue(run);
            }
          });
      }
    };
    const queue = (run: string) => {
      pending.add(run);
      timer ??= setTimeout(flush, 30);
    };
    const offChange = subscribeChanges((c) => {
      if (c.type === 'data' && c.tag === tag && runSet.has(c.run)) queue(c.run);
    });
    // Points flushed while the feed was (re)connecting were never announced: ask for anything newer.
    const offConnect = onFeedConnect(() => {
      for (const run of runs) if (overview.current.has(run)) queue(run);
    });
    return () => {
      alive = false;
      offChange();
      offConnect();
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runsKey stands for runs (a new array each render with the same names); queue reads refs
  }, [tag, runsKey, active, needWall]);

  const setZoom = useCallback(
    (range: [number, number] | null) => {
      zoomRef.current = range;
      setZoomState(range);
      if (range === null) {
        rebuild();
        return;
      }
      postScalars(runs, {
        tag,
        minStep: Math.floor(range[0]),
        maxStep: Math.ceil(range[1]),
        maxPoints: OVERVIEW_POINTS,
        wallTimes: needWall,
      }).then(
        ({ series }) => {
          if (zoomRef.current === range) rebuild(new Map(series.map((s) => [s.run, cols(s)])));
        },
        (err: Error) => setError(err.message),
      );
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runsKey stands for runs (a new array each render with the same names)
    [tag, runsKey, rebuild, needWall],
  );

  return { byRun: shown.current, totals: totals.current, loading, error, zoom, setZoom, version };
}
