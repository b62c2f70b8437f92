'use client';
// Graphs: GraphDefs from files (TF/Keras/PyTorch add_graph) and our autograd DAGs (forward and
// backward), laid out with dagre. Scopes collapse/expand, search finds nodes, a click shows op,
// attributes, shapes, dtype and timing; wheel zooms, drag pans, keyboard buttons do both.
import { useEffect, useMemo, useRef, useState, type PointerEvent as RPointerEvent, type WheelEvent as RWheelEvent } from 'react';
import type { GraphNode, GraphView } from '../../../lib/store/types.ts';
import { query, useApi } from '../api.ts';
import { tagsOfKind, useRuns } from '../runs-context.tsx';
import { setParams, useParams } from '../url-state.ts';
import { layoutGraph } from './graph-layout.ts';
import { buildVisible, dtypeLabel, inputName, shapeLabel } from './graph-model.ts';

const AUTO_EXPAND_LIMIT = 80;

export function GraphsDashboard() {
  const state = useRuns();
  const params = useParams();
  const graphRuns = [...new Set([...tagsOfKind(state, ['graph', 'run_metadata']).values()].flat())].sort();
  const run = params.get('grun') && graphRuns.includes(params.get('grun')!) ? params.get('grun')! : (graphRuns[0] ?? null);
  const { data, error, loading } = useApi<{ graphs: Array<GraphView & { error?: string }> }>(run ? query('/api/graph', { run }) : null);
  const graphs = (data?.graphs ?? []).filter((g) => g.nodes.length > 0 || g.error);
  const gi = Math.min(Number(params.get('gi') ?? 0) || 0, Math.max(0, graphs.length - 1));
  const graph = graphs[gi];

  return (
    <div>
      <div className="toolbar" role="toolbar" aria-label="Graph selection">
        <label>
          Run
          <select
            value={run ?? ''}
            onChange={(e) => setParams({ grun: e.target.value, gi: null, gx: null, node: null })}
            aria-label="Run whose graph to show"
          >
            {graphRuns.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        {graphs.length > 1 && (
          <label>
            Graph
            <select
              value={gi}
              onChange={(e) => setParams({ gi: e.target.value, gx: null, node: null })}
              aria-label="Which graph of the run"
            >
              {graphs.map((g, i) => (
                <option key={i} value={i}>
                  {g.source === 'run_metadata' ? 'run metadata' : 'graph'} · step {g.step} · {g.nodes.length} nodes
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {state.loading && state.tags.length === 0 ? (
        <div className="empty" aria-busy="true">
          Loading…
        </div>
      ) : graphRuns.length === 0 ? (
        <div className="empty">No graphs in the selected runs. Write one with writer.addGraph(model, input).</div>
      ) : error ? (
        <div className="panel error-panel" role="alert">
          {error.message}
        </div>
      ) : !data ? (
        <div className="empty" aria-busy={loading}>
          Loading graph…
        </div>
      ) : !graph ? (
        <div className="empty">This run has no decodable graph.</div>
      ) : graph.error ? (
        <div className="panel error-panel" role="alert">
          {graph.error}
        </div>
      ) : (
        <GraphCanvas key={`${run}:${gi}`} nodes={graph.nodes} />
      )}
    </div>
  );
}

function GraphCanvas({ nodes }: { nodes: GraphNode[] }) {
  const params = useParams();
  const explicit = params.has('gx');
  const gxKey = params.getAll('gx').join('\u0000');
  const selected = params.get('node');
  const search = params.get('gq') ?? '';
  const allScopes = useMemo(() => buildVisible(nodes, new Set()).scopes, [nodes]);
  const expanded = useMemo(
    () => new Set(explicit ? gxKey.split('\u0000').filter(Boolean) : nodes.length <= AUTO_EXPAND_LIMIT ? allScopes : []),
    [explicit, gxKey, nodes.length, allScopes],
  );
  const visible = useMemo(() => buildVisible(nodes, expanded), [nodes, expanded]);
  const layout = useMemo(() => layoutGraph(visible), [visible]);
  const byName = useMemo(() => new Map(nodes.map((n) => [n.name, n])), [nodes]);
  const matches = useMemo(() => {
    if (!search) return new Set<string>();
    const q = search.toLowerCase();
    const ids = new Set<string>();
    for (const v of visible.nodes) {
      if (v.id.toLowerCase().includes(q)) ids.add(v.id);
    }
    for (const n of nodes)
      if (n.name.toLowerCase().includes(q)) {
        // A match hidden in a collapsed scope lights up the scope.
        const parts = n.name.split('/');
        for (let i = 1; i <= parts.length; i++) {
          const id = i === parts.length ? n.name : `scope:${parts.slice(0, i).join('/')}`;
          if (visible.nodes.some((v) => v.id === id)) {
            ids.add(id);
            break;
          }
        }
      }
    return ids;
  }, [search, visible, nodes]);

  const wrap = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ k: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; vx: number; vy: number; moved: boolean } | null>(null);
  const fit = () => {
    const el = wrap.current;
    if (!el || layout.width === 0) return;
    const k = Math.min(1.5, Math.min(el.clientWidth / layout.width, el.clientHeight / layout.height) * 0.95);
    setView({ k, x: (el.clientWidth - layout.width * k) / 2, y: Math.max(10, (el.clientHeight - layout.height * k) / 2) });
  };
  // Fit the view when a new layout arrives (not when fit is recreated on every render).
  useEffect(fit, [layout]);
  const centerOn = (id: string) => {
    const p = layout.nodes.get(id);
    const el = wrap.current;
    if (!p || !el) return;
    const k = Math.max(view.k, 0.8);
    setView({ k, x: el.clientWidth / 2 - p.x * k, y: el.clientHeight / 2 - p.y * k });
  };
  const zoomBy = (f: number, cx?: number, cy?: number) => {
    const el = wrap.current;
    const px = cx ?? (el ? el.clientWidth / 2 : 0),
      py = cy ?? (el ? el.clientHeight / 2 : 0);
    setView((v) => {
      const k = Math.min(8, Math.max(0.05, v.k * f));
      return { k, x: px - ((px - v.x) * k) / v.k, y: py - ((py - v.y) * k) / v.k };
    });
  };
  const onWheel = (e: RWheelEvent) => {
    const r = wrap.current!.getBoundingClientRect();
    zoomBy(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  };
  useEffect(() => {
    // React's wheel listener is passive; stop the page scrolling while zooming the graph.
    const el = wrap.current;
    if (!el) return;
    const stop = (e: WheelEvent) => e.preventDefault();
    el.addEventListener('wheel', stop, { passive: false });
    return () => el.removeEventListener('wheel', stop);
  }, []);
  const onDown = (e: RPointerEvent) => {
    drag.current = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false };
  };
  const onMove = (e: RPointerEvent) => {
    const d = drag.current;
    if (!d) return;
    if (Math.abs(e.clientX - d.x) + Math.abs(e.clientY - d.y) > 3) d.moved = true;
    if (d.moved) setView((v) => ({ ...v, x: d.vx + e.clientX - d.x, y: d.vy + e.clientY - d.y }));
  };
  const onUp = () => {
    setTimeout(() => {
      drag.current = null;
    }, 0);
  };

  const toggleScope = (scope: string) => {
    const next = new Set(expanded);
    if (next.has(scope)) {
      for (const s of [...next]) if (s === scope || s.startsWith(`${scope}/`)) next.delete(s);
    } else next.add(scope);
    setParams({ gx: next.size ? [...next] : [''] });
  };
  const clickNode = (id: string) => {
    if (drag.current?.moved) return;
    if (id.startsWith('scope:')) toggleScope(id.slice(6));
    else setParams({ node: id });
  };
  const findFirst = () => {
    const q = search.toLowerCase();
    const hit = nodes.find((n) => n.name.toLowerCase().includes(q));
    if (!hit) return;
    const parts = hit.name.split('/');
    const next = new Set(expanded);
    for (let i = 1; i < parts.length; i++) next.add(parts.slice(0, i).join('/'));
    setParams({ gx: [...next], node: hit.name });
  };

  // centerOn is a fresh closure each render; re-centre only when the selection or the layout changes.
  useEffect(() => {
    if (selected && layout.nodes.has(selected)) centerOn(selected);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, layout]);

  const sel = selected ? byName.get(selected) : undefined;
  return (
    <div className="graph-wrap">
      <div style={{ flex: 1, minWidth: 0 }}>
        <div className="toolbar" role="toolbar" aria-label="Graph view">
          <input
            type="search"
            placeholder="Search nodes"
            value={search}
            onChange={(e) => setParams({ gq: e.target.value || null })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') findFirst();
            }}
            aria-label="Search nodes by name"
          />
          <span className="meta">
            {search
              ? `${matches.size} match${matches.size === 1 ? '' : 'es'} · Enter opens the first`
              : `${nodes.length} nodes · ${visible.nodes.length} shown`}
          </span>
          <button type="button" onClick={() => zoomBy(1.25)} aria-label="Zoom in">
            +
          </button>
          <button type="button" onClick={() => zoomBy(0.8)} aria-label="Zoom out">
            −
          </button>
          <button type="button" onClick={fit}>
            Fit
          </button>
          <button type="button" onClick={() => setParams({ gx: allScopes.length ? allScopes : [''] })}>
            Expand all
          </button>
          <button type="button" onClick={() => setParams({ gx: [''] })}>
            Collapse all
          </button>
          <span className="meta">◻ op · ▭ dashed: scope (click to expand) · purple: backward</span>
        </div>
        <div
          ref={wrap}
          className="graph-canvas"
          onWheel={onWheel}
          onPointerDown={onDown}
          onPointerMove={onMove}
          onPointerUp={onUp}
          onPointerLeave={onUp}
          data-testid="graph-canvas"
        >
          <svg role="img" aria-label={`Graph with ${visible.nodes.length} visible nodes`}>
            <defs>
              <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" fill="currentColor" />
              </marker>
            </defs>
            <g transform={`translate(${view.x},${view.y}) scale(${view.k})`}>
              {layout.edges.map((e, i) => (
                <g key={i} className="gedge" data-from={e.from} data-to={e.to}>
                  <path
                    d={`M${e.points.map((p) => `${p.x},${p.y}`).join(' L')}`}
                    markerEnd="url(#arrow)"
                    strokeDasharray={e.control ? '3 3' : undefined}
                  />
                  {e.label && (
                    <text x={e.lx} y={e.ly} textAnchor="middle">
                      {e.label}
                    </text>
                  )}
                </g>
              ))}
              {visible.nodes.map((v) => {
                const p = layout.nodes.get(v.id)!;
                const cls = [
                  'gnode',
                  v.kind === 'scope' ? 'scope' : '',
                  v.backward && v.kind === 'op' ? 'backward' : '',
                  v.param ? 'param' : '',
                  selected === v.id ? 'selected' : '',
                  matches.has(v.id) ? 'match' : '',
                ].join(' ');
                return (
                  <g
                    key={v.id}
                    className={cls}
                    transform={`translate(${p.x - p.w / 2},${p.y - p.h / 2})`}
                    data-node={v.id}
                    tabIndex={0}
                    role="button"
                    aria-label={
                      v.kind === 'scope'
                        ? `Scope ${v.id.slice(6)}, ${v.size} nodes, ${expanded.has(v.id.slice(6)) ? 'expanded' : 'collapsed'}`
                        : `Node ${v.id}, op ${v.node?.op}`
                    }
                    onClick={() => clickNode(v.id)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        clickNode(v.id);
                      }
                    }}
                  >
                    <rect width={p.w} height={p.h} rx={v.kind === 'scope' ? 8 : 4} />
                    <text x={p.w / 2} y={15} textAnchor="middle" fontWeight={600}>
                      {v.kind === 'scope' ? `${v.label} (${v.size})` : v.label}
                    </text>
                    <text x={p.w / 2} y={29} textAnchor="middle" opacity={0.7}>
                      {v.kind === 'scope' ? '+ scope' : v.node?.op}
                    </text>
                  </g>
                );
              })}
            </g>
          </svg>
        </div>
      </div>
      <aside className="graph-side panel" aria-label="Node details" data-testid="node-details">
        {!sel ? (
          <p className="muted">Click a node for its op, attributes, shapes, dtype and timing. Click a dashed scope to expand it.</p>
        ) : (
          <>
            <h3 style={{ wordBreak: 'break-all', marginTop: 0 }}>{sel.name}</h3>
            <table className="table">
              <tbody>
                <tr>
                  <th>op</th>
                  <td>{sel.op}</td>
                </tr>
                {shapeLabel(sel) && (
                  <tr>
                    <th>shape</th>
                    <td>{shapeLabel(sel)}</td>
                  </tr>
                )}
                {dtypeLabel(sel) && (
                  <tr>
                    <th>dtype</th>
                    <td>{dtypeLabel(sel)}</td>
                  </tr>
                )}
                {typeof sel.attrs._compute_time_us === 'number' && (
                  <tr>
                    <th>time</th>
                    <td>{(sel.attrs._compute_time_us as number).toFixed(1)} µs</td>
                  </tr>
                )}
                {sel.device && (
                  <tr>
                    <th>device</th>
                    <td>{sel.device}</td>
                  </tr>
                )}
                {typeof sel.attrs._scope === 'string' && (
                  <tr>
                    <th>module</th>
                    <td>{sel.attrs._scope as string}</td>
                  </tr>
                )}
              </tbody>
            </table>
            <h4>Inputs</h4>
            {sel.inputs.length === 0 ? (
              <p className="muted">none</p>
            ) : (
              <ul>
                {sel.inputs.map((i) => {
                  const { name } = inputName(i);
                  return (
                    <li key={i}>
                      <button type="button" className="icon" onClick={() => setParams({ node: name })}>
                        {i}
                      </button>{' '}
                      <span className="meta">{shapeLabel(byName.get(name))}</span>
                    </li>
                  );
                })}
              </ul>
            )}
            <h4>Attributes</h4>
            <pre className="mono">{JSON.stringify(sel.attrs, null, 1)}</pre>
          </>
        )}
      </aside>
    </div>
  );
}
