'use client';
// The run list beside every dashboard: colour swatch, toggle, hide, delete (with confirmation),
// regex filter, and per-run ingest warnings. The list is virtualized (fixed-height rows, only the
// rows in view plus a margin are in the DOM), so a sweep of thousands of runs stays cheap to render.
import { useMemo, useState } from 'react';
import { createPortal } from 'react-dom';
import type { IngestWarning } from '../../lib/store/types.ts';
import { fetchJson, query } from './api.ts';
import { runColor } from './colors.ts';
import { hparamsRows, hparamsSessionParents, middleEllipsisParts, withSessionsAfterParents } from './run-names.ts';
import { useRuns } from './runs-context.tsx';
import { setParams, useParams } from './url-state.ts';
import { VirtualList } from './virtual-list.tsx';

const ROW_HEIGHT = 24;

/** All / None act on the runs the filter shows; runs filtered out keep their state. */
function selectMatching(names: string[], explicit: Set<string> | null, shown: string[], on: boolean): Set<string> {
  const next = new Set(explicit ?? names);
  for (const n of shown)
    if (on) next.add(n);
    else next.delete(n);
  return next;
}

export function RunSelector() {
  const state = useRuns();
  const params = useParams();
  const [showHidden, setShowHidden] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [warningsError, setWarningsError] = useState<string | null>(null);
  const [warningsFor, setWarningsFor] = useState<{ run: string; list: IngestWarning[] } | null>(null);
  const filterSrc = params.get('runFilter') ?? '';
  const names = useMemo(() => state.runs.map((r) => r.name), [state.runs]);
  const byName = useMemo(() => new Map(state.runs.map((r) => [r.name, r])), [state.runs]);
  const sessions = useMemo(() => hparamsSessionParents(names, hparamsRows(state.runs, state.tags)), [names, state.runs, state.tags]);
  const visible = useMemo(
    () =>
      withSessionsAfterParents(
        names.filter((n) => (showHidden || !state.hidden.has(n)) && (state.filter === null || state.filter.test(n))),
        sessions,
      ),
    [names, sessions, showHidden, state.hidden, state.filter],
  );
  const isOn = (n: string) => state.explicit === null || state.explicit.has(n);

  const setSelection = state.setSelection;
  const toggle = (n: string) => {
    const next = new Set(state.explicit ?? names);
    if (next.has(n)) next.delete(n);
    else next.add(n);
    setSelection(next);
  };
  const setHidden = (n: string, hide: boolean) => {
    const next = new Set(state.hidden);
    if (hide) next.add(n);
    else next.delete(n);
    setParams({ hide: [...next] });
  };
  const doDelete = async (run: string) => {
    setDeleteError(null);
    try {
      await fetchJson('/api/runs/delete', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ run }),
      });
      setConfirming(null);
      state.reload();
    } catch (err) {
      setDeleteError((err as Error).message);
    }
  };
  const showWarnings = (run: string) => {
    fetchJson<{ warnings: IngestWarning[] }>(query('/api/warnings', { run })).then(
      ({ warnings }) => setWarningsFor({ run, list: warnings }),
      (err: Error) => setWarningsError(`Cannot load warnings for ${run}: ${err.message}`),
    );
  };

  return (
    <aside className="runs" aria-label="Runs">
      <div className="runs-head">
        <label htmlFor="run-filter">Runs</label>
        <span className="muted">
          {state.selected.length}/{names.length}
        </span>
      </div>
      <input
        id="run-filter"
        className={state.filterError ? 'invalid' : ''}
        type="search"
        placeholder="Filter runs (regex)"
        value={filterSrc}
        onChange={(e) => setParams({ runFilter: e.target.value || null })}
        aria-invalid={state.filterError !== null}
        title={state.filterError ?? 'Regular expression (RE2 syntax), case-insensitive'}
      />
      {state.filterError && (
        <div className="error-text" role="alert">
          {state.filterError}
        </div>
      )}
      <div className="runs-actions">
        <button
          type="button"
          onClick={() => setSelection(selectMatching(names, state.explicit, state.filter ? visible : names, true))}
          title="Select every run the filter shows"
        >
          All
        </button>
        <button
          type="button"
          onClick={() => setSelection(selectMatching(names, state.explicit, state.filter ? visible : names, false))}
          title="Deselect every run the filter shows"
        >
          None
        </button>
        <label className="check">
          <input type="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.target.checked)} /> hidden ({state.hidden.size})
        </label>
      </div>
      {state.loading && names.length === 0 && <div className="muted">Loading runs…</div>}
      {state.error && (
        <div className="error-text" role="alert">
          Cannot load runs: {state.error}
        </div>
      )}
      {warningsError && (
        <div className="error-text" role="alert">
          {warningsError}
        </div>
      )}
      {!state.loading && !state.error && names.length === 0 && (
        <div className="muted">No runs yet. Event files written under the log directory appear here live.</div>
      )}
      <VirtualList
        className="run-list"
        items={visible}
        rowHeight={ROW_HEIGHT}
        label="Run list"
        render={(n) => {
          const summary = byName.get(n)!;
          const parent = sessions.get(n);
          // A session shows only its own part; the full name is on hover.
          const [head, tail] = middleEllipsisParts(parent === undefined ? n : n.slice(parent.length + 1));
          return (
            <li
              key={n}
              className={[state.hidden.has(n) ? 'hidden-run' : '', parent !== undefined ? 'session-run' : ''].join(' ').trim()}
              data-run={n}
              style={{ height: ROW_HEIGHT }}
            >
              <label className="run-toggle" title={parent === undefined ? n : `${n}: hparams session of ${parent}`}>
                <input type="checkbox" checked={isOn(n)} onChange={() => toggle(n)} aria-label={`Show run ${n}`} />
                <span className="swatch" style={{ background: runColor(n) }} aria-hidden />
                {parent !== undefined && (
                  <span className="session-mark" aria-hidden>
                    ↳ session
                  </span>
                )}
                <span className="run-name">
                  <span className="run-name-head">{head}</span>
                  {tail && <span className="run-name-tail">{tail}</span>}
                </span>
              </label>
              {summary.warningCount > 0 && (
                <button
                  type="button"
                  className="warn"
                  onClick={() => showWarnings(n)}
                  title="Ingest warnings (corrupt records)"
                  aria-label={`${summary.warningCount} ingest warnings for ${n}`}
                >
                  ⚠ {summary.warningCount}
                </button>
              )}
              <button
                type="button"
                className="icon"
                onClick={() => setHidden(n, !state.hidden.has(n))}
                aria-label={`${state.hidden.has(n) ? 'Unhide' : 'Hide'} run ${n}`}
                title={state.hidden.has(n) ? 'Unhide' : 'Hide'}
              >
                {state.hidden.has(n) ? '◌' : '◉'}
              </button>
              <button
                type="button"
                className="icon danger"
                onClick={() => setConfirming(n)}
                aria-label={`Delete run ${n}`}
                title="Delete run"
              >
                ✕
              </button>
            </li>
          );
        }}
      />
      {/* Dialogs go to <body>: inside the sticky sidebar (its own stacking context) charts painted over them. */}
      {confirming !== null &&
        createPortal(
          <div className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title">
            <div className="dialog-box">
              <h3 id="confirm-title">Delete run “{confirming}”?</h3>
              <p>Its data leaves the store and its event files move to the trash folder of the log directory.</p>
              {deleteError && (
                <p className="error-text" role="alert">
                  {deleteError}
                </p>
              )}
              <div className="dialog-actions">
                <button
                  type="button"
                  autoFocus
                  onClick={() => {
                    setConfirming(null);
                    setDeleteError(null);
                  }}
                >
                  Cancel
                </button>
                <button type="button" className="danger" onClick={() => void doDelete(confirming)}>
                  Delete
                </button>
              </div>
            </div>
          </div>,
          document.body,
        )}
      {warningsFor !== null &&
        createPortal(
          <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="warn-title">
            <div className="dialog-box wide">
              <h3 id="warn-title">Ingest warnings: {warningsFor.run}</h3>
              <table className="table">
                <thead>
                  <tr>
                    <th>file</th>
                    <th>offset</th>
                    <th>reason</th>
                  </tr>
                </thead>
                <tbody>
                  {warningsFor.list.map((w, i) => (
                    <tr key={i}>
                      <td>{w.file}</td>
                      <td>{w.offset}</td>
                      <td>{w.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="dialog-actions">
                <button type="button" autoFocus onClick={() => setWarningsFor(null)}>
                  Close
                </button>
              </div>
            </div>
          </div>,
          document.body,
        )}
    </aside>
  );
}
