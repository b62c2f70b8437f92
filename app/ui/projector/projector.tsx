'use client';
// Embedding Projector: pick an embedding (any projector_config.pbtxt in the log directory), project
// it with PCA (2-D / 3-D), t-SNE or UMAP in a Web Worker, colour points by a metadata column, show
// sprite thumbnails, search labels, and list a clicked point's nearest neighbours (cosine or
// euclidean, in the original space). Points are drawn on one canvas; 3-D views rotate by dragging.
import { useEffect, useMemo, useRef, useState } from 'react';
import { fetchJson, query, useApi } from '../api.ts';
import { runColor } from '../colors.ts';
import { compilePattern } from '../../../lib/pattern.ts';
import { setParams, useParams } from '../url-state.ts';
import type { Metric, Points } from './math.ts';
import type { WorkerRequest, WorkerResponse } from './worker.ts';

interface Embedding {
  run: string;
  tensorName: string;
  shape: number[] | null;
  hasMetadata: boolean;
  sprite: { singleImageDim: number[] } | null;
  problem: string | null;
}
interface EmbeddingData {
  shape: [number, number];
  values: string;
  metadata: { columns: string[]; rows: string[][] } | null;
  sprite: { singleImageDim: number[] } | null;
}
type Method = 'pca2' | 'pca3' | 'tsne' | 'umap';

const METHODS: Array<[Method, string]> = [
  ['pca2', 'PCA 2-D'],
  ['pca3', 'PCA 3-D'],
  ['tsne', 't-SNE'],
  ['umap', 'UMAP'],
];

function decodePoints(d: EmbeddingData): Points {
  const bin = atob(d.values);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return { n: d.shape[0], d: d.shape[1], data: new Float32Array(bytes.buffer) };
}

/** Colour per point: categories hashed to the run palette, numbers on a blue-to-red ramp. */
function pointColors(values: string[] | null, n: number): { colors: string[]; legend: Array<[string, string]> } {
  if (!values) return { colors: new Array<string>(n).fill('#1f77b4'), legend: [] };
  const nums = values.map(Number);
  const numeric = values.length > 0 && values.every((v, i) => v.trim() !== '' && Number.isFinite(nums[i]));
  const distinct = new Set(values);
  if (numeric && distinct.size > 12) {
    const lo = Math.min(...nums),
      hi = Math.max(...nums);
    const ramp = (t: number) => `hsl(${Math.round(240 - 240 * t)}, 70%, 50%)`;
    return {
      colors: nums.map((v) => ramp(hi > lo ? (v - lo) / (hi - lo) : 0)),
      legend: [
        [`${lo}`, ramp(0)],
        [`${hi}`, ramp(1)],
      ],
    };
  }
  const legend = [...distinct]
    .sort()
    .slice(0, 30)
    .map((v) => [v, runColor(v)] as [string, string]);
  return { colors: values.map((v) => runColor(v)), legend };
}

