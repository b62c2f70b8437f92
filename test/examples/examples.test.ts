// The tutorial's chapter 2-3 programs in examples/, run with small inputs.
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEventFile } from '../../lib/tfevents/index.ts';
import { main as customDataset } from '../../examples/custom-dataset.ts';
import { main as customImages, readCsv, writeSampleFolder } from '../../examples/custom-image-dataset.ts';
import { main as dropLast } from '../../examples/dataloader-drop-last.ts';
import { main as shuffle } from '../../examples/dataloader-shuffle.ts';
import { calculate, main as transformsChain } from '../../examples/transforms-chain.ts';
import { FashionMNIST } from '../../lib/vision/datasets/mnist.ts';
import { FIXTURES } from '../helpers/shared.ts';

const quiet = () => undefined;

function imageSteps(dir: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory() || !name.includes('tfevents')) continue;
    for (const v of readEventFile(p).values) if (v.kind === 'image') out.set(v.tag, [...(out.get(v.tag) ?? []), Number(v.step)]);
  }
  return out;
}

describe('examples', () => {
  it('custom-dataset: MyDataset over tensors, shuffled batches of 4', () => {
    const batches = customDataset(quiet);
    expect(batches.map(([x]) => x.length)).toEqual([4, 4, 2]);
    const xs = batches.flatMap(([x]) => x);
    expect([...xs].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [x, y] of batches) expect(y).toEqual(x.map((v) => v + 1));
  });

  it('custom-image-dataset: CSV + PNG/JPEG folder through readImage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'board-ex-'));
    const { annotations, imgDir } = writeSampleFolder(dir, 10);
    expect(readCsv(annotations)[0]).toEqual(['file', 'label']);
    const { shapes, labels } = customImages([annotations, imgDir], quiet);
    expect(shapes).toEqual([
      [4, 1, 28, 28],
      [4, 1, 28, 28],
      [2, 1, 28, 28],
    ]);
    const truth = new FashionMNIST({ root: join(FIXTURES, 'fashion-mini'), train: false, searchSystemDirs: false });
    expect(labels).toEqual(Array.from(truth.labels.subarray(0, 10)));
  });

  it('dataloader-drop-last: the last short batch is kept or dropped, one image grid per step', () => {
    const logdir = mkdtempSync(join(tmpdir(), 'board-ex-'));
    const report = dropLast(logdir, { limit: 1000 }, quiet);
    expect(report.size).toBe(1000);
    // 1000 % 64 = 40 (with the full 10000-image test sets it is 16).
    expect(report.batches).toEqual([
      { dropLast: false, steps: 16, lastBatch: 40, images: 1000 },
      { dropLast: true, steps: 15, lastBatch: 64, images: 960 },
    ]);
    expect(imageSteps(join(logdir, 'drop_last_false')).get('loader')).toHaveLength(16);
    expect(imageSteps(join(logdir, 'drop_last_true')).get('loader')).toHaveLength(15);
  });

  it('dataloader-shuffle: each epoch gets its own tag and its own order', () => {
    const logdir = mkdtempSync(join(tmpdir(), 'board-ex-'));
    const { firstLabels, steps } = shuffle(logdir, { limit: 640, epochs: 2 }, quiet);
    expect(steps).toEqual([10, 10]);
    expect(firstLabels[1]).not.toEqual(firstLabels[0]);
    const tags = imageSteps(logdir);
    expect(tags.get('Epoch:0')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(tags.get('Epoch:1')).toHaveLength(10);
  });

  it('transforms-chain: ToTensor, the per-channel mean/std computation, Normalize, Resize, Compose', () => {
    const r = transformsChain(quiet);
    expect(r.toTensor.shape).toEqual([3, 5, 5]);
    const v = r.toTensor.tolist() as number[][][];
    for (let row = 0; row < 5; row++) expect(v[1][row][2]).toBeCloseTo((row + 1) / 255, 6);
    // After Normalize with the image's own statistics, each channel has mean 0 and (unbiased) std 1.
    const [m, s] = calculate(r.normalized);
    for (const x of m.tolist() as number[]) expect(Math.abs(x)).toBeLessThan(1e-5);
    for (const x of s.tolist() as number[]) expect(x).toBeCloseTo(1, 4);
    expect(r.mean.shape).toEqual([3]);
    expect(r.resized.shape).toEqual([3, 250, 250]);
    expect(r.composed.shape).toEqual([3, 256, 256]);
    const c = r.composed.dataSync();
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of c) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi).toBeLessThanOrEqual(1);
  });
});
