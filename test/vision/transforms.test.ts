import { describe, expect, it } from 'vitest';
import { arange, manualSeed, rand, tensor } from '../../lib/engine/index.ts';
import type { Tensor } from '../../lib/engine/index.ts';
import { NDArray, PILImage } from '../../lib/vision/image.ts';
import * as T from '../../lib/vision/transforms/index.ts';
import { makeGrid } from '../../lib/vision/utils.ts';

const F = T.functional;
const img = (h: number, w: number, c = 1) =>
  arange(c * h * w)
    .float()
    .view(c, h, w);

describe('transform objects', () => {
  it('are callable and also have forward', () => {
    const t = new T.Normalize([0.5], [0.5]);
    const x = tensor([[[1, 0]]], { dtype: 'float32' });
    expect((t(x) as Tensor).tolist()).toEqual([[[1, -1]]]);
    expect(t.forward(x).tolist()).toEqual([[[1, -1]]]);
    expect(t instanceof T.Transform).toBe(true);
    expect(String(t)).toBe('Normalize(mean=[0.5], std=[0.5])');
  });

  it('Compose chains transforms and plain functions; Lambda wraps a function', () => {
    const c = new T.Compose([new T.ToTensor(), new T.Lambda((t: Tensor) => t.mul(2)), (t: Tensor) => t.add(1)]);
    const out = c(new NDArray(Uint8Array.of(0, 255), [1, 2])) as Tensor;
    expect(out.tolist()).toEqual([[[1, 3]]]);
    expect(() => new T.Lambda(5 as never)).toThrow(/should be a function/);
  });

  it('round-trip through specs (what DataLoader workers rebuild)', () => {
    const c = new T.Compose([new T.Resize(4), new T.CenterCrop(3), new T.ToTensor(), new T.Normalize([0.1], [0.2])]);
    const rebuilt = T.transformFromSpec(structuredClone(c.toSpec()));
    const pic = PILImage.fromArray(
      Uint8Array.from({ length: 36 }, (_, i) => i * 7),
      [6, 6],
      'L',
    );
    expect((rebuilt(pic) as Tensor).tolist()).toEqual((c(pic) as Tensor).tolist());
    expect(() => new T.Compose([new T.Lambda((x: unknown) => x)]).toSpec()).toThrow(/cannot be sent to a DataLoader worker/);
  });
});

describe('geometry', () => {
  it('Pad supports constant, edge, reflect and symmetric like torchvision', () => {
    const x = tensor([[[1, 2, 3]]], { dtype: 'float32' });
    expect(F.pad(x, [2, 0], 0, 'reflect').tolist()).toEqual([[[3, 2, 1, 2, 3, 2, 1]]]);
    expect(F.pad(x, [2, 0], 0, 'symmetric').tolist()).toEqual([[[2, 1, 1, 2, 3, 3, 2]]]);
    expect(F.pad(x, [1, 0], 0, 'edge').tolist()).toEqual([[[1, 1, 2, 3, 3]]]);
    expect(F.pad(x, [1, 0, 0, 0], 9).tolist()).toEqual([[[9, 1, 2, 3]]]);
    expect(() => F.pad(x, [3, 0], 0, 'reflect')).toThrow(/smaller than the image/);
    expect(() => new T.Pad(1, 0, 'wrap' as never)).toThrow(/padding mode/);
  });

  it('RandomCrop is reproducible under manualSeed and pads when asked', () => {
    const x = img(6, 6);
    manualSeed(3);
    const a = new T.RandomCrop(3)(x) as Tensor;
    manualSeed(3);
    const b = new T.RandomCrop(3)(x) as Tensor;
    expect(a.shape).toEqual([1, 3, 3]);
    expect(b.tolist()).toEqual(a.tolist());
    const padded = new T.RandomCrop([8, 8], { padIfNeeded: true })(x) as Tensor;
    expect(padded.shape).toEqual([1, 8, 8]);
    expect(() => new T.RandomCrop(7)(x)).toThrow(/larger than the input image size/);
  });

  it('flips, crops and centre-crops PIL images the same way as tensors', () => {
    const data = Uint8Array.from({ length: 20 }, (_, i) => i);
    const pil = PILImage.fromArray(data, [4, 5], 'L');
    const t = tensor(Array.from(data), { dtype: 'uint8' }).view(1, 4, 5);
    const asT = (p: PILImage) => Array.from(p.data);
    expect(asT(F.hflip(pil))).toEqual(Array.from(F.hflip(t).dataSync()));
    expect(asT(F.vflip(pil))).toEqual(Array.from(F.vflip(t).dataSync()));
    expect(asT(F.centerCrop(pil, [2, 3]))).toEqual(Array.from(F.centerCrop(t, [2, 3]).dataSync()));
    expect(asT(F.crop(pil, 1, 1, 2, 2))).toEqual([6, 7, 11, 12]);
  });

  it('Resize: int matches the smaller edge, maxSize caps the longer one', () => {
    expect((new T.Resize(3)(img(6, 8)) as Tensor).shape).toEqual([1, 3, 4]);
    expect((new T.Resize(3)(img(8, 6)) as Tensor).shape).toEqual([1, 4, 3]);
    expect((new T.Resize(4, { maxSize: 6 })(img(4, 12)) as Tensor).shape).toEqual([1, 2, 6]);
    expect(() => new T.Resize(4, { maxSize: 4 })(img(4, 12))).toThrow(/maxSize/);
    expect(() => new T.Resize([1, 2, 3])).toThrow(/size should be/);
    const up = new T.Resize([4, 4])(
      tensor(
        [
          [
            [0, 1],
            [2, 3],
          ],
        ],
        { dtype: 'float32' },
      ),
    ) as Tensor;
    // align_corners=False bilinear upsampling, as F.interpolate.
    expect(up.tolist()).toEqual([
      [
        [0, 0.25, 0.75, 1],
        [0.5, 0.75, 1.25, 1.5],
        [1.5, 1.75, 2.25, 2.5],
        [2, 2.25, 2.75, 3],
      ],
    ]);
  });
});

