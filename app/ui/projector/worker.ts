// The Projector's worker: PCA, t-SNE (@keckelt/tsne) and UMAP (umap-js) run here, off the page's
// main thread, posting progress while they iterate; nearest-neighbour lists are computed here too.
import { TSNE } from '@keckelt/tsne';
import { UMAP } from 'umap-js';
import { nearestNeighbours, normalizeCoords, pca, type Metric, type Points } from './math.ts';

export type WorkerRequest =
  | {
      type: 'project';
      id: number;
      method: 'pca' | 'tsne' | 'umap';
      dims: 2 | 3;
      points: Points;
      perplexity?: number;
      iterations?: number;
      neighbors?: number;
    }
  | { type: 'neighbours'; id: number; points: Points; index: number; k: number; metric: Metric };

export type WorkerResponse =
  | { type: 'progress'; id: number; coords: Float32Array; done: number; total: number }
  | { type: 'result'; id: number; coords: Float32Array; variance?: number[] }
  | { type: 'neighbours'; id: number; list: Array<{ index: number; distance: number }> }
  | { type: 'error'; id: number; message: string };

const post = (m: WorkerResponse) => (self as unknown as Worker).postMessage(m);

/** A seeded generator (mulberry32): the same data and settings give the same layout. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rows(p: Points): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < p.n; i++) out.push(Array.from(p.data.subarray(i * p.d, (i + 1) * p.d)));
  return out;
}

async function project(req: Extract<WorkerRequest, { type: 'project' }>): Promise<void> {
  const { points, dims, id } = req;
  if (req.method === 'pca') {
    const { coords, variance } = pca(points, dims);
    post({ type: 'result', id, coords: normalizeCoords(coords, points.n, dims), variance });
    return;
  }
  if (points.n < 3) throw new Error(`${req.method === 'tsne' ? 't-SNE' : 'UMAP'} needs at least 3 points`);
  if (req.method === 'tsne') {
    const total = req.iterations ?? 500;
    // Math.random drives @keckelt/tsne's initialisation; seed it for reproducible layouts.
    const rnd = Math.random;
    Math.random = seeded(42);
    try {
      const tsne = new TSNE({
        dim: dims,
        perplexity: Math.min(req.perplexity ?? 30, Math.max(2, Math.floor((points.n - 1) / 3))),
        epsilon: 10,
      });
      tsne.initDataRaw(rows(points));
      for (let it = 1; it <= total; it++) {
        tsne.step();
        if (it % 25 === 0 || it === total) {
          const coords = normalizeCoords(Float32Array.from((tsne.getSolution() as number[][]).flat()), points.n, dims);
          post(it === total ? { type: 'result', id, coords } : { type: 'progress', id, coords, done: it, total });
        }
      }
    } finally {
      Math.random = rnd;
    }
    return;
  }
  const umap = new UMAP({ nComponents: dims, nNeighbors: Math.min(req.neighbors ?? 15, points.n - 1), random: seeded(42) });
  const total = umap.initializeFit(rows(points));
  for (let e = 0; e < total; e++) {
    umap.step();
    if (e % 25 === 0)
      post({
        type: 'progress',
        id,
        coords: normalizeCoords(Float32Array.from(umap.getEmbedding().flat()), points.n, dims),
        done: e,
        total,
      });
  }
  post({ type: 'result', id, coords: normalizeCoords(Float32Array.from(umap.getEmbedding().flat()), points.n, dims) });
}

self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const req = ev.data;
  if (req.type === 'neighbours') {
    try {
      post({ type: 'neighbours', id: req.id, list: nearestNeighbours(req.points, req.index, req.k, req.metric) });
    } catch (err) {
      post({ type: 'error', id: req.id, message: (err as Error).message });
    }
    return;
  }
  project(req).catch((err: Error) => post({ type: 'error', id: req.id, message: err.message }));
};
