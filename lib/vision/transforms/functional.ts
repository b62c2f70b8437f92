// torchvision.transforms.functional for Board: the work behind each transform class. Tensors are
// [..., C, H, W] (any leading dims); PILImage inputs give PILImage outputs, as torchvision 0.14.
// Geometry ops (crop, pad, flip) are row/column remaps shared by both containers.
import { Tensor, allocate } from '../../engine/index.ts';
import type { DType, TypedArray } from '../../engine/index.ts';
import { NDArray, PILImage, rgbToL } from '../image.ts';
import { pilResizeBilinear, pilResizeNearest, resizePlanes } from './resample.ts';
import type { Interpolation } from './resample.ts';

export type ImageLike = Tensor | PILImage;

function checkImageTensor(t: Tensor, what: string): void {
  if (t.dim() < 2) throw new RangeError(`${what}: expected a tensor image of shape [..., H, W], got shape [${t.shape.join(', ')}]`);
}

function describeInput(x: unknown): string {
  if (x instanceof Tensor) return `Tensor(shape=[${x.shape.join(', ')}], dtype=${x.dtype})`;
  if (x === null || x === undefined) return String(x);
  return typeof x === 'object' ? ((x as object).constructor?.name ?? 'object') : typeof x;
}

function imageSize(img: ImageLike): [number, number] {
  if (img instanceof PILImage) return [img.height, img.width];
  const s = img.shape;
  return [s[s.length - 2], s[s.length - 1]];
}

/** [height, width] of a tensor or PIL image (torchvision's get_image_size returns [w, h]; this is [h, w]). */
export function getImageSize(img: ImageLike): [number, number] {
  return imageSize(img);
}

/** Number of channels: C of [..., C, H, W] (1 for a bare [H, W]) or the PIL mode's bands. */
export function getImageNumChannels(img: ImageLike): number {
  if (img instanceof PILImage) return img.channels;
  return img.dim() === 2 ? 1 : img.shape[img.dim() - 3];
}

/**
 * Builds an output image whose pixel (y, x) is the source pixel (rows[y], cols[x]), or `fill`
 * where either map is -1. Shared by crop, pad and flips for tensors and PIL images.
 */
function remap(img: ImageLike, rows: Int32Array, cols: Int32Array, fill: number | number[] = 0): ImageLike {
  const outH = rows.length;
  const outW = cols.length;
  if (img instanceof PILImage) {
    const c = img.channels;
    const out = new Uint8Array(outH * outW * c);
    const fills = Array.isArray(fill) ? fill : new Array(c).fill(fill);
    for (let y = 0; y < outH; y++) {
      const sy = rows[y];
      for (let x = 0; x < outW; x++) {
        const sx = cols[x];
        const o = (y * outW + x) * c;
        if (sy < 0 || sx < 0) for (let k = 0; k < c; k++) out[o + k] = fills[k % fills.length];
        else {
          const s = (sy * img.width + sx) * c;
          for (let k = 0; k < c; k++) out[o + k] = img.data[s + k];
        }
      }
    }
    return new PILImage(out, outW, outH, img.mode);
  }
  checkImageTensor(img, 'remap');
  const [inH, inW] = imageSize(img);
  const lead = img.shape.slice(0, -2);
  const planes = lead.reduce((a, b) => a * b, 1);
  const channels = img.dim() >= 3 ? img.shape[img.dim() - 3] : 1;
  const src = img.dataSync();
  const out = allocate(img.dtype, planes * outH * outW);
  const fills = Array.isArray(fill) ? fill : [fill];
  for (let p = 0; p < planes; p++) {
    const f = fills.length === 1 ? fills[0] : fills[p % channels];
    const inBase = p * inH * inW;
    const outBase = p * outH * outW;
    for (let y = 0; y < outH; y++) {
      const sy = rows[y];
      for (let x = 0; x < outW; x++) {
        const sx = cols[x];
        out[outBase + y * outW + x] = sy < 0 || sx < 0 ? f : src[inBase + sy * inW + sx];
      }
    }
  }
  return Tensor.fromTypedArray(out, [...lead, outH, outW], img.dtype);
}

function rangeMap(start: number, length: number, size: number): Int32Array {
  const m = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const s = start + i;
    m[i] = s >= 0 && s < size ? s : -1;
  }
  return m;
}

