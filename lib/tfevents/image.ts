// Image inputs -> HWC uint8 -> PNG, as PyTorch's add_image/add_images do it: any permutation of the
// dataformats letters, 1 channel replicated to 3, floats scaled by 255 (in float32) and clipped,
// uint8 kept, batches tiled by TensorBoard's own make_grid (no padding, ncols = min(N, 8)).
import { PNG } from 'pngjs';

/** Anything with a shape and a dataSync() (our engine's Tensor, tfjs tensors). */
export interface TensorLike {
  shape: readonly number[];
  dataSync(): ArrayLike<number>;
  dtype?: string;
}
/** A plain typed array (or number[]) with its shape. */
export interface ShapedArray {
  data: ArrayLike<number>;
  shape: readonly number[];
  dtype?: string;
}
export type ArrayInput = TensorLike | ShapedArray | ArrayLike<number> | NestedArray;
export type NestedArray = number[] | NestedArray[];

export interface Materialized {
  data: ArrayLike<number>;
  shape: number[];
  isUint8: boolean;
}

function isTensorLike(x: unknown): x is TensorLike {
  return typeof x === 'object' && x !== null && 'shape' in x && typeof (x as TensorLike).dataSync === 'function';
}

function flattenNested(x: NestedArray, what: string): { data: number[]; shape: number[] } {
  const shape: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  const data = (x as unknown[]).flat(Infinity) as number[];
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n)
    throw new Error(`${what}: nested array is ragged (first-element shape [${shape}] needs ${n} values, got ${data.length})`);
  return { data, shape };
}

/** Turns any accepted input into flat data + shape. `shape` is required for flat typed arrays. */
export function materialize(x: unknown, what: string, shape?: readonly number[]): Materialized {
  if (isTensorLike(x)) {
    const data = x.dataSync();
    return { data, shape: [...x.shape], isUint8: data instanceof Uint8Array || data instanceof Uint8ClampedArray || x.dtype === 'uint8' };
  }
  if (typeof x === 'object' && x !== null && 'data' in x && 'shape' in x) {
    const s = x as ShapedArray;
    return {
      data: s.data,
      shape: [...s.shape],
      isUint8: s.data instanceof Uint8Array || s.data instanceof Uint8ClampedArray || s.dtype === 'uint8',
    };
  }
  if (Array.isArray(x) && (x.length === 0 || Array.isArray(x[0]))) {
    const f = flattenNested(x as NestedArray, what);
    return { data: f.data, shape: shape ? [...shape] : f.shape, isUint8: false };
  }
  if (ArrayBuffer.isView(x) || Array.isArray(x)) {
    const data = x as ArrayLike<number>;
    const isUint8 = data instanceof Uint8Array || data instanceof Uint8ClampedArray;
    return { data, shape: shape ? [...shape] : [data.length], isUint8 };
  }
  throw new Error(
    `${what}: expected a tensor (shape + dataSync()), { data, shape }, a typed array or a nested number array, got ${typeof x}`,
  );
}

function checkSize(m: Materialized, what: string): void {
  const n = m.shape.reduce((a, b) => a * b, 1);
  if (n !== m.data.length) throw new Error(`${what}: shape [${m.shape}] needs ${n} values but the data has ${m.data.length}`);
}

/** Permutes `m` (whose axes are named by `format`) into the axis order `target`. */
function permute(m: Materialized, format: string, target: string, what: string): { data: ArrayLike<number>; shape: number[] } {
  const letters = new Set(format);
  if (letters.size !== format.length || [...format].some((c) => !target.includes(c)) || format.length !== target.length) {
    throw new Error(`${what}: dataformats '${format}' must be a permutation of '${target}'`);
  }
  if (m.shape.length !== format.length) {
    throw new Error(
      `${what}: image has shape [${m.shape}] (${m.shape.length} dims) but dataformats '${format}' needs ${format.length} dims`,
    );
  }
  const order = [...target].map((c) => format.indexOf(c));
  const shape = order.map((i) => m.shape[i]!);
  if (order.every((o, i) => o === i)) return { data: m.data, shape };
  const srcStrides = m.shape.map((_, i) => m.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const strides = order.map((i) => srcStrides[i]!);
  const n = m.data.length;
  const out = new Float64Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += idx[d]! * strides[d]!;
    out[k] = m.data[src]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { data: out, shape };
}

export interface HWCImage {
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array;
}

/** PyTorch's scaling: float32(x) * 255 (floats and non-uint8 ints), clip to [0, 255], truncate. */
function toUint8(data: ArrayLike<number>, isUint8: boolean): Uint8Array {
  const out = new Uint8Array(data.length);
  if (isUint8) {
    for (let i = 0; i < data.length; i++) out[i] = data[i]!;
    return out;
  }
  for (let i = 0; i < data.length; i++) {
    const v = Math.fround(Math.fround(data[i]!) * 255);
    out[i] = v > 255 ? 255 : v > 0 ? Math.trunc(v) : 0; // NaN -> 0
  }
  return out;
}

/** CHW planes -> interleaved HWC, replicating 1 channel to 3 (convert_to_HWC). */
function chwToHwc(data: ArrayLike<number>, c: number, h: number, w: number): { data: Float64Array; channels: number } {
  const outC = c === 1 ? 3 : c;
  const out = new Float64Array(h * w * outC);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < outC; k++) {
        out[(y * w + x) * outC + k] = data[(c === 1 ? 0 : k) * h * w + y * w + x]!;
      }
  return { data: out, channels: outC };
}

