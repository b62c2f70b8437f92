// SummaryWriter round trips: every method writes, our reader reads back identical values.
import { afterAll, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodePng,
  discoverRuns,
  readEventFile,
  setGraphTracer,
  SummaryWriter,
  type GraphDescription,
  type NormalizedValue,
} from '../../lib/tfevents/index.ts';
import { defaultLogDir } from '../../lib/tfevents/writer.ts';
import { makeHistogram } from '../../lib/tfevents/histogram.ts';
import { computePrCurve } from '../../lib/tfevents/pr-curve.ts';
import { decodeToJson } from '../../lib/tfevents/proto.ts';

const root = mkdtempSync(join(tmpdir(), 'board-writer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `run${n++}`);

function readAll(dir: string): NormalizedValue[] {
  const runs = discoverRuns(dir).filter((r) => r.run === '.');
  return runs.flatMap((r) => r.files.flatMap((f) => readEventFile(f).values));
}

test('file name, first record and default log directory follow PyTorch', () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir, { filenameSuffix: '.v2' });
  w.close();
  const [name] = readdirSync(dir);
  const host = hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  expect(name).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${host}\\.${process.pid}\\.\\d+\\.v2$`));
  const res = readEventFile(join(dir, name!));
  expect(res.fileVersion).toBe('brain.Event:2');
  expect(res.records).toBe(1);
  expect(defaultLogDir('_lr0.1', new Date(2026, 10, 6, 8, 5, 9))).toBe(join('runs', `Nov06_08-05-09_${hostname()}_lr0.1`));
});

test('addScalar: float32 values, int64 steps (negative, beyond 2^53), walltime; newStyle tensors', () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir);
  const steps = [0, 1, -360, 2 ** 53 - 1, 2n ** 60n, -(2n ** 62n)];
  steps.forEach((s, i) => w.addScalar('loss/train', 0.1 * (i + 1), s, 1700000000.25 + i));
  w.addScalar('acc', 0.3, 7, undefined, { newStyle: true });
  w.addScalar('acc64', 0.3, 7, undefined, { newStyle: true, doublePrecision: true });
  w.addScalar('item', { item: () => 2.5 }, 8);
  w.close();
  const vals = readAll(dir);
  const loss = vals.filter((v) => v.tag === 'loss/train');
  expect(loss.map((v) => v.step)).toEqual(steps);
  expect(loss.map((v) => v.data)).toEqual(steps.map((_, i) => ({ kind: 'scalar', value: Math.fround(0.1 * (i + 1)) })));
  expect(loss.map((v) => v.wallTime)).toEqual(steps.map((_, i) => 1700000000.25 + i));
  expect(loss.every((v) => v.plugin === null && v.kind === 'scalar')).toBe(true);
  const acc = vals.find((v) => v.tag === 'acc')!;
  expect([acc.kind, acc.plugin, acc.data]).toEqual(['scalar', 'scalars', { kind: 'scalar', value: Math.fround(0.3) }]);
  expect(vals.find((v) => v.tag === 'acc64')!.data).toEqual({ kind: 'scalar', value: 0.3 });
  expect(vals.find((v) => v.tag === 'item')!.data).toEqual({ kind: 'scalar', value: 2.5 });
  const wt = vals.find((v) => v.tag === 'acc')!.wallTime!;
  expect(Math.abs(wt - Date.now() / 1000)).toBeLessThan(60);
});

test("addScalars: one sub-run per key named <mainTag with '/' -> '_'>_<key>, values tagged mainTag", () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir);
  for (let s = 0; s < 3; s++) w.addScalars('loss/all', { train: s, 'val set': s * 2 }, s);
  w.close();
  const runs = discoverRuns(dir);
  expect(runs.map((r) => r.run)).toEqual(['.', 'loss_all_train', 'loss_all_val set']);
  const val = readEventFile(runs[2]!.files[0]!).values;
  expect(val.map((v) => [v.tag, v.step, (v.data as { value: number }).value])).toEqual([
    ['loss/all', 0, 0],
    ['loss/all', 1, 2],
    ['loss/all', 2, 4],
  ]);
  expect(readEventFile(runs[0]!.files[0]!).records).toBe(1); // the main run holds only its file_version
});

test('addHistogram: HistogramProto round trip (TensorBoard edges: [min, limits..., max])', () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir);
  const values = Float32Array.from({ length: 500 }, (_, i) => Math.sin(i) * 3);
  w.addHistogram('w', values, 4);
  w.addHistogram('w10', values, 5, 10);
  w.addHistogram('tensorlike', { shape: [2, 2], dataSync: () => Float32Array.of(1, 2, 3, 4) }, 6);
  w.addHistogramRaw('raw', 0, 10, 3, 12, 60, [1, 5, 10], [1, 1, 1], 1);
  w.close();
  const vals = readAll(dir);
  const expected = makeHistogram(Float64Array.from(values), 'tensorflow');
  const h = vals.find((v) => v.tag === 'w')!.data;
  if (h.kind !== 'histogram') throw new Error(h.kind);
  expect([h.min, h.max, h.num, h.sum, h.sumSquares]).toEqual([expected.min, expected.max, expected.num, expected.sum, expected.sumSquares]);
  expect(Array.from(h.counts)).toEqual(expected.bucket);
  expect(Array.from(h.right.slice(0, -1))).toEqual(expected.bucketLimit.slice(0, -1));
  expect(h.left[0]).toBe(expected.min);
  expect(h.right[h.right.length - 1]).toBe(expected.max);
  const h10 = vals.find((v) => v.tag === 'w10')!.data;
  expect(h10.kind === 'histogram' && Array.from(h10.counts).reduce((a, b) => a + b)).toBe(500);
  const tl = vals.find((v) => v.tag === 'tensorlike')!.data;
  expect(tl.kind === 'histogram' && [tl.num, tl.sum]).toEqual([4, 10]);
  const raw = vals.find((v) => v.tag === 'raw')!.data;
  expect(raw.kind === 'histogram' && [Array.from(raw.left), Array.from(raw.right), Array.from(raw.counts)]).toEqual([
    [0, 1, 5],
    [1, 5, 10],
    [1, 1, 1],
  ]);
});

test('addImage: CHW float scaled by 255 (truncated in float32), HWC uint8 as is, HW gray, tensors', () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir);
  const chw = Float32Array.from({ length: 3 * 2 * 4 }, (_, i) => i / 23);
  w.addImage('chw', { data: chw, shape: [3, 2, 4] }, 1);
  const hwc = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
  w.addImage('hwc', { data: hwc, shape: [2, 3, 4] }, 2, { dataformats: 'HWC' });
  w.addImage(
    'hw',
    [
      [0, 0.5],
      [1, 2],
    ],
    3,
    { dataformats: 'HW' },
  );
  w.addImage('tensor', { shape: [1, 2, 2], dataSync: () => Float32Array.of(0, 0.25, 0.75, 1) }, 4);
  w.addImage('flat', Float32Array.of(0.1, 0.2, 0.3), 5, { dataformats: 'HWC', shape: [1, 1, 3] });
  w.close();
  const vals = readAll(dir);
  const img = (tag: string) => {
    const d = vals.find((v) => v.tag === tag)!.data;
    if (d.kind !== 'image') throw new Error(d.kind);
    return d.images[0]!;
  };
  const a = img('chw');
  expect([a.width, a.height, a.colorspace]).toEqual([4, 2, 3]);
  const pa = decodePng(a.encoded, 3).pixels;
  for (let c = 0; c < 3; c++)
    for (let p = 0; p < 8; p++) {
      expect(pa[p * 3 + c]).toBe(Math.trunc(Math.fround(Math.fround(chw[c * 8 + p]!) * 255)));
    }
  const b = img('hwc');
  expect([b.width, b.height, b.colorspace]).toEqual([3, 2, 4]);
  expect(Array.from(decodePng(b.encoded, 4).pixels)).toEqual(Array.from(hwc));
  const c = img('hw');
  expect([c.width, c.height, c.colorspace]).toEqual([2, 2, 3]);
  expect(Array.from(decodePng(c.encoded, 3).pixels)).toEqual([0, 0, 0, 127, 127, 127, 255, 255, 255, 255, 255, 255]);
  const d = img('tensor');
  expect(Array.from(decodePng(d.encoded, 3).pixels)).toEqual([0, 0, 0, 63, 63, 63, 191, 191, 191, 255, 255, 255]);
  expect(Array.from(decodePng(img('flat').encoded, 3).pixels)).toEqual([25, 51, 76]);
});

test('addImages: NCHW batch tiled like tensorboard make_grid (ncols = min(N, 8), no padding, zero fill)', () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir);
  const N = 10,
    C = 1,
    H = 2,
    W = 3;
  const data = Uint8Array.from({ length: N * C * H * W }, (_, i) => 1 + Math.floor(i / (H * W)) * 20 + (i % (H * W)));
  w.addImages('batch', { data, shape: [N, C, H, W] }, 0);
  w.addImages('nhwc', { data: new Uint8Array(2 * 2 * 2 * 3).fill(9), shape: [2, 2, 2, 3] }, 0, { dataformats: 'NHWC' });
  w.close();
  const vals = readAll(dir);
  const d = vals.find((v) => v.tag === 'batch')!.data;
  if (d.kind !== 'image') throw new Error(d.kind);
  const im = d.images[0]!;
  expect([im.width, im.height, im.colorspace]).toEqual([8 * W, 2 * H, 3]);
  const px = decodePng(im.encoded, 3).pixels;
  const at = (y: number, x: number) => px[(y * im.width + x) * 3]!;
  for (let i = 0; i < N; i++) {
    const oy = Math.floor(i / 8) * H,
      ox = (i % 8) * W;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(at(oy + y, ox + x)).toBe(data[i * H * W + y * W + x]);
  }
  expect(at(H, 2 * W)).toBe(0); // slot 10 of the second row is empty
  const e = vals.find((v) => v.tag === 'nhwc')!.data;
  expect(e.kind === 'image' && [e.images[0]!.width, e.images[0]!.height]).toEqual([4, 2]);
});

test('image errors name the shapes and formats', () => {
  const w = new SummaryWriter(freshDir());
  expect(() => w.addImage('x', { data: new Float32Array(6), shape: [2, 3] }, 0)).toThrow(
    "addImage('x'): image has shape [2,3] (2 dims) but dataformats 'CHW' needs 3 dims",
  );
  expect(() => w.addImage('x', { data: new Float32Array(5), shape: [1, 2, 3] }, 0)).toThrow(
    'shape [1,2,3] needs 6 values but the data has 5',
  );
  expect(() => w.addImage('x', { data: new Float32Array(10 * 4), shape: [5, 2, 4] }, 0)).toThrow(
    'image of shape [5,2,4] has 5 channels; expected 1, 3 or 4',
  );
  expect(() => w.addImage('x', { data: new Float32Array(6), shape: [1, 2, 3] }, 0, { dataformats: 'CHX' })).toThrow(
    "dataformats 'CHX' must be a permutation of 'CHW'",
  );
  expect(() => w.addImages('x', { data: new Float32Array(6), shape: [1, 2, 3] }, 0)).toThrow(
    "addImages('x'): image has shape [1,2,3] (3 dims) but dataformats 'NCHW' needs 4 dims",
  );
  expect(() => w.addImage('x', 'nope' as never, 0)).toThrow(/expected a tensor/);
  w.close();
});

test('addText: <tag>/text_summary, DT_STRING [1], text plugin', () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir);
  w.addText('notes', '# Hello\n*ünïcode* ✓', 3);
  w.close();
  const [v] = readAll(dir);
  expect([v!.tag, v!.kind, v!.plugin, v!.step]).toEqual(['notes/text_summary', 'text', 'text', 3]);
  expect(v!.data).toEqual({ kind: 'text', texts: ['# Hello\n*ünïcode* ✓'], shape: [1] });
});

test('addPrCurve: [6, 127] float32 tensor, pr_curves plugin with num_thresholds', () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir);
  const labels = Uint8Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const preds = Float32Array.from({ length: 50 }, (_, i) => ((i * 37) % 50) / 49);
  w.addPrCurve('pr', labels, preds, 2);
  w.addPrCurve('pr5', labels, preds, 3, { numThresholds: 5 });
  w.close();
  const vals = readAll(dir);
  const d = vals.find((v) => v.tag === 'pr')!.data;
  if (d.kind !== 'pr_curve') throw new Error(d.kind);
  const rows = computePrCurve(labels, preds, 127, 1, true);
  expect(d.numThresholds).toBe(127);
  for (const k of ['tp', 'fp', 'tn', 'fn', 'precision', 'recall'] as const) expect(Array.from(d[k])).toEqual(rows[k].map(Math.fround));
  const d5 = vals.find((v) => v.tag === 'pr5')!.data;
  expect(d5.kind === 'pr_curve' && [d5.numThresholds, d5.tp.length]).toEqual([5, 5]);
});

test('addHparams: timestamp child run with experiment, session start/end and metric scalars', () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir);
  w.addHparams(
    { lr: 0.01, optimizer: 'adam', bn: true, skip: null },
    { 'hparam/accuracy': 0.75, 'hparam/loss': 0.5 },
    { hparamDomainDiscrete: { optimizer: ['adam', 'sgd'] } },
  );
  w.addHparams({ lr: 0.1 }, { 'hparam/accuracy': 0.5 }, { runName: 'second', globalStep: 9 });
  w.close();
  const runs = discoverRuns(dir);
  expect(runs.map((r) => r.run)).toEqual(['.', expect.stringMatching(/^\d{10}\.\d+$/), 'second']);
  const vals = readEventFile(runs[1]!.files[0]!).values;
  expect(vals.map((v) => [v.tag, v.kind, v.plugin])).toEqual([
    ['_hparams_/experiment', 'hparams', 'hparams'],
    ['_hparams_/session_start_info', 'hparams', 'hparams'],
    ['_hparams_/session_end_info', 'hparams', 'hparams'],
    ['hparam/accuracy', 'scalar', null],
    ['hparam/loss', 'scalar', null],
  ]);
  const payloads = vals.slice(0, 3).map((v) => (v.data as { payload: unknown }).payload);
  expect(payloads[0]).toEqual({
    data: 'experiment',
    experiment: {
      hparamInfos: [
        { name: 'lr', type: 'DATA_TYPE_FLOAT64' },
        {
          name: 'optimizer',
          type: 'DATA_TYPE_STRING',
          domainDiscrete: {
            values: [
              { stringValue: 'adam', kind: 'stringValue' },
              { stringValue: 'sgd', kind: 'stringValue' },
            ],
          },
          domain: 'domainDiscrete',
        },
        { name: 'bn', type: 'DATA_TYPE_FLOAT64' },
      ],
      metricInfos: [{ name: { tag: 'hparam/accuracy' } }, { name: { tag: 'hparam/loss' } }],
    },
  });
  expect(payloads[1]).toEqual({
    data: 'sessionStartInfo',
    sessionStartInfo: {
      hparams: {
        lr: { numberValue: 0.01, kind: 'numberValue' },
        optimizer: { stringValue: 'adam', kind: 'stringValue' },
        bn: { numberValue: 1, kind: 'numberValue' },
      },
    },
  });
  expect(payloads[2]).toEqual({ data: 'sessionEndInfo', sessionEndInfo: { status: 'STATUS_SUCCESS' } });
  expect(vals[3]!.data).toEqual({ kind: 'scalar', value: Math.fround(0.75) });
  expect(readEventFile(runs[2]!.files[0]!).values.map((v) => v.step)).toEqual([9, 9, 9, 9]);
  expect(() => w.addHparams({ a: 1 }, {}, { hparamDomainDiscrete: { a: ['x'] } } as never)).toThrow(/closed|same type/);
});

test('addGraph: GraphDef with _output_shapes and attrs, RunMetadata "step1" with step stats; tracer registry', () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir);
  const g: GraphDescription = {
    nodes: [
      { name: 'input/x', op: 'IO Node', inputs: [], outputShapes: [[1, 4]], dtype: 'float32' },
      { name: 'Net/Linear[fc]/weight', op: 'prim::GetAttr', inputs: [], attrs: { attr: '{ name :  weight }' } },
      {
        name: 'Net/Linear[fc]/addmm',
        op: 'aten::addmm',
        inputs: ['input/x', 'Net/Linear[fc]/weight'],
        outputShapes: [[1, 2]],
        scope: 'Net/Linear[fc]',
        attrs: { alpha: 1, beta: 0.5, transposed: false, kernel: [3, 3], names: ['a', 'b'] },
        timing: { startMicros: 100, durationMicros: 42 },
      },
    ],
  };
  w.addGraph(g);
  setGraphTracer((model, input) => ({ nodes: [{ name: `${String(model)}/${String(input)}`, op: 'traced', inputs: [] }] }));
  w.addGraph('Model', 'x');
  setGraphTracer(null);
  expect(() => w.addGraph({ notAGraph: true })).toThrow(/no graph tracer is registered/);
  expect(() => w.addGraph({ nodes: [{ name: 'a', op: 'x', inputs: ['missing'] }] })).toThrow(
    "node 'a' has input 'missing', which is not a node of the graph",
  );
  w.close();
  const vals = readAll(dir);
  expect(vals.map((v) => [v.tag, v.kind])).toEqual([
    ['__graph__', 'graph'],
    ['step1', 'run_metadata'],
    ['__graph__', 'graph'],
    ['step1', 'run_metadata'],
  ]);
  const gd = decodeToJson('tensorboard.GraphDef', (vals[0]!.data as { graphDef: Uint8Array }).graphDef) as any;
  expect(gd.versions).toEqual({ producer: 22 });
  expect(gd.node.map((x: any) => [x.name, x.op, x.input ?? []])).toEqual(g.nodes.map((x) => [x.name, x.op, x.inputs]));
  const addmm = gd.node[2].attr;
  expect(addmm._output_shapes).toEqual({ list: { shape: [{ dim: [{ size: 1 }, { size: 2 }] }] }, value: 'list' });
  expect([addmm.alpha.i, addmm.beta.f, addmm.transposed.b ?? false, addmm.kernel.list.i]).toEqual([1, 0.5, false, [3, 3]]);
  expect(Buffer.from(addmm._scope.s, 'base64').toString()).toBe('Net/Linear[fc]');
  expect(gd.node[0].attr.dtype.type).toBe('DT_FLOAT');
  const rm = decodeToJson('tensorboard.RunMetadata', (vals[1]!.data as { runMetadata: Uint8Array }).runMetadata) as any;
  expect(rm.stepStats.devStats[0].device).toBe('/device:CPU:0');
  expect(rm.stepStats.devStats[0].nodeStats).toEqual([
    { nodeName: 'Net/Linear[fc]/addmm', allStartMicros: 100, opEndRelMicros: 42, allEndRelMicros: 42 },
  ]);
  const traced = decodeToJson('tensorboard.GraphDef', (vals[2]!.data as { graphDef: Uint8Array }).graphDef) as any;
  expect(traced.node[0].name).toBe('Model/x');
});

test('flush puts queued events on disk; close flushes; closed writers refuse more', () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir, { maxQueue: 1000, flushSecs: 0 });
  const file = w.filePath;
  for (let i = 0; i < 50; i++) w.addScalar('s', i, i);
  expect(readEventFile(file).records).toBe(1); // only file_version so far
  w.flush();
  expect(readEventFile(file).records).toBe(51);
  const size = statSync(file).size;
  w.addScalar('s', 50, 50);
  w.close();
  expect(statSync(file).size).toBeGreaterThan(size);
  expect(readEventFile(file).values.length).toBe(51);
  expect(() => w.addScalar('s', 1, 1)).toThrow(/closed/);
});

test('the queue flushes itself at maxQueue events', () => {
  const dir = freshDir();
  const w = new SummaryWriter(dir, { maxQueue: 10 });
  for (let i = 0; i < 25; i++) w.addScalar('s', i, i);
  expect(readEventFile(w.filePath).values.length).toBe(20); // two full queues of 10; 5 still queued
  w.close();
  expect(readEventFile(w.filePath).values.length).toBe(25);
});

test('several writers in one process and one directory never share a file', () => {
  const dir = freshDir();
  const writers = Array.from({ length: 5 }, () => new SummaryWriter(dir));
  writers.forEach((w, i) => {
    w.addScalar('w', i, 0);
    w.close();
  });
  const files = readdirSync(dir);
  expect(new Set(files).size).toBe(5);
  const vals = files.flatMap((f) => readEventFile(join(dir, f)).values.map((v) => (v.data as { value: number }).value));
  expect(vals.sort()).toEqual([0, 1, 2, 3, 4]);
});

test('decodeGraphDef / decodeRunMetadata read what addGraph wrote', async () => {
  const { decodeGraphDef, decodeRunMetadata } = await import('../../lib/tfevents/index.ts');
  const dir = freshDir();
  const w = new SummaryWriter(dir);
  w.addGraph({
    nodes: [
      { name: 'a', op: 'IO Node', inputs: [] },
      { name: 'b', op: 'aten::relu', inputs: ['a'], timing: { startMicros: 1, durationMicros: 2 } },
    ],
  });
  w.close();
  const [g, rm] = readAll(dir);
  const gd = decodeGraphDef((g!.data as { graphDef: Uint8Array }).graphDef);
  expect(gd.node!.map((n) => n.name)).toEqual(['a', 'b']);
  expect(decodeRunMetadata((rm!.data as { runMetadata: Uint8Array }).runMetadata)).toMatchObject({
    stepStats: { devStats: [{ device: '/device:CPU:0', nodeStats: [{ nodeName: 'b' }] }] },
  });
});

test('addAudio: mono 16-bit WAV in Summary.Audio, clipped and truncated as PyTorch', async () => {
  const { decodeWav } = await import('../../lib/tfevents/audio.ts');
  const dir = freshDir();
  const w = new SummaryWriter(dir);
  const snd = Float32Array.of(0, 0.5, -0.5, 1, -1, 2, -3, 0.1);
  w.addAudio('voice', { data: snd, shape: [1, 8] }, 3, { sampleRate: 8000 });
  expect(() => w.addAudio('bad', { data: new Float32Array(4), shape: [2, 2] }, 0)).toThrow(
    "addAudio('bad'): audio must be 1-dimensional after squeezing, got shape [2,2]",
  );
  w.close();
  const [v] = readAll(dir);
  expect([v!.tag, v!.kind, v!.step]).toEqual(['voice', 'audio', 3]);
  const a = v!.data;
  if (a.kind !== 'audio') throw new Error(a.kind);
  expect([a.sampleRate, a.numChannels, a.lengthFrames, a.contentType]).toEqual([8000, 1, 8, 'audio/wav']);
  const wav = decodeWav(a.encoded);
  expect(wav.sampleRate).toBe(8000);
  expect(Array.from(wav.samples, (x) => Math.round(x * 32767))).toEqual([0, 16383, -16383, 32767, -32767, 32767, -32767, 3276]);
});
