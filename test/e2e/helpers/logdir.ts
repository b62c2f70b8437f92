// Builds the e2e log directory: real event files from other tools (the licensed corpus files that
// are also in test/fixtures, so a fresh clone runs the same test) plus runs written by our own
// SummaryWriter with known values, images, histograms, text, PR curves, hparams, a graph, and
// XSS payloads in a run name, a tag and a text.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SummaryWriter } from '../../../lib/tfevents/index.ts';
import { FIXTURES, HAS_SHARED, SHARED_DIR } from '../../helpers/shared.ts';

export const CORPUS_FILES = [
  'reducer-torch/strict/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0',
  'wandb-fixtures/events.out.tfevents.111.simple.localdomain',
  'wandb-keras-tf1/events.out.tfevents.1585769947.cvp',
  'katib-tf2/logs/train/events.out.tfevents.1637681485.2d662933d616.19.0.v2',
];

export const XSS_TAG = 'xss/<img src=x onerror="window.__xss=1">';
export const XSS_RUN = 'xss_<img src=x onerror=window.__xss=5>';
export const XSS_TEXT = [
  '# Notes',
  '',
  '| metric | value |',
  '|---|---|',
  '| acc | 0.91 |',
  '',
  '<script>window.__xss=2</script>',
  '<a href="javascript:window.__xss=3">click me</a> <img src=x onerror="window.__xss=4">',
  '<div onclick="window.__xss=6" style="color:red">styled</div>',
].join('\n');

/** Values written for loss/train: the test compares the chart's data with these. */
export function lossAt(step: number): number {
  return Math.fround(1 / (1 + step) + 0.01 * (step % 3));
}
export const LOSS_STEPS = 50;
export const DENSE_STEPS = 6000;

function corpusRoot(): string {
  const shared = join(SHARED_DIR, 'testdata/tfevents');
  return HAS_SHARED && existsSync(join(shared, CORPUS_FILES[0]!)) ? shared : join(FIXTURES, 'tfevents');
}

/** A w×h RGB image (CHW nested array in [0,1]) whose colour depends on `seed`. */
function image(w: number, h: number, seed: number): number[][][] {
  return [0, 1, 2].map((c) =>
    Array.from({ length: h }, (_, y) =>
      Array.from(
        { length: w },
        (_, x) => ((x / w) * (c === 0 ? 1 : 0.3) + (y / h) * (c === 1 ? 1 : 0.2) + seed * 0.15 * (c === 2 ? 1 : 0)) % 1,
      ),
    ),
  );
}