function checkChannels(c: number, shape: number[], what: string): void {
  if (c < 1 || c > 4) throw new Error(`${what}: image of shape [${shape}] has ${c} channels; expected 1, 3 or 4 (2 = gray + alpha)`);
}

/** add_image: one image in dataformats CHW / HWC / HW (or any permutation of those letters). */
export function toHWC(x: unknown, dataformats: string, what = 'addImage', shape?: readonly number[]): HWCImage {
  const m = materialize(x, what, shape);
  checkSize(m, what);
  const fmt = dataformats.toUpperCase();
  if (fmt.length === 2) {
    const p = permute(m, fmt, 'HW', what);
    const [h, w] = p.shape as [number, number];
    const hwc = chwToHwc(p.data, 1, h, w);
    return { height: h, width: w, channels: 3, pixels: toUint8(hwc.data, m.isUint8) };
  }
  if (fmt.length === 3) {
    const p = permute(m, fmt, 'CHW', what);
    const [c, h, w] = p.shape as [number, number, number];
    checkChannels(c, m.shape, what);
    const hwc = chwToHwc(p.data, c, h, w);
    return { height: h, width: w, channels: hwc.channels, pixels: toUint8(hwc.data, m.isUint8) };
  }
  if (fmt.length === 4) return gridHWC(m, fmt, what);
  throw new Error(`${what}: dataformats '${dataformats}' must have 2 (HW), 3 (CHW/HWC) or 4 (NCHW/NHWC) letters`);
}

/** add_images: a batch tiled into one image by TensorBoard's make_grid (ncols = min(N, 8), no padding). */
export function gridHWC(m: Materialized, fmt: string, what = 'addImages'): HWCImage {
  checkSize(m, what);
  const p = permute(m, fmt, 'NCHW', what);
  const [n, c, h, w] = p.shape as [number, number, number, number];
  checkChannels(c, m.shape, what);
  if (n === 0) throw new Error(`${what}: batch of shape [${m.shape}] holds no image`);
  const outC = c === 1 ? 3 : c;
  const ncols = Math.min(n, 8);
  const nrows = Math.ceil(n / ncols);
  const H = h * nrows,
    W = w * ncols;
  const canvas = new Float64Array(H * W * outC); // zeros where the last row is not full
  for (let i = 0; i < n; i++) {
    const oy = Math.floor(i / ncols) * h,
      ox = (i % ncols) * w;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < outC; k++) {
          canvas[((oy + y) * W + ox + x) * outC + k] = p.data[((i * c + (c === 1 ? 0 : k)) * h + y) * w + x]!;
        }
  }
  return { height: H, width: W, channels: outC, pixels: toUint8(canvas, m.isUint8) };
}

/** PNG bytes of an HWC uint8 image (1-4 channels). */
export function encodePng(img: HWCImage): Uint8Array {
  const { width, height, channels, pixels } = img;
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = i * channels;
    const g = pixels[s]!;
    if (channels <= 2) {
      rgba[i * 4] = g;
      rgba[i * 4 + 1] = g;
      rgba[i * 4 + 2] = g;
      rgba[i * 4 + 3] = channels === 2 ? pixels[s + 1]! : 255;
    } else {
      rgba[i * 4] = g;
      rgba[i * 4 + 1] = pixels[s + 1]!;
      rgba[i * 4 + 2] = pixels[s + 2]!;
      rgba[i * 4 + 3] = channels === 4 ? pixels[s + 3]! : 255;
    }
  }
  const colorType = channels === 1 ? 0 : channels === 2 ? 4 : channels === 3 ? 2 : 6;
  const png = PNG.sync.write({ width, height, data: rgba } as unknown as PNG, { colorType, inputHasAlpha: true } as never);
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** Decodes PNG bytes to HWC uint8 with the given channel count (tests and the board use it). */
export function decodePng(bytes: Uint8Array, channels: number): HWCImage {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const out = new Uint8Array(png.width * png.height * channels);
  for (let i = 0; i < png.width * png.height; i++) {
    for (let k = 0; k < channels; k++) {
      out[i * channels + k] = channels === 2 ? png.data[i * 4 + (k === 0 ? 0 : 3)]! : png.data[i * 4 + k]!;
    }
  }
  return { width: png.width, height: png.height, channels, pixels: out };
}
