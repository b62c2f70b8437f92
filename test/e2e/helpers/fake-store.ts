// In-memory StoreQueries with synthetic data, for developing the UI before the real store lands
// and for UI benchmarks that must not depend on ingest speed. Not used by the e2e tests.
import { buildTagIndex } from '../../../lib/store/tag-index.ts';
import { PNG } from 'pngjs';
import type {
  ExportRow,
  GraphView,
  HistogramEntry,
  HparamsView,
  ImageSeries,
  PrCurveEntry,
  RunSummary,
  ScalarPoint,
  ScalarSeries,
  StoreChange,
  StoreQueries,
  TagSummary,
  TextEntry,
  Blob,
} from '../../../lib/store/types.ts';
import type { ActiveStore } from '../../../lib/server/registry.ts';

function png(w: number, h: number, seed: number): Uint8Array {
  const img = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      img.data[i] = ((x * 255) / w + seed * 40) & 255;
      img.data[i + 1] = ((y * 255) / h) & 255;
      img.data[i + 2] = (seed * 70) & 255;
      img.data[i + 3] = 255;
    }
  return new Uint8Array(PNG.sync.write(img));
}

export function fakeStore(opts: { runs?: number; tags?: number; points?: number; liveMs?: number } = {}): ActiveStore & { stop(): void } {
  const nRuns = opts.runs ?? 4,
    nTags = opts.tags ?? 6,
    nPts = opts.points ?? 500;
  const t0 = 1_700_000_000;
  const scal = new Map<string, ScalarPoint[]>();
  const runs: string[] = Array.from({ length: nRuns }, (_, i) => `run_${i}`);
  const tags = Array.from({ length: nTags }, (_, i) => (i % 2 ? `loss/t${i}` : `acc/t${i}`));
  for (const [ri, r] of runs.entries())
    for (const [ti, t] of tags.entries()) {
      scal.set(
        `${r}\u0000${t}`,
        Array.from({ length: nPts }, (_, s) => ({
          step: s,
          wallTime: t0 + s * 2 + ri,
          value: Math.exp(-s / (100 + ri * 20)) + 0.1 * Math.sin(s / 7 + ti) + 0.05 * Math.random(),
        })),
      );
    }
  const blobs: Blob[] = [0, 1, 2].map((i) => ({ id: i, contentType: 'image/png', bytes: png(64, 48, i), etag: `b${i}` }));
  const listeners = new Set<(c: StoreChange) => void>();
  let timer: ReturnType<typeof setInterval> | null = null;
  if (opts.liveMs)
    timer = setInterval(() => {
      const key = `${runs[0]}\u0000${tags[0]}`;
      const pts = scal.get(key)!;
      const last = pts[pts.length - 1]!;
      pts.push({ step: last.step + 1, wallTime: last.wallTime + 2, value: last.value * 0.99 });
      for (const l of listeners) l({ type: 'data', run: runs[0]!, tag: tags[0], kind: 'scalar', maxStep: last.step + 1 });
    }, opts.liveMs);

  const hist = (step: number): HistogramEntry => {
    const buckets = Array.from({ length: 30 }, (_, i) => ({
      left: -3 + i * 0.2,
      right: -2.8 + i * 0.2,
      count: Math.exp(-((-2.9 + i * 0.2 - step / 20) ** 2)) * 100,
    }));
    return { step, wallTime: t0 + step, min: -3, max: 3, num: 1000, sum: 0, sumSquares: 1000, buckets };
  };
  const queries: StoreQueries = {
    tagIndex: async () => buildTagIndex(await queries.listRuns(), await queries.listTags()),
    audio: async () => [],
    customScalarLayouts: async () => [],
    listRuns: async (): Promise<RunSummary[]> =>
      runs.map((name) => ({
        name,
        tagCount: nTags + 4,
        lastWallTime: t0 + nPts * 2,
        firstWallTime: t0,
        warningCount: name === 'run_1' ? 1 : 0,
      })),
    listTags: async (run?: string): Promise<TagSummary[]> =>
      runs
        .filter((r) => !run || r === run)
        .flatMap((r) => [
          ...tags.map((tag) => ({ run: r, tag, kind: 'scalar' as const, plugin: 'scalars', count: nPts, minStep: 0, maxStep: nPts - 1 })),
          { run: r, tag: 'samples', kind: 'image' as const, plugin: 'images', count: 3, minStep: 0, maxStep: 2 },
          { run: r, tag: 'weights', kind: 'histogram' as const, plugin: 'histograms', count: 20, minStep: 0, maxStep: 95 },
          { run: r, tag: 'notes', kind: 'text' as const, plugin: 'text', count: 1, minStep: 0, maxStep: 0 },
          { run: r, tag: 'pr', kind: 'pr_curve' as const, plugin: 'pr_curves', count: 2, minStep: 0, maxStep: 1 },
        ]),
    scalars: async (rs, tag, q = {}): Promise<ScalarSeries[]> =>
      rs.map((run) => {
        const all = (scal.get(`${run}\u0000${tag}`) ?? []).filter(
          (p) => (q.minStep === undefined || p.step >= q.minStep) && (q.maxStep === undefined || p.step <= q.maxStep),
        );
        const max = q.maxPoints ?? 1000;
        const stride = Math.max(1, Math.ceil(all.length / max));
        return {
          run,
          tag,
          points: stride === 1 ? all : all.filter((_, i) => i % stride === 0),
          total: all.length,
          downsampled: stride > 1,
        };
      }),
    images: async (run, tag): Promise<ImageSeries> => ({
      run,
      tag,
      steps: [0, 1, 2],
      images: [0, 1, 2].map((s) => ({ step: s, wallTime: t0 + s, index: 0, width: 64, height: 48, blobId: s, contentType: 'image/png' })),
    }),
    blob: async (id) => blobs[id] ?? null,
    histograms: async () => Array.from({ length: 20 }, (_, i) => hist(i * 5)),
    graph: async (run): Promise<GraphView[]> => [
      {
        run,
        source: 'graph_def',
        step: 0,
        nodes: [
          { name: 'input', op: 'Placeholder', inputs: [], attrs: { shape: [8, 4], dtype: 'float32' } },
          { name: 'model/fc1/weight', op: 'Parameter', inputs: [], attrs: { shape: [16, 4] } },
          { name: 'model/fc1/AddmmBackward0', op: 'addmm', inputs: ['input', 'model/fc1/weight'], attrs: { shape: [8, 16] } },
          { name: 'model/relu', op: 'relu', inputs: ['model/fc1/AddmmBackward0'], attrs: { shape: [8, 16] } },
          { name: 'loss', op: 'mse', inputs: ['model/relu'], attrs: { shape: [] } },
        ],
      },
    ],
    text: async (): Promise<TextEntry[]> => [
      { step: 0, wallTime: t0, text: '# Hello\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script> [x](javascript:alert(1))' },
    ],
    prCurves: async (): Promise<PrCurveEntry[]> =>
      [0, 1].map((step) => ({
        step,
        wallTime: t0 + step,
        thresholds: [0, 0.5, 1],
        precision: [0.5, 0.7 + step * 0.1, 1],
        recall: [1, 0.6, 0],
        tp: [5, 3, 0],
        fp: [5, 1, 0],
        tn: [0, 4, 5],
        fn: [0, 2, 5],
      })),
    hparams: async (): Promise<HparamsView> => ({
      hparamInfos: [{ name: 'lr' }, { name: 'opt' }],
      metricInfos: [{ tag: 'hparam/acc' }],
      sessions: runs.map((run, i) => ({
        run,
        hparams: { lr: 10 ** -(i + 1), opt: i % 2 ? 'adam' : 'sgd' },
        metrics: { 'hparam/acc': 0.5 + i * 0.1 },
        status: 'STATUS_SUCCESS',
        startTime: t0,
        endTime: t0 + 100,
      })),
    }),
    warnings: async (run) =>
      run === undefined || run === 'run_1'
        ? [{ run: 'run_1', file: 'events.out.tfevents.1', offset: 128, reason: 'data-crc', time: t0 }]
        : [],
    exportScalars: async function* ({ runs: rre, tags: tre }): AsyncIterable<ExportRow[]> {
      for (const [key, pts] of scal) {
        const [run, tag] = key.split('\u0000') as [string, string];
        if ((rre && !rre.test(run)) || (tre && !tre.test(tag))) continue;
        yield pts.map((p) => ({ run, tag, step: p.step, wallTime: p.wallTime, value: p.value }));
      }
    },
  };
  return {
    queries,
    onChange: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    deleteRun: (run) => {
      const i = runs.indexOf(run);
      if (i >= 0) runs.splice(i, 1);
      for (const l of listeners) l({ type: 'run-removed', run });
    },
    caps: {},
    logdir: '(fake)',
    version: '0.0.0-fake',
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
