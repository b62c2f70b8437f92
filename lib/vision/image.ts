// Image containers and decoding. `PILImage` stands for a PIL image (HWC uint8, mode L/RGB/RGBA) and
// `NDArray` for a numpy array (what ToTensor accepts besides tensors). `readImage` follows
// torchvision.io.read_image: PNG or JPEG file to a uint8 CHW tensor.
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { Tensor } from '../engine/index.ts';
import type { DType, TypedArray } from '../engine/index.ts';

export type ImageMode = 'L' | 'LA' | 'RGB' | 'RGBA';
const MODE_CHANNELS: Record<ImageMode, number> = { L: 1, LA: 2, RGB: 3, RGBA: 4 };

/** A decoded 8-bit image, HWC interleaved, as PIL holds it (`np.asarray(img)` gives `data` with `shape`). */
export class PILImage {
  readonly mode: ImageMode;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;

  constructor(data: Uint8Array, width: number, height: number, mode: ImageMode) {
    const c = MODE_CHANNELS[mode];
    if (c === undefined) throw new TypeError(`PILImage: unsupported mode ${String(mode)} (use L, LA, RGB or RGBA)`);
    if (data.length !== width * height * c) {
      throw new RangeError(`PILImage: ${mode} image of ${width}x${height} needs ${width * height * c} bytes, got ${data.length}`);
    }
    this.mode = mode;
    this.width = width;
    this.height = height;
    this.data = data;
  }

  /** PIL's `Image.fromarray(arr, mode)`: `shape` is [H, W] or [H, W, C]. */
  static fromArray(data: ArrayLike<number>, shape: readonly number[], mode?: ImageMode): PILImage {
    const [h, w, c = 1] = shape;
    const m = mode ?? (c === 1 ? 'L' : c === 2 ? 'LA' : c === 3 ? 'RGB' : 'RGBA');
    if (MODE_CHANNELS[m] !== c)
      throw new RangeError(`PILImage.fromArray: mode ${m} needs ${MODE_CHANNELS[m]} channels, shape [${shape.join(', ')}] has ${c}`);
    return new PILImage(data instanceof Uint8Array ? data : Uint8Array.from(data), w, h, m);
  }

  get channels(): number {
    return MODE_CHANNELS[this.mode];
  }

  /** PIL's `img.size`: (width, height). */
  get size(): [number, number] {
    return [this.width, this.height];
  }

  /** `np.asarray(img).shape`. */
  get shape(): number[] {
    return this.channels === 1 ? [this.height, this.width] : [this.height, this.width, this.channels];
  }

  /** PIL's `convert`: L (ITU-R 601-2 luma, rounded as PIL does) or RGB/RGBA. */
  convert(mode: ImageMode): PILImage {
    if (mode === this.mode) return this;
    const n = this.width * this.height;
    const src = this.data;
    const c = this.channels;
    const out = new Uint8Array(n * MODE_CHANNELS[mode]);
    for (let i = 0; i < n; i++) {
      let r: number, g: number, b: number, a: number;
      if (c <= 2) {
        r = g = b = src[i * c];
        a = c === 2 ? src[i * c + 1] : 255;
      } else {
        r = src[i * c];
        g = src[i * c + 1];
        b = src[i * c + 2];
        a = c === 4 ? src[i * c + 3] : 255;
      }
      switch (mode) {
        case 'L':
          out[i] = rgbToL(r, g, b);
          break;
        case 'LA':
          out[2 * i] = rgbToL(r, g, b);
          out[2 * i + 1] = a;
          break;
        case 'RGB':
          out[3 * i] = r;
          out[3 * i + 1] = g;
          out[3 * i + 2] = b;
          break;
        case 'RGBA':
          out[4 * i] = r;
          out[4 * i + 1] = g;
          out[4 * i + 2] = b;
          out[4 * i + 3] = a;
          break;
      }
    }
    return new PILImage(out, this.width, this.height, mode);
  }
}

/** PIL's L = R*299/1000 + G*587/1000 + B*114/1000 in 16-bit fixed point with rounding. */
export function rgbToL(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
}

/** A numpy-like array: raw values in row-major order with a shape (ToTensor's ndarray input). */
export class NDArray {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  constructor(data: TypedArray, shape: readonly number[], dtype?: DType) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new RangeError(`NDArray: shape [${shape.join(', ')}] needs ${n} values, got ${data.length}`);
    this.data = data;
    this.shape = [...shape];
    this.dtype =
      dtype ??
      (data instanceof Float32Array
        ? 'float32'
        : data instanceof Float64Array
          ? 'float64'
          : data instanceof Int32Array
            ? 'int32'
            : 'uint8');
  }
}

