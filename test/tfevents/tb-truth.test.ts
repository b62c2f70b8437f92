// What our SummaryWriter writes, checked by an independent reader: ../shared/tools/tb_truth.py
// (stdlib TFRecord/CRC + protoc decoding against TensorBoard's schema). Runs when python3, protoc
// and the tool exist; says so plainly otherwise.
import { afterAll, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SHARED_DIR } from '../helpers/shared.ts';
import { SummaryWriter } from '../../lib/tfevents/index.ts';
import { makeHistogram } from '../../lib/tfevents/histogram.ts';

const TOOL = resolve(SHARED_DIR, 'tools/tb_truth.py');
const hasPython = spawnSync('python3', ['--version']).status === 0;
const hasProtoc = spawnSync(process.env.PROTOC ?? 'protoc', ['--version']).status === 0;
const available = existsSync(TOOL) && hasPython && hasProtoc;
if (!available) {
  console.warn(
    `[board tests] skipping the tb_truth check of SummaryWriter output: needs ${TOOL} (found: ${existsSync(TOOL)}), python3 (${hasPython}) and protoc (${hasProtoc}).`,
  );
}

const root = mkdtempSync(join(tmpdir(), 'board-truth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test.skipIf(!available)('tb_truth.py decodes every SummaryWriter method as TensorBoard would', () => {
  const w = new SummaryWriter(root);
  for (let i = 0; i < 5; i++) w.addScalar('loss', 1 / (i + 1), i - 2);
  w.addScalar('big', 1.5, 2n ** 60n);
  w.addScalars('cmp', { a: 1, b: 2 }, 3);
  const hv = Float64Array.from({ length: 300 }, (_, i) => Math.cos(i) * 4);
  w.addHistogram('hist', hv, 1);
  w.addImage('img', { data: new Float32Array(3 * 5 * 7).fill(0.5), shape: [3, 5, 7] }, 1);
  w.addImages('grid', { data: new Uint8Array(9 * 1 * 4 * 4).fill(128), shape: [9, 1, 4, 4] }, 1);
  w.addText('note', 'hello *tb*', 2);
  w.addAudio(
    'beep',
    Float32Array.from({ length: 800 }, (_, i) => Math.sin(i / 5)),
    2,
    { sampleRate: 8000 },
  );
  w.addPrCurve('pr', [1, 0, 1, 1, 0], [0.9, 0.2, 0.7, 0.4, 0.6], 3);
  w.addHparams({ lr: 0.01, opt: 'sgd' }, { 'hparam/acc': 0.5 }, { runName: 'hp' });
  w.addGraph({
    nodes: [
      { name: 'x', op: 'IO Node', inputs: [], outputShapes: [[2]] },
      { name: 'Net/relu', op: 'aten::relu', inputs: ['x'] },
    ],
  });
  w.close();

  const out = join(root, 'truth.json');
  const r = spawnSync('python3', [TOOL, 'analyze', '--root', root, '--out', out], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const truth = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>;
  const byRun = (prefix: string) =>
    Object.entries(truth).find(([k]) => (prefix === '' ? !k.includes('/') : k.startsWith(`${prefix}/`)))![1];
  for (const f of Object.values(truth)) {
    expect(f.crc.all_valid).toBe(true);
    expect(f.undecodable_records).toEqual([]);
    expect(f.trailing).toBe(null);
    expect(f.file_versions).toEqual(['brain.Event:2']);
  }
  const main = byRun('');
  const t = main.tags;
  expect(t.loss).toMatchObject({
    category: 'scalar',
    count: 5,
    plugin: null,
    value_kinds: { simple_value: 5 },
    step_min: -2,
    step_max: 2,
    first_value: 1,
    last_value: Math.fround(0.2),
  });
  // The tool prints int64 steps as JSON integers; 2^60 survives JSON.parse exactly.
  expect(t.big).toMatchObject({ category: 'scalar', step_min: 2 ** 60, first_value: 1.5 });
  const h = makeHistogram(hv, 'tensorflow');
  expect(t.hist).toMatchObject({
    category: 'histogram',
    value_kinds: { histo: 1 },
    histo: { buckets: h.bucket.length, min: h.min, max: h.max, num: 300, sum: h.sum },
  });
  expect(t.img).toMatchObject({
    category: 'image',
    value_kinds: { image: 1 },
    image: { width: 7, height: 5, colorspace: 3, format: 'png' },
  });
  expect(t.grid).toMatchObject({ category: 'image', image: { width: 32, height: 8, colorspace: 3, format: 'png' } });
  expect(t['note/text_summary']).toMatchObject({
    category: 'text',
    plugin: 'text',
    tensor_dtype: 'DT_STRING',
    tensor_shape: [1],
    first_string_val: 'hello *tb*',
  });
  expect(t.beep).toMatchObject({
    category: 'audio',
    value_kinds: { audio: 1 },
    audio: { sample_rate: 8000, num_channels: 1, length_frames: 800 },
  });
  expect(t.pr).toMatchObject({ category: 'pr_curve', plugin: 'pr_curves', tensor_dtype: 'DT_FLOAT', tensor_shape: [6, 127] });
  expect(main.has_graph_def).toBe(true);
  expect(main.tagged_run_metadata_tags).toEqual(['step1']);
  expect(main.event_kinds).toEqual({ file_version: 1, summary: 12, graph_def: 1, tagged_run_metadata: 1 });
  expect(byRun('cmp_a').tags.cmp).toMatchObject({ count: 1, first_value: 1 });
  expect(byRun('cmp_b').tags.cmp).toMatchObject({ count: 1, first_value: 2 });
  const hp = byRun('hp').tags;
  for (const tag of ['_hparams_/experiment', '_hparams_/session_start_info', '_hparams_/session_end_info']) {
    expect(hp[tag]).toMatchObject({ category: 'hparams', plugin: 'hparams', value_kinds: { none: 1 }, metadata_count: 1 });
  }
  expect(hp['hparam/acc']).toMatchObject({ category: 'scalar', first_value: 0.5 });
});