/** Crops the box (top, left, height, width); parts outside the image are zero (torchvision F.crop). */
export function crop<T extends ImageLike>(img: T, top: number, left: number, height: number, width: number): T {
  const [h, w] = imageSize(img);
  return remap(img, rangeMap(top, height, h), rangeMap(left, width, w)) as T;
}

/** Python's round(): half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function normalizeSize(size: number | readonly number[], what: string): [number, number] {
  if (typeof size === 'number') return [size, size];
  if (size.length === 1) return [size[0], size[0]];
  if (size.length === 2) return [size[0], size[1]];
  throw new RangeError(`${what}: size must be an int or a sequence of 1 or 2 ints, got [${size.join(', ')}]`);
}

/** Crops the centre; zero-pads first when the crop is larger than the image (torchvision F.center_crop). */
export function centerCrop<T extends ImageLike>(img: T, outputSize: number | readonly number[]): T {
  const [ch, cw] = normalizeSize(outputSize, 'centerCrop');
  const [h, w] = imageSize(img);
  // Padding-then-cropping equals cropping at a negative offset with zero fill.
  const padLeft = cw > w ? Math.floor((cw - w) / 2) : 0;
  const padTop = ch > h ? Math.floor((ch - h) / 2) : 0;
  const padRight = cw > w ? Math.floor((cw - w + 1) / 2) : 0;
  const padBottom = ch > h ? Math.floor((ch - h + 1) / 2) : 0;
  const H = h + padTop + padBottom;
  const W = w + padLeft + padRight;
  const top = roundHalfEven((H - ch) / 2) - padTop;
  const left = roundHalfEven((W - cw) / 2) - padLeft;
  return crop(img, top, left, ch, cw);
}

export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

function padIndex(i: number, n: number, mode: PaddingMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'constant':
      return -1;
    case 'edge':
      return i < 0 ? 0 : n - 1;
    case 'reflect': {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      let k = ((i % period) + period) % period;
      if (k >= n) k = period - k;
      return k;
    }
    case 'symmetric': {
      const period = 2 * n;
      let k = ((i % period) + period) % period;
      if (k >= n) k = period - 1 - k;
      return k;
    }
  }
}

/** [left, top, right, bottom] from torchvision's padding forms (int, [lr, tb] or [l, t, r, b]). */
export function parsePadding(padding: number | readonly number[]): [number, number, number, number] {
  if (typeof padding === 'number') return [padding, padding, padding, padding];
  if (padding.length === 1) return [padding[0], padding[0], padding[0], padding[0]];
  if (padding.length === 2) return [padding[0], padding[1], padding[0], padding[1]];
  if (padding.length === 4) return [padding[0], padding[1], padding[2], padding[3]];
  throw new RangeError(`pad: padding must be an int or a 1, 2 or 4 element sequence, got ${padding.length} elements`);
}

/** Pads the borders (torchvision F.pad): constant `fill`, or edge / reflect / symmetric. */
export function pad<T extends ImageLike>(
  img: T,
  padding: number | readonly number[],
  fill: number | number[] = 0,
  paddingMode: PaddingMode = 'constant',
): T {
  const [l, t, r, b] = parsePadding(padding);
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(paddingMode)) {
    throw new RangeError(`pad: padding mode should be constant, edge, reflect or symmetric, got ${paddingMode}`);
  }
  const [h, w] = imageSize(img);
  if (paddingMode === 'reflect' && (Math.max(t, b) >= h || Math.max(l, r) >= w)) {
    throw new RangeError(`pad: reflect padding (${l}, ${t}, ${r}, ${b}) must be smaller than the image size ${h}x${w}`);
  }
  // Negative padding crops, as in torchvision.
  const rows = new Int32Array(Math.max(0, h + t + b));
  for (let i = 0; i < rows.length; i++) rows[i] = padIndex(i - t, h, paddingMode);
  const cols = new Int32Array(Math.max(0, w + l + r));
  for (let i = 0; i < cols.length; i++) cols[i] = padIndex(i - l, w, paddingMode);
  return remap(img, rows, cols, fill) as T;
}

/** Mirrors left-right (the last dimension). */
export function hflip<T extends ImageLike>(img: T): T {
  const [h, w] = imageSize(img);
  const rows = Int32Array.from({ length: h }, (_, i) => i);
  const cols = Int32Array.from({ length: w }, (_, i) => w - 1 - i);
  return remap(img, rows, cols) as T;
}

