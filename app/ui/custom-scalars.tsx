'use client';
// Custom Scalars: the Multiline and Margin charts of the layouts writers logged (add_custom_scalars,
// tensorboardX, TensorFlow's custom_scalar summary), plus ad-hoc charts of several tags built here
// and kept in the URL (`chart=title~tag1~tag2`). Multiline tags are patterns (RE2), as in
// TensorBoard: every scalar tag they match draws one line per selected run.
import { useEffect, useMemo, useState } from 'react';
import type { CustomScalarsLayout } from '../../lib/store/types.ts';
import type { ScalarColumns } from '../../lib/server/wire.ts';
import { compilePattern } from '../../lib/pattern.ts';
import { postJson, useApi } from './api.ts';
import { runColor } from './colors.ts';
import { EChart } from './echart.tsx';
import { CardBoundary } from './error-boundary.tsx';
import { useSeenOnce } from './in-view.ts';
import { tagsOfKind, useRuns } from './runs-context.tsx';
import { useDark } from './theme.ts';
import { setParams, useParams } from './url-state.ts';

type Chart = { title: string; multiline?: { tags: string[] }; margin?: { series: Array<{ value: string; lower: string; upper: string }> } };
const MAX_LINES = 200;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Layout categories of every run, merged by title (charts de-duplicated by title and content). */
function mergeLayouts(layouts: CustomScalarsLayout[]): Array<{ title: string; charts: Chart[] }> {
  const out = new Map<string, Map<string, Chart>>();
  for (const l of layouts)
    for (const c of l.categories) {
      const charts = out.get(c.title) ?? new Map<string, Chart>();
      for (const ch of c.charts) charts.set(JSON.stringify(ch), ch);
      out.set(c.title, charts);
    }
  return [...out.entries()].map(([title, charts]) => ({ title, charts: [...charts.values()] }));
}