describe('colour and type', () => {
  it('Grayscale(3) replicates; tensor and PIL paths differ by rounding only', () => {
    const rgb = tensor([[[200, 1]], [[100, 1]], [[50, 1]]], { dtype: 'uint8' });
    const g = new T.Grayscale(3)(rgb) as Tensor;
    expect(g.shape).toEqual([3, 1, 2]);
    // 0.2989 + 0.587 + 0.114 = 0.9999 truncates to 0 on tensors; PIL rounds to 1.
    expect(g.tolist()).toEqual([[[124, 0]], [[124, 0]], [[124, 0]]]);
    const pilG = new T.Grayscale(1)(PILImage.fromArray([200, 100, 50, 1, 1, 1], [1, 2, 3])) as PILImage;
    expect(Array.from(pilG.data)).toEqual([124, 1]);
    expect(() => new T.Grayscale(1)(img(2, 2, 2))).toThrow(/1 or 3 channels/);
  });

  it('Normalize checks dtype, channel count and zero std', () => {
    expect(() => F.normalize(tensor([[[1]]], { dtype: 'uint8' }), [0], [1])).toThrow(/float tensor/);
    expect(() => F.normalize(rand(2, 2, 2), [0, 0, 0], [1, 1, 1])).toThrow(/mean \(3 values\)/);
    expect(() => F.normalize(rand(1, 2, 2), [0], [0])).toThrow(/division by zero/);
  });

  it('ToTensor rejects tensors and odd shapes; PILToTensor / ToPILImage round-trip', () => {
    expect(() => F.toTensor(rand(3) as never)).toThrow(/PILImage or an NDArray/);
    expect(() => F.toTensor(new NDArray(new Uint8Array(8), [2, 2, 1, 2]))).toThrow(/2 or 3 dimensional/);
    const pic = PILImage.fromArray(
      Uint8Array.from({ length: 12 }, (_, i) => i * 20),
      [2, 2, 3],
    );
    const t = F.pilToTensor(pic);
    expect(Array.from(F.toPilImage(t).data)).toEqual(Array.from(pic.data));
    expect(Array.from(F.toPilImage(F.toTensor(pic)).data)).toEqual(Array.from(pic.data));
    expect(F.convertImageDtype(t, 'float32').dataSync()[1]).toBeCloseTo(60 / 255, 6);
  });
});

describe('makeGrid', () => {
  it('tiles with padding and squeezes a single image', () => {
    const g = makeGrid(rand(5, 1, 2, 2), { nrow: 2, padding: 1 });
    expect(g.shape).toEqual([3, 3 * 3 + 1, 2 * 3 + 1]);
    expect(makeGrid(rand(1, 1, 4, 4)).shape).toEqual([3, 4, 4]);
    expect(makeGrid([rand(1, 2, 2), rand(1, 2, 2)]).shape).toEqual([3, 6, 10]);
  });
});
