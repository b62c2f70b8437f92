// torchvision.utils.make_grid: tiles a batch of images [B, C, H, W] into one [3, H', W'] image.
import { Tensor } from '../engine/index.ts';

export interface MakeGridOptions {
  /** Images per row (default 8). */
  nrow?: number;
  /** Pixels between and around images (default 2). */
  padding?: number;
  /** Rescale to [0, 1] by min/max (of `valueRange` if given). */
  normalize?: boolean;
  valueRange?: [number, number];
  /** Normalise each image separately. */
  scaleEach?: boolean;
  padValue?: number;
}

function shiftScale(data: Float32Array | Float64Array, from: number, to: number, lo: number, hi: number): void {
  const denom = Math.max(hi - lo, 1e-5);
  for (let i = from; i < to; i++) {
    const v = Math.min(hi, Math.max(lo, data[i]));
    data[i] = (v - lo) / denom;
  }
}

/** Follows torchvision 0.14: 1-channel images become 3 channels, padding surrounds every cell. */
export function makeGrid(input: Tensor | Tensor[], opts: MakeGridOptions = {}): Tensor {
  const nrow = opts.nrow ?? 8;
  const padding = opts.padding ?? 2;
  const padValue = opts.padValue ?? 0;
  let t: Tensor;
  if (Array.isArray(input)) {
    if (input.length === 0) throw new RangeError('makeGrid: empty list of images');
    const shape = input[0].shape;
    const n = input[0].numel();
    const out = input[0].dtype === 'float64' ? new Float64Array(n * input.length) : new Float32Array(n * input.length);
    input.forEach((img, i) => {
      if (img.numel() !== n)
        throw new RangeError(`makeGrid: images must share a shape, got [${shape.join(', ')}] and [${img.shape.join(', ')}] at ${i}`);
      out.set(img.dataSync() as never, i * n);
    });
    t = Tensor.fromTypedArray(out, [input.length, ...shape], input[0].dtype === 'float64' ? 'float64' : 'float32');
  } else t = input;
  let shape = [...t.shape];
  if (shape.length === 2) shape = [1, 1, ...shape];
  else if (shape.length === 3) shape = shape[0] === 1 ? [1, 1, shape[1], shape[2]] : [1, ...shape];
  if (shape.length !== 4) throw new RangeError(`makeGrid: expected [B, C, H, W], [C, H, W] or [H, W], got shape [${t.shape.join(', ')}]`);
  let [b, c] = shape;
  const [, , h, w] = shape;
  const src = t.dataSync();
  const isF64 = t.dtype === 'float64';
  const plane = h * w;
  // Work on a float copy with 3 channels when the input has 1.
  const outC = c === 1 ? 3 : c;
  const work = isF64 ? new Float64Array(b * outC * plane) : new Float32Array(b * outC * plane);
  for (let i = 0; i < b; i++) {
    for (let k = 0; k < outC; k++) {
      const from = (i * c + (c === 1 ? 0 : k)) * plane;
      work.set(src.subarray(from, from + plane) as never, (i * outC + k) * plane);
    }
  }
  c = outC;
  if (opts.normalize) {
    const range = (from: number, to: number): [number, number] => {
      if (opts.valueRange) return opts.valueRange;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = from; i < to; i++) {
        if (work[i] < lo) lo = work[i];
        if (work[i] > hi) hi = work[i];
      }
      return [lo, hi];
    };
    if (opts.scaleEach)
      for (let i = 0; i < b; i++) shiftScale(work, i * c * plane, (i + 1) * c * plane, ...range(i * c * plane, (i + 1) * c * plane));
    else shiftScale(work, 0, work.length, ...range(0, work.length));
  }
  if (b === 1) {
    return Tensor.fromTypedArray(work, [c, h, w], isF64 ? 'float64' : 'float32');
  }
  const xmaps = Math.min(nrow, b);
  const ymaps = Math.ceil(b / xmaps);
  const cellH = h + padding;
  const cellW = w + padding;
  const H = ymaps * cellH + padding;
  const W = xmaps * cellW + padding;
  const out = isF64 ? new Float64Array(c * H * W) : new Float32Array(c * H * W);
  out.fill(padValue);
  for (let i = 0; i < b; i++) {
    const gy = Math.floor(i / xmaps);
    const gx = i % xmaps;
    for (let k = 0; k < c; k++) {
      for (let y = 0; y < h; y++) {
        const dst = k * H * W + (gy * cellH + padding + y) * W + gx * cellW + padding;
        const from = (i * c + k) * plane + y * w;
        out.set(work.subarray(from, from + w) as never, dst);
      }
    }
  }
  return Tensor.fromTypedArray(out, [c, H, W], isF64 ? 'float64' : 'float32');
}