export function CustomScalarsDashboard() {
  const state = useRuns();
  const params = useParams();
  const api = useApi<{ layouts: CustomScalarsLayout[] }>('/api/custom-scalars');
  const scalarTags = tagsOfKind(state, ['scalar']);
  const categories = useMemo(() => mergeLayouts(api.data?.layouts ?? []), [api.data]);
  const adHoc: Chart[] = params.getAll('chart').map((spec) => {
    const [title, ...tags] = spec.split('~');
    return { title: title || tags.join(', '), multiline: { tags: tags.map((t) => `^${escapeRe(t)}$`) } };
  });
  const [picked, setPicked] = useState<string[]>([]);
  const [title, setTitle] = useState('');
  const addChart = () => {
    if (picked.length === 0) return;
    setParams({ chart: [...params.getAll('chart'), [title.replaceAll('~', ' '), ...picked].join('~')] });
    setPicked([]);
    setTitle('');
  };
  const removeChart = (i: number) => setParams({ chart: params.getAll('chart').filter((_, j) => j !== i) });

  return (
    <div>
      <div className="toolbar" role="toolbar" aria-label="New chart">
        <label>
          New chart of tags
          <select
            multiple
            size={Math.min(6, Math.max(2, scalarTags.size))}
            aria-label="Tags for a new chart"
            value={picked}
            onChange={(e) => setPicked([...e.target.selectedOptions].map((o) => o.value))}
          >
            {[...scalarTags.keys()].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <input
          type="text"
          placeholder="Title (optional)"
          aria-label="New chart title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
        <button type="button" onClick={addChart} disabled={picked.length === 0}>
          Add chart
        </button>
      </div>
      {api.error && (
        <div className="error-text" role="alert">
          Cannot load layouts: {api.error.message}
        </div>
      )}
      {adHoc.length > 0 && (
        <section className="group" aria-label="Your charts">
          <h3>Your charts</h3>
          <div className="cards">
            {adHoc.map((c, i) => (
              <CardBoundary key={`adhoc-${i}`} label={c.title}>
                <CustomChart chart={c} scalarTags={scalarTags} onRemove={() => removeChart(i)} />
              </CardBoundary>
            ))}
          </div>
        </section>
      )}
      {!api.loading && categories.length === 0 && adHoc.length === 0 && (
        <div className="empty">
          No custom scalar layout logged. Write one with SummaryWriter.addCustomScalars, or pick tags above to build a chart.
        </div>
      )}
      {categories.map((cat) => (
        <details key={cat.title} className="group" open>
          <summary>
            {cat.title} <span className="muted">({cat.charts.length})</span>
          </summary>
          <div className="cards">
            {cat.charts.map((c, i) => (
              <CardBoundary key={i} label={c.title}>
                <CustomChart chart={c} scalarTags={scalarTags} />
              </CardBoundary>
            ))}
          </div>
        </details>
      ))}
    </div>
  );
}

type Series = { run: string; tag: string; steps: number[]; values: number[] };

function CustomChart({ chart, scalarTags, onRemove }: { chart: Chart; scalarTags: Map<string, string[]>; onRemove?: () => void }) {
  const [ref, seen] = useSeenOnce<HTMLElement>();
  const dark = useDark();
  const [series, setSeries] = useState<Series[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Which (tag -> runs) this chart needs: pattern matches for Multiline, the three tags for Margin.
  const wanted = useMemo(() => {
    const out = new Map<string, string[]>();
    try {
      if (chart.multiline)
        for (const src of chart.multiline.tags) {
          const re = compilePattern(src);
          for (const [tag, runs] of scalarTags) if (re.test(tag)) out.set(tag, runs);
        }
      if (chart.margin)
        for (const s of chart.margin.series)
          for (const t of [s.value, s.lower, s.upper]) {
            const runs = scalarTags.get(t);
            if (runs) out.set(t, runs);
          }
    } catch (err) {
      return { out, error: (err as Error).message };
    }
    return { out, error: null };
  }, [chart, scalarTags]);
  const key = JSON.stringify([...wanted.out.entries()]);

  useEffect(() => {
    if (!seen) return;
    let cancelled = false;
    Promise.all(
      [...wanted.out.entries()].map(([tag, runs]) =>
        postJson<{ series: ScalarColumns[] }>('/api/scalars', { runs, tag, maxPoints: 1000 }).then((r) =>
          r.series.map((s) => ({ run: s.run, tag, steps: s.steps, values: s.values.map(Number) })),
        ),
      ),
    ).then(
      (all) => {
        if (!cancelled) {
          setSeries(all.flat());
          setError(null);
        }
      },
      (err: Error) => {
        if (!cancelled) setError(err.message);
      },
    );
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- key stands for wanted (rebuilt with the same content on every tag-list refresh)
  }, [seen, key]);

  const option = useMemo(() => {
    const out: unknown[] = [];
    const fg = dark ? '#c9d1d9' : '#333';
    if (series && chart.multiline) {
      for (const s of series.slice(0, MAX_LINES))
        out.push({
          type: 'line',
          name: `${s.run} · ${s.tag}`,
          showSymbol: false,
          animation: false,
          data: s.steps.map((x, i) => [x, s.values[i]]),
          lineStyle: { width: 1.5, color: runColor(`${s.run}\u0000${s.tag}`) },
          itemStyle: { color: runColor(`${s.run}\u0000${s.tag}`) },
        });
    }
    if (series && chart.margin) {
      for (const m of chart.margin.series) {
        const runs = new Set(series.filter((s) => s.tag === m.value).map((s) => s.run));
        for (const run of runs) {
          const get = (t: string) => series.find((s) => s.run === run && s.tag === t);
          const v = get(m.value),
            lo = get(m.lower),
            hi = get(m.upper);
          if (!v) continue;
          const color = runColor(run);
          out.push({
            type: 'line',
            name: `${run} · ${m.value}`,
            showSymbol: false,
            animation: false,
            data: v.steps.map((x, i) => [x, v.values[i]]),
            lineStyle: { width: 1.8, color },
            itemStyle: { color },
          });
          if (lo && hi) {
            // Band: lower edge, then the (upper - lower) stacked on it and filled.
            const stack = `margin-${run}-${m.value}`;
            out.push({
              type: 'line',
              name: `${run} · ${m.lower}`,
              stack,
              showSymbol: false,
              animation: false,
              lineStyle: { opacity: 0 },
              data: lo.steps.map((x, i) => [x, lo.values[i]]),
              tooltip: { show: false },
            });
            out.push({
              type: 'line',
              name: `${run} · ${m.upper}`,
              stack,
              showSymbol: false,
              animation: false,
              lineStyle: { opacity: 0 },
              areaStyle: { color, opacity: 0.2 },
              data: hi.steps.map((x, i) => [x, hi.values[i]! - (lo.values[i] ?? 0)]),
              tooltip: { show: false },
            });
          }
        }
      }
    }
    return {
      animation: false,
      grid: { left: 56, right: 16, top: 30, bottom: 26 },
      legend: { type: 'scroll', top: 0, textStyle: { color: fg } },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', scale: true, axisLabel: { color: fg } },
      yAxis: { type: 'value', scale: true, axisLabel: { color: fg } },
      series: out,
    };
  }, [series, chart, dark]);

  const kind = chart.margin ? 'Margin' : 'Multiline';
  return (
    <section
      ref={ref}
      className="card"
      data-testid="custom-chart"
      data-kind={kind}
      data-title={chart.title}
      aria-label={`${kind} chart ${chart.title}`}
    >
      <div className="card-head">
        <span className="card-title" title={chart.title}>
          {chart.title}
        </span>
        <span className="meta">{kind}</span>
        {onRemove && (
          <div className="card-actions">
            <button type="button" onClick={onRemove} aria-label={`Remove chart ${chart.title}`}>
              ✕
            </button>
          </div>
        )}
      </div>
      {wanted.error ? (
        <div className="placeholder error-text" role="alert">
          {wanted.error}
        </div>
      ) : error ? (
        <div className="placeholder error-text" role="alert">
          {error}
        </div>
      ) : wanted.out.size === 0 ? (
        <div className="placeholder">No selected run has these tags.</div>
      ) : !series ? (
        <div className="placeholder" aria-busy="true">
          Loading…
        </div>
      ) : (
        <EChart option={option} dark={dark} ariaLabel={`${kind} chart ${chart.title}: ${series.length} series`} />
      )}
    </section>
  );
}
