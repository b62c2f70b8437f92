// addEmbedding, addCustomScalars, addVideo and addFigure against PyTorch 1.13. Goldens in
// test/fixtures/projector were made by PyTorch's own torch.utils.tensorboard code
// (generate.py there); when /usr/bin/python3 has torch, the goldens are regenerated first and
// must still match, so they cannot drift from PyTorch.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { GifReader } from 'omggif';
import { SummaryWriter, readEventFile } from '../../lib/tfevents/index.ts';
import { decodePng, encodePng } from '../../lib/tfevents/image.ts';
import { decodeLayout, encodeLayout } from '../../lib/tfevents/custom-scalars.ts';
import {
  metadataTsv,
  parseMetadataTsv,
  parsePbtxt,
  parseTensorsTsv,
  projectorConfigPbtxt,
  readProjectorConfig,
  spritePng,
  tensorsTsv,
} from '../../lib/tfevents/projector.ts';
import { prepareVideo } from '../../lib/tfevents/video.ts';

const FIX = resolve(import.meta.dirname, '../fixtures/projector');
const tmp = mkdtempSync(join(tmpdir(), 'board-writer-extra-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HAS_TORCH = spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
if (!HAS_TORCH) console.warn('[board tests] /usr/bin/python3 with torch not found: comparing with the checked-in PyTorch goldens only');
const goldenDirs = [FIX];
if (HAS_TORCH) {
  const fresh = join(tmp, 'torch');
  const res = spawnSync('/usr/bin/python3', [join(FIX, 'generate.py'), fresh], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`generate.py failed: ${res.stderr}`);
  goldenDirs.push(fresh);
}

const inputs = JSON.parse(readFileSync(join(FIX, 'inputs.json'), 'utf8')) as {
  mat: number[][];
  labels: string[];
  rows: Array<[string, number]>;
  labelImg: number[];
  labelImgShape: number[];
  video: number[];
  videoShape: number[];
  spriteShape: number[];
  videoFrames: number[];
};
const mat = { data: Float32Array.from(inputs.mat.flat()), shape: [inputs.mat.length, inputs.mat[0]!.length] };
const labelImg = { data: Float32Array.from(inputs.labelImg), shape: inputs.labelImgShape };

test.each(goldenDirs)("tensors.tsv, metadata.tsv and sprite pixels equal PyTorch's (%s)", (dir) => {
  expect(tensorsTsv(mat, 't').text).toBe(readFileSync(join(dir, 'tensors.tsv.golden'), 'utf8'));
  expect(metadataTsv(inputs.labels, undefined, 't')).toBe(readFileSync(join(dir, 'metadata.tsv.golden'), 'utf8'));
  expect(metadataTsv(inputs.rows, ['word', 'cls'], 't')).toBe(readFileSync(join(dir, 'metadata-header.tsv.golden'), 'utf8'));
  const sprite = spritePng(labelImg, 10, 't');
  const px = decodePng(sprite.png, 3);
  expect([px.height, px.width, 3]).toEqual(inputs.spriteShape);
  expect(Buffer.from(px.pixels).equals(readFileSync(join(dir, 'sprite.rgb.golden')))).toBe(true);
});

test.each(goldenDirs)("addVideo frames equal PyTorch's _prepare_video grid scaled to uint8 (%s)", (dir) => {
  const v = prepareVideo({ data: Float32Array.from(inputs.video), shape: inputs.videoShape }, 'v');
  expect([v.frames, v.height, v.width, v.channels]).toEqual(inputs.videoFrames);
  expect(Buffer.from(v.pixels).equals(readFileSync(join(dir, 'video.rgb.golden')))).toBe(true);
});

test("addEmbedding writes PyTorch's folder layout and projector_config.pbtxt, read back by the reader", () => {
  const logdir = join(tmp, 'emb');
  const w = new SummaryWriter(logdir);
  w.addEmbedding(mat, { metadata: inputs.labels, labelImg, globalStep: 3, tag: 'a/b' });
  w.addEmbedding(mat, { metadata: inputs.rows, metadataHeader: ['word', 'cls'] });
  w.close();
  const pbtxt = readFileSync(join(logdir, 'projector_config.pbtxt'), 'utf8');
  // protobuf text_format of ProjectorConfig: fields in field-number order.
  expect(pbtxt).toBe(
    [
      'embeddings {',
      '  tensor_name: "a/b:00003"',
      '  metadata_path: "00003/a%2fb/metadata.tsv"',
      '  sprite {',
      '    image_path: "00003/a%2fb/sprite.png"',
      '    single_image_dim: 8',
      '    single_image_dim: 6',
      '  }',
      '  tensor_path: "00003/a%2fb/tensors.tsv"',
      '}',
      'embeddings {',
      '  tensor_name: "default:00000"',
      '  metadata_path: "00000/default/metadata.tsv"',
      '  tensor_path: "00000/default/tensors.tsv"',
      '}',
      '',
    ].join('\n'),
  );
  expect(readdirSync(join(logdir, '00003', 'a%2fb')).sort()).toEqual(['metadata.tsv', 'sprite.png', 'tensors.tsv']);
  const [first] = readProjectorConfig(pbtxt);
  const t = parseTensorsTsv(readFileSync(join(logdir, first!.tensorPath!), 'utf8'));
  expect(t.shape).toEqual([10, 4]);
  expect([...t.data]).toEqual([...mat.data]);
  expect(parseMetadataTsv(readFileSync(join(logdir, '00000/default/metadata.tsv'), 'utf8'))).toEqual({
    columns: ['word', 'cls'],
    rows: inputs.rows.map((r) => [r[0], String(r[1])]),
  });
});

test('addEmbedding rejects mismatched inputs before writing anything', () => {
  const logdir = join(tmp, 'bad');
  const w = new SummaryWriter(logdir);
  expect(() => w.addEmbedding(mat, { metadata: ['x'] })).toThrow(/1 labels but mat has 10 points/);
  expect(() => w.addEmbedding({ data: new Float32Array(6), shape: [6] })).toThrow(/must be 2-D/);
  expect(() => w.addEmbedding(mat, { labelImg: { data: new Float32Array(3 * 2 * 2), shape: [3, 1, 2, 2] } })).toThrow(
    /3 images but mat has 10 points/,
  );
  w.close();
  expect(existsSync(join(logdir, '00000'))).toBe(false);
  expect(existsSync(join(logdir, 'projector_config.pbtxt'))).toBe(false);
});

test("the pbtxt reader takes TensorFlow's spellings: comments, <> messages, escapes, single quotes", () => {
  const cfg = readProjectorConfig(`# written by tf
model_checkpoint_path: "ckpt"
embeddings < tensor_name: 'emb\\303\\251' tensor_path: "x/t.tsv" tensor_shape: 5 tensor_shape: 2 >
embeddings { tensor_name: "b" metadata_path: "m.tsv" sprite { image_path: "s.png" single_image_dim: [4, 4] } }`);
  expect(cfg[0]).toEqual({ tensorName: 'embé', tensorPath: 'x/t.tsv', tensorShape: [5, 2] });
  expect(cfg[1]!.sprite).toEqual({ imagePath: 's.png', singleImageDim: [4, 4] });
  expect(projectorConfigPbtxt([{ tensorName: 'é"\n' }])).toBe('embeddings {\n  tensor_name: "\\303\\251\\"\\n"\n}\n');
  expect(() => parsePbtxt('embeddings { tensor_name: "x"', 'cfg.pbtxt')).toThrow(/cfg.pbtxt: missing '}'/);
});

test('addCustomScalars: the Layout bytes protobuf would serialize, in a custom_scalars tensor', () => {
  const layout = {
    Taiwan: { twse: ['Multiline', ['twse/0050', 'twse/2330']] },
    USA: { dow: ['Margin', ['dow/aaa', 'dow/bbb', 'dow/ccc']] },
  } as const;
  const bytes = encodeLayout(layout as never);
  // Layout{category{title "Taiwan" chart{title "twse" multiline{tag, tag}}} ...}: hand-checked wire bytes.
  const s = (f: number, t: string) => [f * 8 + 2, t.length, ...Buffer.from(t)];
  const m = (f: number, body: number[]) => [f * 8 + 2, body.length, ...body];
  const expected = [
    ...m(2, [...s(1, 'Taiwan'), ...m(2, [...s(1, 'twse'), ...m(2, [...s(1, 'twse/0050'), ...s(1, 'twse/2330')])])]),
    ...m(2, [...s(1, 'USA'), ...m(2, [...s(1, 'dow'), ...m(3, m(1, [...s(1, 'dow/aaa'), ...s(2, 'dow/bbb'), ...s(3, 'dow/ccc')]))])]),
  ];
  expect([...bytes]).toEqual(expected);
  expect(decodeLayout(bytes)).toEqual([
    { title: 'Taiwan', closed: false, charts: [{ title: 'twse', multiline: { tags: ['twse/0050', 'twse/2330'] } }] },
    {
      title: 'USA',
      closed: false,
      charts: [{ title: 'dow', margin: { series: [{ value: 'dow/aaa', lower: 'dow/bbb', upper: 'dow/ccc' }] } }],
    },
  ]);
  const logdir = join(tmp, 'cs');
  const w = new SummaryWriter(logdir);
  w.addCustomScalars(layout as never);
  w.close();
  const vals = readEventFile(w.filePath).values;
  expect(vals).toHaveLength(1);
  expect([vals[0]!.tag, vals[0]!.plugin, vals[0]!.step]).toEqual(['custom_scalars__config__', 'custom_scalars', 0]);
  expect(() => encodeLayout({ a: { b: ['Margin', ['x']] } })).toThrow(/exactly 3 tags/);
});

test('addVideo writes an animated GIF image summary; addFigure logs PNG bytes as they are', () => {
  const logdir = join(tmp, 'vid');
  const w = new SummaryWriter(logdir);
  w.addVideo('clip', { data: Float32Array.from(inputs.video), shape: inputs.videoShape }, 1, { fps: 5 });
  const png = encodePng({ height: 4, width: 6, channels: 3, pixels: new Uint8Array(72).fill(200) });
  w.addFigure('fig', png, 2);
  w.addFigure('figs', [png, png, png], 3);
  w.close();
  const vals = readEventFile(w.filePath).values;
  const img = (tag: string) => {
    const d = vals.find((v) => v.tag === tag)!.data;
    if (d.kind !== 'image') throw new Error(d.kind);
    return d.images[0]!;
  };
  const clip = img('clip');
  const gif = new GifReader(Buffer.from(clip.encoded));
  expect([gif.width, gif.height, gif.numFrames(), gif.frameInfo(0).delay, gif.loopCount()]).toEqual([24, 5, 4, 20, 0]);
  expect([clip.width, clip.height, clip.colorspace]).toEqual([24, 5, 3]);
  // Frame 2 decodes to the prepared pixels (exact palette: this clip has few colours per frame... or the cube).
  const rgba = new Uint8Array(24 * 5 * 4);
  gif.decodeAndBlitFrameRGBA(2, rgba);
  const frames = prepareVideo({ data: Float32Array.from(inputs.video), shape: inputs.videoShape }, 'v');
  let maxErr = 0;
  for (let p = 0; p < 120; p++)
    for (let c = 0; c < 3; c++) maxErr = Math.max(maxErr, Math.abs(rgba[p * 4 + c]! - frames.pixels[(2 * 120 + p) * 3 + c]!));
  expect(maxErr).toBe(0);
  expect(Buffer.from(img('fig').encoded).equals(Buffer.from(png))).toBe(true);
  expect([img('fig').width, img('fig').height]).toEqual([6, 4]);
  expect([img('figs').width, img('figs').height]).toEqual([18, 4]);
  expect(() => new SummaryWriter(join(tmp, 'x')).addFigure('f', Uint8Array.of(1, 2, 3, 4))).toThrow(/expected encoded PNG or JPEG/);
});