/** Mirrors top-bottom. */
export function vflip<T extends ImageLike>(img: T): T {
  const [h, w] = imageSize(img);
  const rows = Int32Array.from({ length: h }, (_, i) => h - 1 - i);
  const cols = Int32Array.from({ length: w }, (_, i) => i);
  return remap(img, rows, cols) as T;
}

/** torchvision's _compute_resized_output_size: an int matches the smaller edge (then maxSize caps the longer one). */
export function resizedOutputSize(h: number, w: number, size: number | readonly number[], maxSize?: number): [number, number] {
  if (typeof size === 'number' || size.length === 1) {
    const requested = typeof size === 'number' ? size : size[0];
    const [short, long] = w <= h ? [w, h] : [h, w];
    let newShort = requested;
    let newLong = Math.trunc((requested * long) / short);
    if (maxSize !== undefined) {
      if (maxSize <= requested)
        throw new RangeError(
          `resize: maxSize = ${maxSize} must be strictly greater than the requested size for the smaller edge size = ${requested}`,
        );
      if (newLong > maxSize) {
        newShort = Math.trunc((maxSize * newShort) / newLong);
        newLong = maxSize;
      }
    }
    return w <= h ? [newLong, newShort] : [newShort, newLong];
  }
  if (maxSize !== undefined) throw new RangeError('resize: maxSize is only supported when size is a single int');
  if (size.length !== 2) throw new RangeError(`resize: size must be an int or a sequence of 1 or 2 ints, got [${size.join(', ')}]`);
  return [size[0], size[1]];
}

export interface ResizeOptions {
  interpolation?: Interpolation;
  maxSize?: number;
  /** Tensors only (PIL always antialiases). torchvision 0.14's default `null` means off for tensors. */
  antialias?: boolean | null;
}

/**
 * Resizes to `size` ([h, w], or an int for the smaller edge). Tensors follow torchvision 0.14
 * (F.interpolate, align_corners=False, no antialias by default; integer tensors are computed in
 * float then rounded half-to-even); PIL images follow Pillow's resampling (antialiased).
 */
export function resize<T extends ImageLike>(img: T, size: number | readonly number[], opts: ResizeOptions = {}): T {
  const mode = opts.interpolation ?? 'bilinear';
  if (mode !== 'bilinear' && mode !== 'nearest') {
    throw new RangeError(`resize: interpolation ${String(mode)} is not supported (use 'bilinear' or 'nearest')`);
  }
  const [h, w] = imageSize(img);
  const [oh, ow] = resizedOutputSize(h, w, size, opts.maxSize);
  if (!(oh > 0 && ow > 0)) throw new RangeError(`resize: output size ${oh}x${ow} must be positive (input ${h}x${w})`);
  if (img instanceof PILImage) {
    const fn = mode === 'nearest' ? pilResizeNearest : pilResizeBilinear;
    return new PILImage(fn(img.data, img.width, img.height, img.channels, ow, oh), ow, oh, img.mode) as T;
  }
  const t = img as Tensor;
  checkImageTensor(t, 'resize');
  const lead = t.shape.slice(0, -2);
  const planes = lead.reduce((a, b) => a * b, 1);
  const src = t.dataSync();
  const isFloat = t.dtype === 'float32' || t.dtype === 'float64';
  const work = t.dtype === 'float64' ? new Float64Array(planes * oh * ow) : new Float32Array(planes * oh * ow);
  resizePlanes(src, planes, h, w, oh, ow, mode, opts.antialias === true, work);
  if (isFloat) return Tensor.fromTypedArray(work, [...lead, oh, ow], t.dtype) as T;
  const out = allocate(t.dtype, work.length);
  const lo = t.dtype === 'uint8' ? 0 : -Infinity;
  const hi = t.dtype === 'uint8' ? 255 : Infinity;
  for (let i = 0; i < work.length; i++) out[i] = Math.min(hi, Math.max(lo, mode === 'nearest' ? work[i] : roundHalfEven(work[i])));
  return Tensor.fromTypedArray(out, [...lead, oh, ow], t.dtype) as T;
}

/**
 * ToTensor: PIL image or uint8 array (HWC or HW) to a float32 CHW tensor in [0, 1]. Other arrays
 * are only transposed to CHW and keep their dtype and values (torchvision 0.14).
 */
