'use client';
// HParams: sessions as a sortable, filterable table, plus parallel coordinates over hparams and metrics.
import { useMemo, type ReactNode } from 'react';
import type { HparamsSession, HparamsView } from '../../lib/store/types.ts';
import { useApi } from './api.ts';
import { runColor } from './colors.ts';
import { hparamsRows, hparamsSessionParents } from './run-names.ts';
import { EChart, type EChartsOption } from './echart.tsx';
import { useChangeCounter } from './live.ts';
import { useRuns } from './runs-context.tsx';
import { fmt } from './scalars/math.ts';
import { useDark } from './theme.ts';
import { compileFilter } from './name-filter.ts';
import { boolParam, setParams, useParams } from './url-state.ts';

type Col = { key: string; label: string; kind: 'hparam' | 'metric' | 'run' | 'status' };

function cell(s: HparamsSession, c: Col): string | number | boolean | null {
  if (c.kind === 'run') return s.run;
  if (c.kind === 'status') return s.status;
  if (c.kind === 'hparam') return s.hparams[c.key] ?? null;
  return s.metrics[c.key] ?? null;
}

function compare(a: string | number | boolean | null | undefined, b: string | number | boolean | null | undefined): number {
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** An addHparams session is its parent run's: "parent · session 1712345678.9" (full name on hover). */
function runLabel(run: string, parent: string | undefined): ReactNode {
  if (parent === undefined) return run;
  return (
    <span title={run}>
      {parent} <span className="muted">· session {run.slice(parent.length + 1)}</span>
    </span>
  );
}

export function HparamsDashboard() {
  const state = useRuns();
  const params = useParams();
  const dark = useDark();
  const refresh = useChangeCounter((c) => c.kind === 'hparams' || c.type === 'run-added' || c.type === 'run-removed');
  const { data, error, loading } = useApi<HparamsView>('/api/hparams', refresh);
  const sortKey = params.get('hsort') ?? 'run';
  const desc = boolParam(params, 'hdesc');
  const filterSrc = params.get('hfilter') ?? '';
  const { re, error: filterError } = compileFilter(filterSrc);

  const cols = useMemo<Col[]>(() => {
    if (!data) return [];
    const hp = new Set<string>(data.hparamInfos.map((h) => h.name));
    const mt = new Set<string>(data.metricInfos.map((m) => m.tag));
    for (const s of data.sessions) {
      Object.keys(s.hparams).forEach((k) => hp.add(k));
      Object.keys(s.metrics).forEach((k) => mt.add(k));
    }
    return [
      { key: 'run', label: 'run', kind: 'run' },
      ...[...hp].map((k) => ({ key: k, label: k, kind: 'hparam' as const })),
      ...[...mt].map((k) => ({ key: k, label: k, kind: 'metric' as const })),
      { key: 'status', label: 'status', kind: 'status' },
    ];
  }, [data]);

  const known = new Set(state.runs.map((r) => r.name));
  const sessionOf = hparamsSessionParents([...known], hparamsRows(state.runs, state.tags));
  const selected = new Set(state.selected);
  const rows = (data?.sessions ?? [])
    .filter((s) => !known.has(s.run) || selected.has(s.run))
    .filter((s) => re === null || re.test([s.run, ...Object.values(s.hparams), ...Object.values(s.metrics)].join(' ')));
  const sortCol = cols.find((c) => `${c.kind}:${c.key}` === sortKey || c.key === sortKey) ?? cols[0];
  if (sortCol) rows.sort((a, b) => (desc ? -1 : 1) * compare(cell(a, sortCol), cell(b, sortCol)));

  const option = useMemo<EChartsOption | null>(() => {
    const dims = cols.filter((c) => c.kind === 'hparam' || c.kind === 'metric');
    if (dims.length === 0 || rows.length === 0) return null;
    const fg = dark ? '#c9d1d9' : '#333';
    const parallelAxis = dims.map((c, i) => {
      const values = rows.map((s) => cell(s, c));
      const numeric = values.every((v) => v === null || typeof v === 'number');
      return numeric
        ? {
            dim: i,
            name: c.label,
            type: 'value',
            scale: true,
            nameTextStyle: { color: fg },
            axisLabel: { color: fg, formatter: (v: number) => fmt(v) },
          }
        : {
            dim: i,
            name: c.label,
            type: 'category',
            data: [...new Set(values.map(String))],
            nameTextStyle: { color: fg },
            axisLabel: { color: fg },
          };
    });
    return {
      animation: false,
      parallel: { left: 60, right: 80, top: 40, bottom: 30 },
      parallelAxis,
      tooltip: { trigger: 'item' },
      series: rows.map((s) => ({
        name: s.run,
        type: 'parallel',
        lineStyle: { color: runColor(s.run), width: 2, opacity: 0.8 },
        data: [
          dims.map((c) => {
            const v = cell(s, c);
            return typeof v === 'number' ? v : String(v);
          }),
        ],
      })),
    };
  }, [cols, rows, dark]);

  const setSort = (c: Col) => {
    const key = `${c.kind}:${c.key}`;
    setParams({ hsort: key, hdesc: sortCol && `${sortCol.kind}:${sortCol.key}` === key && !desc ? '1' : null });
  };

  if (error)
    return (
      <div className="panel error-panel" role="alert">
        Cannot load hparams: {error.message}
      </div>
    );
  if (!data)
    return (
      <div className="empty" aria-busy={loading}>
        Loading…
      </div>
    );
  if (data.sessions.length === 0)
    return <div className="empty">No hyperparameter sessions. Write them with addHparams(hparams, metrics).</div>;
  return (
    <div className="hp-wrap">
      <div className="toolbar">
        <input
          type="search"
          placeholder="Filter sessions (regex)"
          value={filterSrc}
          className={filterError ? 'invalid' : ''}
          aria-invalid={filterError !== null}
          onChange={(e) => setParams({ hfilter: e.target.value || null })}
          aria-label="Filter sessions"
        />
        <span className="meta">
          {rows.length}/{data.sessions.length} sessions
        </span>
      </div>
      {option && (
        <div className="card" data-testid="hparams-parallel">
          <EChart option={option} dark={dark} style={{ height: 320 }} ariaLabel="Parallel coordinates of hyperparameters and metrics" />
        </div>
      )}
      <div className="card" style={{ overflowX: 'auto' }}>
        <table className="table" data-testid="hparams-table">
          <thead>
            <tr>
              {cols.map((c) => {
                const active = sortCol === c;
                return (
                  <th key={`${c.kind}:${c.key}`} aria-sort={active ? (desc ? 'descending' : 'ascending') : 'none'}>
                    <button type="button" onClick={() => setSort(c)}>
                      {c.label}
                      {active ? (desc ? ' ▼' : ' ▲') : ''}
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.run}>
                {cols.map((c) => {
                  const v = cell(s, c);
                  return (
                    <td key={`${c.kind}:${c.key}`}>
                      {c.kind === 'run' ? (
                        <>
                          <span className="swatch" style={{ background: runColor(s.run), display: 'inline-block', marginRight: 6 }} />
                          {runLabel(s.run, sessionOf.get(s.run))}
                        </>
                      ) : typeof v === 'number' ? (
                        fmt(v)
                      ) : v === null ? (
                        ''
                      ) : (
                        String(v)
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