export function ProjectorDashboard() {
  const params = useParams();
  const list = useApi<{ embeddings: Embedding[] }>('/api/projector');
  const embeddings = list.data?.embeddings ?? [];
  const key = params.get('emb');
  const current = embeddings.find((e) => `${e.run}\u0000${e.tensorName}` === key) ?? embeddings.find((e) => !e.problem) ?? null;
  const method = (METHODS.some(([m]) => m === params.get('proj')) ? params.get('proj') : 'pca2') as Method;
  const colorBy = params.get('color') ?? '';
  const search = params.get('q') ?? '';
  const metric: Metric = params.get('metric') === 'euclidean' ? 'euclidean' : 'cosine';
  const [data, setData] = useState<EmbeddingData | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [coords, setCoords] = useState<{ coords: Float32Array; dims: number; progress: string; variance?: number[] } | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [neighbours, setNeighbours] = useState<Array<{ index: number; distance: number }>>([]);
  const workerRef = useRef<Worker | null>(null);
  const reqId = useRef(0);

  useEffect(() => {
    if (!current || current.problem) {
      setData(null);
      return;
    }
    let cancelled = false;
    setData(null);
    setCoords(null);
    setSelected(null);
    setLoadError(null);
    fetchJson<EmbeddingData>(query('/api/projector/tensor', { run: current.run, name: current.tensorName })).then(
      (d) => {
        if (!cancelled) setData(d);
      },
      (err: Error) => {
        if (!cancelled) setLoadError(err.message);
      },
    );
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the list is re-fetched as new objects; only these fields pick the embedding
  }, [current?.run, current?.tensorName, current?.problem]);

  const points = useMemo(() => (data ? decodePoints(data) : null), [data]);

  useEffect(() => {
    const w = new Worker(new URL('./worker.ts', import.meta.url));
    workerRef.current = w;
    return () => {
      w.terminate();
      workerRef.current = null;
    };
  }, []);

  useEffect(() => {
    const w = workerRef.current;
    if (!w || !points) return;
    const id = ++reqId.current;
    const dims = method === 'pca3' ? 3 : 2;
    const m = method === 'pca2' || method === 'pca3' ? 'pca' : method;
    setCoords((c) => (c ? { ...c, progress: 'computing…' } : null));
    w.onmessage = (ev: MessageEvent<WorkerResponse>) => {
      const r = ev.data;
      if (r.id !== reqId.current) return;
      if (r.type === 'progress')
        setCoords({ coords: r.coords, dims, progress: `${m === 'tsne' ? 't-SNE' : 'UMAP'} iteration ${r.done} of ${r.total}` });
      else if (r.type === 'result') setCoords({ coords: r.coords, dims, progress: 'done', variance: r.variance });
      else if (r.type === 'neighbours') setNeighbours(r.list);
      else setLoadError(r.message);
    };
    const req: WorkerRequest = { type: 'project', id, method: m, dims, points };
    w.postMessage(req);
  }, [points, method]);

  useEffect(() => {
    const w = workerRef.current;
    if (!w || !points || selected === null) {
      setNeighbours([]);
      return;
    }
    const id = ++reqId.current;
    w.postMessage({ type: 'neighbours', id, points, index: selected, k: 10, metric } satisfies WorkerRequest);
  }, [points, selected, metric]);

  const columns = data?.metadata?.columns ?? [];
  const colorColumn = columns.includes(colorBy) ? colorBy : (columns[columns.length > 1 ? 1 : 0] ?? '');
  const labelOf = (i: number) => data?.metadata?.rows[i]?.[0] ?? String(i);
  const { colors, legend } = useMemo(() => {
    const ci = columns.indexOf(colorColumn);
    return pointColors(ci >= 0 && data?.metadata ? data.metadata.rows.map((r) => r[ci] ?? '') : null, points?.n ?? 0);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- columns is derived from data (a new array each render)
  }, [data, colorColumn, points]);
  const { matches, searchError } = useMemo(() => {
    if (!search || !points) return { matches: new Set<number>(), searchError: null };
    try {
      const re = compilePattern(search, { ignoreCase: true });
      const out = new Set<number>();
      for (let i = 0; i < points.n; i++) if (re.test(labelOf(i))) out.add(i);
      return { matches: out, searchError: null };
    } catch (err) {
      return { matches: new Set<number>(), searchError: (err as Error).message };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- labelOf reads data, which is listed
  }, [search, points, data]);
  const spriteUrl = current?.sprite && data?.sprite ? query('/api/projector/sprite', { run: current.run, name: current.tensorName }) : null;

  return (
    <div className="projector">
      <div className="toolbar" role="toolbar" aria-label="Projector settings">
        <label>
          Embedding
          <select
            aria-label="Embedding"
            value={current ? `${current.run}\u0000${current.tensorName}` : ''}
            onChange={(e) => setParams({ emb: e.target.value || null })}
          >
            {embeddings.map((e) => (
              <option
                key={`${e.run}\u0000${e.tensorName}`}
                value={`${e.run}\u0000${e.tensorName}`}
                disabled={!!e.problem}
              >{`${e.run || '.'} · ${e.tensorName}${e.problem ? ' (unavailable)' : ''}`}</option>
            ))}
          </select>
        </label>
        <span role="radiogroup" aria-label="Projection" className="seg">
          {METHODS.map(([m, label]) => (
            <button
              key={m}
              type="button"
              role="radio"
              aria-checked={method === m}
              className={method === m ? 'active' : ''}
              onClick={() => setParams({ proj: m === 'pca2' ? null : m })}
            >
              {label}
            </button>
          ))}
        </span>
        {columns.length > 0 && (
          <label>
            Colour by
            <select aria-label="Colour by" value={colorColumn} onChange={(e) => setParams({ color: e.target.value })}>
              {columns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        )}
        <input
          type="search"
          placeholder="Search labels (regex)"
          aria-label="Search labels"
          value={search}
          className={searchError ? 'invalid' : ''}
          aria-invalid={searchError !== null}
          title={searchError ?? 'RE2 pattern, case-insensitive'}
          onChange={(e) => setParams({ q: e.target.value || null })}
        />
        <label>
          Neighbours by
          <select
            aria-label="Distance"
            value={metric}
            onChange={(e) => setParams({ metric: e.target.value === 'cosine' ? null : e.target.value })}
          >
            <option value="cosine">cosine</option>
            <option value="euclidean">euclidean</option>
          </select>
        </label>
        {coords && (
          <span className="meta" aria-live="polite" data-testid="projector-status">
            {coords.progress}
            {coords.variance ? ` · variance explained ${coords.variance.map((v) => `${(v * 100).toFixed(1)}%`).join(', ')}` : ''}
          </span>
        )}
      </div>
      {searchError && (
        <div className="error-text" role="alert">
          Search: {searchError}
        </div>
      )}
      {list.error && (
        <div className="error-text" role="alert">
          Cannot list embeddings: {list.error.message}
        </div>
      )}
      {loadError && (
        <div className="error-text" role="alert">
          {loadError}
        </div>
      )}
      {!list.loading && embeddings.length === 0 && (
        <div className="empty">
          No embeddings in the log directory. Write them with SummaryWriter.addEmbedding (or TensorFlow's projector), then reload.
        </div>
      )}
      {current?.problem && (
        <div className="error-text" role="alert">
          {current.problem}
        </div>
      )}
      {points && (
        <div className="projector-body">
          <ScatterCanvas
            coords={coords}
            colors={colors}
            highlight={matches}
            selected={selected}
            neighbours={neighbours}
            onSelect={setSelected}
            sprite={spriteUrl && data?.sprite ? { url: spriteUrl, dim: data.sprite.singleImageDim, n: points.n } : null}
            labelOf={labelOf}
          />
          <aside className="projector-side">
            <div className="meta">
              {points.n.toLocaleString()} points × {points.d} dimensions
            </div>
            {legend.length > 0 && (
              <ul className="legend" aria-label="Colour legend">
                {legend.map(([v, c]) => (
                  <li key={v}>
                    <span className="swatch" style={{ background: c }} aria-hidden />
                    {v}
                  </li>
                ))}
              </ul>
            )}
            {search && !searchError && (
              <div className="meta" data-testid="search-count">
                {matches.size} match{matches.size === 1 ? '' : 'es'}
              </div>
            )}
            {search && matches.size > 0 && (
              <ul className="matches" aria-label="Search matches">
                {[...matches].slice(0, 50).map((i) => (
                  <li key={i}>
                    <button type="button" onClick={() => setSelected(i)}>
                      {labelOf(i)}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {selected !== null && (
              <section aria-label="Nearest neighbours">
                <h3>
                  Nearest to “{labelOf(selected)}” ({metric})
                </h3>
                <ol className="neighbours" data-testid="neighbours">
                  {neighbours.map((nb) => (
                    <li key={nb.index}>
                      <button type="button" onClick={() => setSelected(nb.index)}>
                        {labelOf(nb.index)}
                      </button>{' '}
                      <span className="meta">{nb.distance.toFixed(4)}</span>
                    </li>
                  ))}
                </ol>
              </section>
            )}
          </aside>
        </div>
      )}
    </div>
  );
}

interface CanvasProps {
  coords: { coords: Float32Array; dims: number } | null;
  colors: string[];
  highlight: Set<number>;
  selected: number | null;
  neighbours: Array<{ index: number }>;
  onSelect: (i: number | null) => void;
  sprite: { url: string; dim: number[]; n: number } | null;
  labelOf: (i: number) => string;
}

const W = 720,
  H = 560;

/** Points on a canvas; 3-D coordinates are rotated (drag) and projected orthographically. */
function ScatterCanvas({ coords, colors, highlight, selected, neighbours, onSelect, sprite, labelOf }: CanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [angles, setAngles] = useState({ yaw: 0.6, pitch: 0.4 });
  const [img, setImg] = useState<HTMLImageElement | null>(null);
  const screen = useRef<Float32Array>(new Float32Array(0));
  const drag = useRef<{ x: number; y: number } | null>(null);

  const spriteUrl = sprite?.url ?? null;
  useEffect(() => {
    if (spriteUrl === null) {
      setImg(null);
      return;
    }
    const im = new Image();
    im.onload = () => setImg(im);
    im.src = spriteUrl;
  }, [spriteUrl]);

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !coords) return;
    const ctx = canvas.getContext('2d')!;
    const dark = document.documentElement.dataset.theme === 'dark';
    ctx.fillStyle = dark ? '#0d1117' : '#ffffff';
    ctx.fillRect(0, 0, W, H);
    const { coords: c, dims } = coords;
    const n = c.length / dims;
    const xy = new Float32Array(n * 2);
    const depth = new Float32Array(n);
    const cy = Math.cos(angles.yaw),
      sy = Math.sin(angles.yaw),
      cp = Math.cos(angles.pitch),
      sp = Math.sin(angles.pitch);
    for (let i = 0; i < n; i++) {
      let x = c[i * dims]!,
        y = c[i * dims + 1]!,
        z = dims === 3 ? c[i * dims + 2]! : 0;
      if (dims === 3) {
        const x1 = x * cy + z * sy;
        const z1 = -x * sy + z * cy;
        const y1 = y * cp - z1 * sp;
        z = y * sp + z1 * cp;
        x = x1;
        y = y1;
      }
      xy[i * 2] = W / 2 + x * (W / 2 - 30);
      xy[i * 2 + 1] = H / 2 - y * (H / 2 - 30);
      depth[i] = z;
    }
    screen.current = xy;
    const order = Array.from({ length: n }, (_, i) => i);
    if (dims === 3) order.sort((a, b) => depth[a]! - depth[b]!);
    const nb = new Set(neighbours.map((x) => x.index));
    const dimmed = highlight.size > 0;
    const cells = sprite && img ? Math.ceil(Math.sqrt(sprite.n)) : 0;
    const [sw, sh] = sprite?.dim ?? [0, 0];
    for (const i of order) {
      const x = xy[i * 2]!,
        y = xy[i * 2 + 1]!;
      ctx.globalAlpha = dimmed && !highlight.has(i) && i !== selected ? 0.15 : 1;
      if (cells && img && sw && sh) {
        const size = 22;
        ctx.drawImage(img, (i % cells) * sw, Math.floor(i / cells) * sh, sw, sh, x - size / 2, y - size / 2, size, (size * sh) / sw);
      } else {
        ctx.fillStyle = colors[i] ?? '#1f77b4';
        ctx.beginPath();
        ctx.arc(x, y, 3.5, 0, Math.PI * 2);
        ctx.fill();
      }
      if (i === selected || nb.has(i) || (dimmed && highlight.has(i))) {
        ctx.strokeStyle = i === selected ? '#e3342f' : nb.has(i) ? '#f6993f' : dark ? '#fff' : '#000';
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.arc(x, y, 7, 0, Math.PI * 2);
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
    if (selected !== null) {
      ctx.fillStyle = dark ? '#e6edf3' : '#111';
      ctx.font = '12px sans-serif';
      ctx.fillText(labelOf(selected), xy[selected * 2]! + 9, xy[selected * 2 + 1]! - 9);
    }
    // Test hook: e2e tests read what was drawn.
    Object.defineProperty(canvas, '__projector', {
      value: { points: n, dims, xy: Array.from(xy), colors: colors.slice(0, n), selected, highlighted: [...highlight] },
      configurable: true,
    });
    canvas.dataset.points = String(n);
    canvas.dataset.dims = String(dims);
  }, [coords, colors, highlight, selected, neighbours, angles, img, sprite, labelOf]);

  const pick = (ev: React.MouseEvent<HTMLCanvasElement>) => {
    const r = ev.currentTarget.getBoundingClientRect();
    const x = ((ev.clientX - r.left) * W) / r.width,
      y = ((ev.clientY - r.top) * H) / r.height;
    const xy = screen.current;
    let best = -1,
      bestD = 12 * 12;
    for (let i = 0; i < xy.length / 2; i++) {
      const d = (xy[i * 2]! - x) ** 2 + (xy[i * 2 + 1]! - y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    onSelect(best >= 0 ? best : null);
  };
  return (
    <canvas
      ref={ref}
      width={W}
      height={H}
      className="projector-canvas"
      role="img"
      aria-label={coords ? `Projection of ${coords.coords.length / coords.dims} points in ${coords.dims}-D` : 'Projection loading'}
      onMouseDown={(e) => {
        drag.current = { x: e.clientX, y: e.clientY };
      }}
      onMouseMove={(e) => {
        if (!drag.current || coords?.dims !== 3) return;
        const dx = e.clientX - drag.current.x,
          dy = e.clientY - drag.current.y;
        drag.current = { x: e.clientX, y: e.clientY };
        setAngles((a) => ({ yaw: a.yaw + dx * 0.01, pitch: a.pitch + dy * 0.01 }));
      }}
      onMouseUp={(e) => {
        const d = drag.current;
        drag.current = null;
        if (d && Math.abs(e.clientX - d.x) + Math.abs(e.clientY - d.y) < 3) pick(e);
      }}
      onClick={(e) => {
        if (coords?.dims !== 3) pick(e);
      }}
    />
  );
}