export function toTensor(pic: PILImage | NDArray): Tensor {
  if (pic instanceof PILImage) {
    const n = pic.width * pic.height;
    const c = pic.channels;
    const out = new Float32Array(n * c);
    for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) out[k * n + i] = pic.data[i * c + k] / 255;
    return Tensor.fromTypedArray(out, [c, pic.height, pic.width], 'float32');
  }
  if (pic instanceof NDArray) {
    if (pic.shape.length !== 2 && pic.shape.length !== 3)
      throw new RangeError(
        `toTensor: pic should be 2 or 3 dimensional, got ${pic.shape.length} dimensions (shape [${pic.shape.join(', ')}])`,
      );
    const [h, w, c = 1] = pic.shape;
    const n = h * w;
    const scale = pic.dtype === 'uint8';
    const out = scale ? new Float32Array(n * c) : allocate(pic.dtype, n * c);
    const src = pic.data;
    for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) out[k * n + i] = scale ? src[i * c + k] / 255 : src[i * c + k];
    return Tensor.fromTypedArray(out, [c, h, w], scale ? 'float32' : pic.dtype);
  }
  throw new TypeError(
    `toTensor: pic should be a PILImage or an NDArray, got ${describeInput(pic)} (tensors are already tensors: use convertImageDtype to rescale)`,
  );
}

/** PILToTensor: PIL image to a uint8 CHW tensor without scaling. */
export function pilToTensor(pic: PILImage): Tensor {
  if (!(pic instanceof PILImage)) throw new TypeError(`pilToTensor: pic should be a PILImage, got ${describeInput(pic)}`);
  const n = pic.width * pic.height;
  const c = pic.channels;
  const out = new Uint8Array(n * c);
  for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) out[k * n + i] = pic.data[i * c + k];
  return Tensor.fromTypedArray(out, [c, pic.height, pic.width], 'uint8');
}

/** ToPILImage: a CHW (or HW) tensor to a PIL image; floats are scaled by 255 and truncated, as `pic.mul(255).byte()`. */
export function toPilImage(pic: Tensor, mode?: 'L' | 'LA' | 'RGB' | 'RGBA'): PILImage {
  if (!(pic instanceof Tensor)) throw new TypeError(`toPilImage: pic should be a Tensor, got ${describeInput(pic)}`);
  const t = pic.dim() === 2 ? pic.unsqueeze(0) : pic;
  if (t.dim() !== 3) throw new RangeError(`toPilImage: pic should be 2 or 3 dimensional, got shape [${pic.shape.join(', ')}]`);
  const [c, h, w] = t.shape;
  if (c < 1 || c > 4) throw new RangeError(`toPilImage: pic should not have more than 4 channels, got ${c}`);
  const src = t.dataSync();
  const scale = t.dtype === 'float32' || t.dtype === 'float64';
  const n = h * w;
  const out = new Uint8Array(n * c);
  for (let k = 0; k < c; k++)
    for (let i = 0; i < n; i++) out[i * c + k] = (scale ? Math.trunc(Math.fround(src[k * n + i] * 255)) : src[k * n + i]) & 255;
  return new PILImage(out, w, h, mode ?? (['L', 'LA', 'RGB', 'RGBA'] as const)[c - 1]);
}

/** Normalize: (x - mean[c]) / std[c] per channel, in the tensor's float dtype. */
export function normalize(t: Tensor, mean: ArrayLike<number>, std: ArrayLike<number>, inplace = false): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`normalize: img should be a Tensor, got ${describeInput(t)}`);
  if (t.dtype !== 'float32' && t.dtype !== 'float64')
    throw new TypeError(`normalize: input tensor should be a float tensor, got ${t.dtype}`);
  if (t.dim() < 3) throw new RangeError(`normalize: expected a tensor image of size [..., C, H, W], got shape [${t.shape.join(', ')}]`);
  const c = t.shape[t.dim() - 3];
  const cast = t.dtype === 'float32' ? Math.fround : (x: number) => x;
  const m = Array.from(mean, cast);
  const s = Array.from(std, cast);
  if ((m.length !== 1 && m.length !== c) || (s.length !== 1 && s.length !== c)) {
    throw new RangeError(
      `normalize: mean (${m.length} values) and std (${s.length} values) must have 1 or ${c} (channels) entries for shape [${t.shape.join(', ')}]`,
    );
  }
  if (s.some((v) => v === 0))
    throw new RangeError(`normalize: std evaluated to zero after conversion to ${t.dtype}, leading to division by zero`);
  const src = t.dataSync();
  const out = inplace && t.isContiguous() ? src : allocate(t.dtype, src.length);
  const plane = t.shape[t.dim() - 2] * t.shape[t.dim() - 1];
  const planes = src.length / plane;
  for (let p = 0; p < planes; p++) {
    const ch = p % c;
    const mv = m[m.length === 1 ? 0 : ch];
    const sv = s[s.length === 1 ? 0 : ch];
    for (let i = p * plane; i < (p + 1) * plane; i++) out[i] = cast(cast(src[i] - mv) / sv);
  }
  if (inplace && out === src) return t;
  return Tensor.fromTypedArray(out, [...t.shape], t.dtype);
}

