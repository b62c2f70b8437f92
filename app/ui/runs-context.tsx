'use client';
// Runs and tags known to the store, plus which runs are selected (from the URL). Refreshed from
// the live change feed: immediately when runs come and go, at most every 500 ms for new tags.
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { NameFilter } from '../../lib/pattern.ts';
import type { TagIndex, TagIndexEntry } from '../../lib/store/tag-index.ts';
import type { RunSummary } from '../../lib/store/types.ts';
import { fetchJson } from './api.ts';
import { onFeedConnect, subscribeChanges } from './live.ts';
import { selectedRuns, selectionKeys, selectionParams } from './selection.ts';
import { setParams, useParams } from './url-state.ts';

export interface RunsState {
  runs: RunSummary[];
  /** Every tag, grouped, with the index ranges (into `runs`) of the runs holding it. */
  tags: TagIndexEntry[];
  /** Runs shown in dashboards: selected, not hidden, matching the run filter. */
  selected: string[];
  hidden: Set<string>;
  /** Explicit selection from the URL (`sel`, or all runs but `desel`); null means "all runs". */
  explicit: Set<string> | null;
  /** Sets the selection; the URL keeps whichever of `sel` / `desel` is shorter. */
  setSelection: (next: Set<string>) => void;
  filter: NameFilter | null;
  filterError: string | null;
  loading: boolean;
  error: string | null;
  reload: () => void;
}

const Ctx = createContext<RunsState | null>(null);

export function useRuns(): RunsState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useRuns outside RunsProvider');
  return v;
}

export function RunsProvider({ children, initial }: { children: ReactNode; initial: TagIndex | null }) {
  const [runs, setRuns] = useState<RunSummary[]>(initial?.runs ?? []);
  const [tags, setTags] = useState<TagIndexEntry[]>(initial?.tags ?? []);
  const [loading, setLoading] = useState(initial === null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const tagTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (tick === 0 && initial !== null) return; // the page came with them
    let cancelled = false;
    fetchJson<TagIndex>('/api/tag-index').then(
      (t) => {
        if (!cancelled) {
          setRuns(t.runs);
          setTags(t.tags);
          setLoading(false);
          setError(null);
        }
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
    // eslint-disable-next-line react-hooks/exhaustive-deps -- initial only decides the first render (the page came with the data); later ticks always fetch
  }, [tick]);

  // Whatever changed before the feed connected (the page was rendered a moment earlier) is re-read.
  // The first connection follows page load by a moment: re-read once the first charts are up
  // (so it does not compete with them); after a reconnect, at once.
  useEffect(() => {
    let first = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = onFeedConnect(() => {
      if (first && initial !== null) {
        first = false;
        timer = setTimeout(() => setTick((x) => x + 1), 1500);
        return;
      }
      first = false;
      setTick((x) => x + 1);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- mount-only: subscribes to the feed once; initial is read for the first connection only
  }, []);

  useEffect(
    () =>
      subscribeChanges((c) => {
        if (c.type === 'run-added' || c.type === 'run-removed' || c.type === 'warning') {
          setTick((x) => x + 1);
          return;
        }
        if (tagTimer.current) return;
        tagTimer.current = setTimeout(() => {
          tagTimer.current = null;
          setTick((x) => x + 1);
        }, 500);
      }),
    [],
  );

  const params = useParams();
  const { hiddenKey, selKey, deselKey, filterSrc } = selectionKeys(params);

  const value = useMemo<RunsState>(() => {
    const names = runs.map((r) => r.name);
    const view = selectedRuns(names, { hiddenKey, selKey, deselKey, filterSrc });
    const setSelection = (next: Set<string>) => setParams(selectionParams(names, next));
    return { runs, tags, ...view, setSelection, loading, error, reload: () => setTick((x) => x + 1) };
  }, [runs, tags, hiddenKey, selKey, deselKey, filterSrc, loading, error]);

  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export { tagsOfKind } from './selection.ts';