export function buildLogdir(root: string): void {
  const src = corpusRoot();
  for (const rel of CORPUS_FILES) {
    const to = join(root, 'corpus', rel);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(src, rel), to);
  }

  const w = new SummaryWriter(join(root, 'ours/train'), { flushSecs: 3600 });
  const t0 = 1_750_000_000;
  for (let s = 0; s < LOSS_STEPS; s++) {
    w.addScalar('loss/train', lossAt(s), s, t0 + s);
    w.addScalar('loss/test', 2 / (2 + s), s, t0 + s);
    w.addScalar('accuracy', 1 - 1 / (2 + s), s, t0 + s);
  }
  for (let s = 0; s < 3; s++) {
    w.addImage('samples/rgb', image(16, 12, s), s * 10, { walltime: t0 + s * 10 });
    w.addHistogram(
      'weights/fc1',
      Array.from({ length: 500 }, (_, i) => Math.sin(i * 12.9898 + s) * (1 + s * 0.5)),
      s * 10,
      'tensorflow',
      t0 + s * 10,
    );
  }
  w.addImages(
    'samples/batch',
    Array.from({ length: 4 }, (_, i) => image(8, 8, i)),
    5,
    { walltime: t0 + 5 },
  );
  w.addText('notes', XSS_TEXT, 0, t0);
  // Dense enough that the chart's overview is downsampled (zoom re-queries at full resolution).
  for (let s = 0; s < DENSE_STEPS; s++) w.addScalar('dense/signal', Math.sin(s / 50) + (s % 97 === 0 ? 3 : 0), s, t0 + s);
  const labels = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const preds = labels.map((l, i) => Math.min(1, Math.max(0, l * 0.6 + ((i * 37) % 100) / 250)));
  w.addPrCurve('pr/positive', labels, preds, 0, { numThresholds: 20, walltime: t0 });
  w.addPrCurve(
    'pr/positive',
    labels,
    preds.map((p, i) => (labels[i] ? Math.min(1, p + 0.2) : p)),
    1,
    { numThresholds: 20, walltime: t0 + 1 },
  );
  w.addGraph(
    {
      nodes: [
        { name: 'input', op: 'Input', inputs: [], outputShapes: [[8, 4]], dtype: 'float32' },
        {
          name: 'Net/Linear[fc1]/weight',
          op: 'Parameter',
          inputs: [],
          outputShapes: [[16, 4]],
          dtype: 'float32',
          scope: 'Net/Linear[fc1]',
        },
        { name: 'Net/Linear[fc1]/bias', op: 'Parameter', inputs: [], outputShapes: [[16]], dtype: 'float32', scope: 'Net/Linear[fc1]' },
        {
          name: 'Net/Linear[fc1]/addmm',
          op: 'aten::addmm',
          inputs: ['Net/Linear[fc1]/bias', 'input', 'Net/Linear[fc1]/weight'],
          outputShapes: [[8, 16]],
          dtype: 'float32',
          scope: 'Net/Linear[fc1]',
          timing: { startMicros: 0, durationMicros: 12.5 },
        },
        {
          name: 'Net/ReLU[act]/relu',
          op: 'aten::relu',
          inputs: ['Net/Linear[fc1]/addmm'],
          outputShapes: [[8, 16]],
          dtype: 'float32',
          scope: 'Net/ReLU[act]',
          timing: { startMicros: 13, durationMicros: 2 },
        },
        { name: 'loss', op: 'aten::mse_loss', inputs: ['Net/ReLU[act]/relu'], outputShapes: [[]], dtype: 'float32' },
        { name: 'backward/MseLossBackward0', op: 'MseLossBackward0', inputs: ['loss'], outputShapes: [[8, 16]], dtype: 'float32' },
        {
          name: 'backward/ReluBackward0',
          op: 'ReluBackward0',
          inputs: ['backward/MseLossBackward0'],
          outputShapes: [[8, 16]],
          dtype: 'float32',
        },
        {
          name: 'backward/AddmmBackward0',
          op: 'AddmmBackward0',
          inputs: ['backward/ReluBackward0'],
          outputShapes: [[16, 4]],
          dtype: 'float32',
        },
      ],
    },
    undefined,
    t0,
  );
  w.addHparams({ lr: 0.01, optimizer: 'adam', layers: 2 }, { 'hparam/accuracy': 0.91 }, { runName: 'hp_a' });
  w.addHparams({ lr: 0.1, optimizer: 'sgd', layers: 3 }, { 'hparam/accuracy': 0.84 }, { runName: 'hp_b' });
  w.close();

  // A run with one corrupt record (a flipped payload byte: data CRC mismatch) -> an ingest warning.
  const c = new SummaryWriter(join(root, 'ours/corrupt'), { flushSecs: 3600 });
  for (let s = 0; s < 5; s++) c.addScalar('corrupt/metric', s, s, t0 + s);
  c.close();
  const file = join(
    root,
    'ours/corrupt',
    readdirSync(join(root, 'ours/corrupt')).find((f) => f.includes('tfevents'))!,
  );
  const bytes = readFileSync(file);
  let offset = 0;
  for (let r = 0; r < 3; r++) offset += 12 + Number(bytes.readBigUInt64LE(offset)) + 4; // skip file_version + 2 records
  bytes[offset + 12 + 3]! ^= 0xff;
  writeFileSync(file, bytes);

  const x = new SummaryWriter(join(root, XSS_RUN), { flushSecs: 3600 });
  x.addScalar(XSS_TAG, 1, 0, t0);
  x.addScalar(XSS_TAG, 2, 1, t0 + 1);
  x.close();
}