export interface DecodedImage {
  /** HWC interleaved 8-bit samples. */
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Number of colour components in a JPEG's frame header (1 = grayscale, 3 = YCbCr), or 0 if not found. */
function jpegComponents(bytes: Uint8Array): number {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return 0;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the component count at offset 9.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return bytes[i + 9];
    i += 2 + len;
  }
  return 0;
}

/** Decodes PNG or JPEG bytes, keeping the file's channel count (gray stays 1 channel, as torchvision). */
export function decodeImage(bytes: Uint8Array, what = 'image'): DecodedImage {
  if (isPng(bytes)) {
    let png: PNG;
    try {
      png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      throw new Error(`readImage: cannot decode PNG ${what}: ${(e as Error).message}`, { cause: e });
    }
    // pngjs always yields 8-bit RGBA; colorType says what the file held (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA).
    const meta = png as unknown as { colorType?: number; alpha?: boolean };
    const ct = meta.colorType ?? 6;
    const channels = ct === 0 ? 1 : ct === 4 ? 2 : ct === 2 ? 3 : ct === 3 ? (meta.alpha ? 4 : 3) : 4;
    const n = png.width * png.height;
    const out = new Uint8Array(n * channels);
    const src = png.data;
    for (let i = 0; i < n; i++) {
      if (channels === 1) out[i] = src[4 * i];
      else if (channels === 2) {
        out[2 * i] = src[4 * i];
        out[2 * i + 1] = src[4 * i + 3];
      } else for (let k = 0; k < channels; k++) out[channels * i + k] = src[4 * i + k];
    }
    return { data: out, width: png.width, height: png.height, channels };
  }
  if (isJpeg(bytes)) {
    let img: { width: number; height: number; data: Uint8Array };
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
    } catch (e) {
      throw new Error(`readImage: cannot decode JPEG ${what}: ${(e as Error).message}`, { cause: e });
    }
    const n = img.width * img.height;
    if (jpegComponents(bytes) === 1) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = img.data[3 * i];
      return { data: out, width: img.width, height: img.height, channels: 1 };
    }
    return { data: new Uint8Array(img.data.buffer, img.data.byteOffset, n * 3), width: img.width, height: img.height, channels: 3 };
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new Error(`readImage: ${what} is neither PNG nor JPEG (first bytes: ${head || 'empty file'})`);
}

/** torchvision.io.ImageReadMode. */
export const ImageReadMode = {
  UNCHANGED: 'unchanged',
  GRAY: 'gray',
  GRAY_ALPHA: 'gray_alpha',
  RGB: 'rgb',
  RGB_ALPHA: 'rgb_alpha',
} as const;
export type ImageReadModeValue = (typeof ImageReadMode)[keyof typeof ImageReadMode];

const READ_MODE_TO_PIL: Record<Exclude<ImageReadModeValue, 'unchanged'>, ImageMode> = {
  gray: 'L',
  gray_alpha: 'LA',
  rgb: 'RGB',
  rgb_alpha: 'RGBA',
};
const CHANNELS_TO_MODE: ImageMode[] = ['L', 'L', 'LA', 'RGB', 'RGBA'];

/** Opens an image file as a PILImage (PIL's `Image.open(path)`), optionally converted to `mode`. */
export function openImage(path: string, mode?: ImageMode): PILImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`readImage: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const d = decodeImage(bytes, path);
  const img = new PILImage(d.data, d.width, d.height, CHANNELS_TO_MODE[d.channels]);
  return mode ? img.convert(mode) : img;
}

/** HWC uint8 bytes to a CHW uint8 tensor. */
export function hwcToChwTensor(data: Uint8Array, height: number, width: number, channels: number): Tensor {
  const n = height * width;
  const out = new Uint8Array(n * channels);
  for (let c = 0; c < channels; c++) {
    const base = c * n;
    for (let i = 0; i < n; i++) out[base + i] = data[i * channels + c];
  }
  return Tensor.fromTypedArray(out, [channels, height, width], 'uint8');
}

/**
 * torchvision.io.read_image: reads a PNG or JPEG file into a uint8 tensor [C, H, W]. `mode` converts
 * channels (ImageReadMode.GRAY, RGB, ...); UNCHANGED keeps the file's channels.
 */
export function readImage(path: string, mode: ImageReadModeValue = 'unchanged'): Tensor {
  const img = openImage(path, mode === 'unchanged' ? undefined : READ_MODE_TO_PIL[mode]);
  return hwcToChwTensor(img.data, img.height, img.width, img.channels);
}