/**
 * rgb_to_grayscale. Tensors: 0.2989 R + 0.587 G + 0.114 B in float32, truncated back for integer
 * dtypes (torchvision 0.14). PIL: convert('L') (rounded fixed point), so the two paths can differ by 1.
 */
export function rgbToGrayscale<T extends ImageLike>(img: T, numOutputChannels: 1 | 3 = 1): T {
  if (numOutputChannels !== 1 && numOutputChannels !== 3)
    throw new RangeError(`rgbToGrayscale: numOutputChannels should be 1 or 3, got ${numOutputChannels}`);
  if (img instanceof PILImage) {
    const l = img.convert('L');
    return (numOutputChannels === 1 ? l : l.convert('RGB')) as T;
  }
  const t = img as Tensor;
  const c = t.dim() >= 3 ? t.shape[t.dim() - 3] : 0;
  if (c !== 1 && c !== 3)
    throw new RangeError(`rgbToGrayscale: input image tensor should have 1 or 3 channels, got shape [${t.shape.join(', ')}]`);
  if (c === 1) {
    if (numOutputChannels === 1) return t.clone() as T;
  }
  const [h, w] = imageSize(t);
  const plane = h * w;
  const lead = t.shape.slice(0, -3);
  const images = lead.reduce((a, b) => a * b, 1);
  const src = t.dataSync();
  const gray = allocate(t.dtype, images * plane * numOutputChannels);
  const f = Math.fround;
  const isFloat = t.dtype === 'float32' || t.dtype === 'float64';
  const [wr, wg, wb] = t.dtype === 'float64' ? [0.2989, 0.587, 0.114] : [f(0.2989), f(0.587), f(0.114)];
  const cast = t.dtype === 'float64' ? (x: number) => x : f;
  for (let n = 0; n < images; n++) {
    const base = n * c * plane;
    for (let i = 0; i < plane; i++) {
      let v: number;
      if (c === 1) v = src[base + i];
      else v = cast(cast(cast(wr * src[base + i]) + cast(wg * src[base + plane + i])) + cast(wb * src[base + 2 * plane + i]));
      const outV = isFloat ? v : Math.trunc(v);
      for (let k = 0; k < numOutputChannels; k++) gray[(n * numOutputChannels + k) * plane + i] = outV;
    }
  }
  return Tensor.fromTypedArray(gray, [...lead, numOutputChannels, h, w], t.dtype) as T;
}

/** convert_image_dtype: rescales between integer [0, max] and float [0, 1] ranges. */
export function convertImageDtype(t: Tensor, dtype: DType = 'float32'): Tensor {
  if (t.dtype === dtype) return t;
  const src = t.dataSync();
  const out = allocate(dtype, src.length);
  const srcFloat = t.dtype === 'float32' || t.dtype === 'float64';
  const dstFloat = dtype === 'float32' || dtype === 'float64';
  const maxOf = (d: DType): number => (d === 'uint8' ? 255 : d === 'int32' ? 2 ** 31 - 1 : d === 'int64' ? 2 ** 63 - 1 : 1);
  if (srcFloat && dstFloat) out.set(src as never);
  else if (!srcFloat && dstFloat) for (let i = 0; i < src.length; i++) out[i] = src[i] / maxOf(t.dtype);
  else if (srcFloat && !dstFloat) {
    const eps = 1e-3;
    const m = maxOf(dtype);
    for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i] * (m + 1 - eps));
  } else {
    const ratio = (maxOf(dtype) + 1) / (maxOf(t.dtype) + 1);
    for (let i = 0; i < src.length; i++) out[i] = ratio >= 1 ? src[i] * ratio : Math.trunc(src[i] * ratio);
  }
  return Tensor.fromTypedArray(out, [...t.shape], dtype);
}
