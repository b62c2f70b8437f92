'use client';
// Runs and tags known to the store, plus which runs are selected (from the URL). Refreshed from
// the live change feed: immediately when runs come and go, at most every 500 ms for new tags.
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { NameFilter } from '../../lib/pattern.ts';
import type { RunSummary, TagSummary } from '../../lib/store/types.ts';
import { fetchJson } from './api.ts';
import { onFeedConnect, subscribeChanges } from './live.ts';
import { compileFilter, useParams } from './url-state.ts';

export interface RunsState {
  runs: RunSummary[];
  tags: TagSummary[];
  /** Runs shown in dashboards: selected, not hidden, matching the run filter. */
  selected: string[];
  hidden: Set<string>;
  /** Explicit selection from the URL; null means "all runs". */
  explicit: Set<string> | null;
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

export function RunsProvider({ children, initial }: { children: ReactNode; initial: { runs: RunSummary[]; tags: TagSummary[] } | null }) {
  const [runs, setRuns] = useState<RunSummary[]>(initial?.runs ?? []);
  const [tags, setTags] = useState<TagSummary[]>(initial?.tags ?? []);
  const [loading, setLoading] = useState(initial === null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const tagTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (tick === 0 && initial !== null) return; // the page came with them
    let cancelled = false;
    Promise.all([fetchJson<{ runs: RunSummary[] }>('/api/runs'), fetchJson<{ tags: TagSummary[] }>('/api/tags')]).then(
      ([r, t]) => {
        if (!cancelled) {
          setRuns(r.runs);
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
  const hiddenKey = params.getAll('hide').join('\u0000');
  const selKey = params.has('sel') ? params.getAll('sel').join('\u0000') : null;
  const filterSrc = params.get('runFilter') ?? '';

  const value = useMemo<RunsState>(() => {
    const hidden = new Set(hiddenKey ? hiddenKey.split('\u0000') : []);
    const explicit = selKey === null ? null : new Set(selKey.split('\u0000').filter(Boolean));
    const { re, error: filterError } = compileFilter(filterSrc);
    const selected = runs
      .map((r) => r.name)
      .filter((n) => !hidden.has(n) && (explicit === null || explicit.has(n)) && (re === null || re.test(n)));
    return { runs, tags, selected, hidden, explicit, filter: re, filterError, loading, error, reload: () => setTick((x) => x + 1) };
  }, [runs, tags, hiddenKey, selKey, filterSrc, loading, error]);

  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** Tags of the given kind over the selected runs: tag -> runs that have it. */
export function tagsOfKind(state: RunsState, kinds: readonly string[], plugins: readonly string[] = []): Map<string, string[]> {
  const sel = new Set(state.selected);
  const out = new Map<string, string[]>();
  for (const t of state.tags) {
    if (!sel.has(t.run)) continue;
    if (!kinds.includes(t.kind) && !(t.plugin !== null && plugins.includes(t.plugin))) continue;
    const list = out.get(t.tag);
    if (list) list.push(t.run);
    else out.set(t.tag, [t.run]);
  }
  return new Map([...out.entries()].sort((a, b) => a[0].localeCompare(b[0])));
}
