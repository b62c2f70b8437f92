// The tutorial's image programs (2.3.2 dataset[0] + addImage and the batch-4 addImages loop, 4.2.2 MaxPool2d on an
// image, 4.2.3 the Sigmoid plot): each runs, prints what the tutorial prints, and the event files hold the images
// and scalars, decoded here and checked pixel by pixel against values computed independently.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/shared.ts';
import { describe, expect, it } from 'vitest';
import { readEventFile } from '../../lib/tfevents/index.ts';
import { decodeImage } from '../../lib/vision/image.ts';
import { main as datasetImages } from '../../examples/dataset-images.ts';
import { drawHeart, main as maxpoolImage } from '../../examples/maxpool-image.ts';
import { PLOT, plotPixel, main as sigmoidPlot } from '../../examples/sigmoid-plot.ts';

const golden = JSON.parse(readFileSync(resolve(REPO_ROOT, 'test/fixtures/examples-golden.json'), 'utf8')) as Record<string, string[]>;

interface Logged {
  images: Map<string, Array<{ step: number; width: number; height: number; pixels: Uint8Array; channels: number }>>;
  scalars: Map<string, Array<{ step: number; value: number }>>;
}

function readLogdir(dir: string): Logged {
  const out: Logged = { images: new Map(), scalars: new Map() };
  for (const name of readdirSync(dir)
    .filter((n) => n.includes('tfevents'))
    .sort()) {
    for (const v of readEventFile(join(dir, name)).values) {
      if (v.data.kind === 'image') {
        const im = v.data.images[0]!;
        const dec = decodeImage(im.encoded, v.tag);
        const list = out.images.get(v.tag) ?? [];
        list.push({ step: Number(v.step), width: im.width, height: im.height, pixels: dec.data, channels: dec.channels });
        out.images.set(v.tag, list);
      } else if (v.data.kind === 'scalar') {
        const list = out.scalars.get(v.tag) ?? [];
        list.push({ step: Number(v.step), value: v.data.value });
        out.scalars.set(v.tag, list);
      }
    }
  }
  return out;
}

describe('tutorial image programs', () => {
  it('2.3.2 dataset[0] logged with addImage, then every batch of 4 with addImages', async () => {
    const logdir = mkdtempSync(join(tmpdir(), 'board-ex-'));
    const lines: string[] = [];
    const r = await datasetImages(logdir, { limit: 30 }, (s) => lines.push(s));
    expect(lines.slice(0, 5)).toEqual([
      'type of test_dataloader.dataset[0]: a pair of (Tensor, number)',
      `label of the image: ${r.label}`,
      'image type: Tensor, image size: torch.Size([1, 28, 28])',
      'torch.Size([4, 1, 28, 28])',
      'torch.Size([4])',
    ]);
    expect(lines[5]).toMatch(/: 30 images in 8 batches of 4 \(the last holds 2\)$/);
    expect(r.batches).toBe(8);
    const logged = readLogdir(logdir);
    // The single image: 28x28, its pixels are the sample's [0, 1] floats scaled by 255 and truncated (as tensorboard).
    const [img] = logged.images.get('img')!;
    expect([img!.width, img!.height]).toEqual([28, 28]);
    const want = (r.sample.tolist() as number[][][])[0]!.flat().map((v) => Math.trunc(v * 255));
    const got = Array.from({ length: 28 * 28 }, (_, i) => img!.pixels[i * img!.channels]!);
    expect(got).toEqual(want);
    // One grid per batch: 4 images side by side (no padding), the last batch of 2 narrower.
    const loader = logged.images.get('loader')!;
    expect(loader.map((e) => e.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(loader.slice(0, 7).every((e) => e.width === 4 * 28 && e.height === 28)).toBe(true);
    expect([loader[7]!.width, loader[7]!.height]).toEqual([2 * 28, 28]);
  });

  it('4.2.2 MaxPool2d(2, stride=2) on an RGB image, logged as img_out', () => {
    const logdir = mkdtempSync(join(tmpdir(), 'board-ex-'));
    const lines: string[] = [];
    const { output } = maxpoolImage(logdir, undefined, (s) => lines.push(s));
    expect(lines).toEqual([
      'img.shape= (86, 86, 3)',
      'img_out.shape= torch.Size([1, 3, 43, 43])',
      'img_out.shape= torch.Size([3, 43, 43])',
    ]);
    // Each output value is the max of its 2x2 window of the drawn image (uint8 / 255, as ToTensor scales).
    const src = drawHeart().data as Uint8Array;
    const out = output.tolist() as number[][][];
    for (let ch = 0; ch < 3; ch++)
      for (let r = 0; r < 43; r++)
        for (let c = 0; c < 43; c++) {
          let m = 0;
          for (const [dr, dc] of [
            [0, 0],
            [0, 1],
            [1, 0],
            [1, 1],
          ] as const)
            m = Math.max(m, src[((2 * r + dr) * 86 + 2 * c + dc) * 3 + ch]!);
          expect(out[ch]![r]![c]).toBeCloseTo(m / 255, 6);
        }
    const logged = readLogdir(logdir);
    const [pooled] = logged.images.get('img_out')!;
    expect([pooled!.width, pooled!.height, pooled!.channels]).toEqual([43, 43, 3]);
    // The logged pixels are the pooled values scaled back to bytes: the window maxima themselves.
    expect(pooled!.pixels[(10 * 43 + 20) * 3]).toBe(Math.trunc(out[0]![10]![20]! * 255));
    expect(logged.images.get('img')![0]!.width).toBe(86);
  });

  it('4.2.3 Sigmoid on linspace(-6, 6, 20): printed values, the scalar curve and the scatter plot image', () => {
    const logdir = mkdtempSync(join(tmpdir(), 'board-ex-'));
    const lines: string[] = [];
    const { xs, ys } = sigmoidPlot(logdir, (s) => lines.push(...s.split('\n')));
    // What torch 1.13 prints for nn.Sigmoid()(torch.linspace(-6, 6, 20)) (examples-golden.py, 'nn-layers').
    expect(lines.slice(0, 3)).toEqual(golden['nn-layers']!.slice(0, 3));
    expect(lines[3]).toBe('Sigmoid: 20 points, x from -6 to 6, sigmoid(x) from 0.0025 to 0.9975');
    const logged = readLogdir(logdir);
    const curve = logged.scalars.get('sigmoid(x)')!;
    expect(curve.map((p) => p.step)).toEqual([...Array(20).keys()]);
    curve.forEach((p, i) => expect(p.value).toBeCloseTo(1 / (1 + Math.exp(-(-6 + (12 * i) / 19))), 6));
    const [plot] = logged.images.get('Sigmoid')!;
    expect([plot!.width, plot!.height]).toEqual([PLOT.width, PLOT.height]);
    // A blue dot at every point, and the points climb from bottom left to top right.
    xs.forEach((x, i) => {
      const [r, c] = plotPixel(x, ys[i]!);
      const o = (r * PLOT.width + c) * plot!.channels;
      expect([plot!.pixels[o], plot!.pixels[o + 1], plot!.pixels[o + 2]]).toEqual([31, 119, 180]);
    });
    expect(plotPixel(xs[0]!, ys[0]!)[0]).toBeGreaterThan(plotPixel(xs[19]!, ys[19]!)[0]);
  });
});
