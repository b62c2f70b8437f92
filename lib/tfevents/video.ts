// add_video as PyTorch lays it out: (N, T, C, H, W) -> a batch padded to a power of two and tiled
// into a grid per frame (_prepare_video), scaled to uint8, written as an animated GIF inside an
// image summary. PyTorch encodes through moviepy; we encode the same frames with omggif.
import { GifWriter } from 'omggif';
import { materialize, type ArrayInput } from './image.ts';

export interface VideoFrames {
  frames: number;
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array;
}

/** _prepare_video + the uint8 scaling of summary.video: frames (T, rows*H, cols*W, C). */
export function prepareVideo(vid: ArrayInput, what: string): VideoFrames {
  const m = materialize(vid, what);
  if (m.shape.length !== 5) throw new Error(`${what}: video must be (N, T, C, H, W), got shape [${m.shape}]`);
  const [b, t, c, h, w] = m.shape as [number, number, number, number, number];
  if (m.data.length !== b * t * c * h * w)
    throw new Error(`${what}: shape [${m.shape}] needs ${b * t * c * h * w} values but the data has ${m.data.length}`);
  if (c !== 1 && c !== 3 && c !== 4) throw new Error(`${what}: C must be 1, 3 or 4, got ${c}`);
  if (b < 1) throw new Error(`${what}: the batch (N) is empty`);
  const bitLength = Math.floor(Math.log2(b)) + 1; // Python's int.bit_length()
  const padded = (b & (b - 1)) === 0 ? b : 2 ** bitLength;
  const nRows = 2 ** Math.floor((bitLength - 1) / 2);
  const nCols = padded / nRows;
  const H = nRows * h,
    W = nCols * w;
  const pixels = new Uint8Array(t * H * W * c);
  for (let i = 0; i < b; i++) {
    const oy = Math.floor(i / nCols) * h,
      ox = (i % nCols) * w;
    for (let f = 0; f < t; f++)
      for (let ch = 0; ch < c; ch++)
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) {
            const raw = m.data[(((i * t + f) * c + ch) * h + y) * w + x]!;
            // uint8 input is divided by 255 then multiplied back; floats: float32(x) * 255, cast to uint8.
            const v = m.isUint8 ? raw : Math.fround(Math.fround(raw) * 255);
            pixels[((f * H + oy + y) * W + ox + x) * c + ch] = v >= 255 ? 255 : v > 0 ? Math.trunc(v) : 0;
          }
  }
  return { frames: t, height: H, width: W, channels: c, pixels };
}

/**
 * Animated GIF of the frames, looping forever, delay 100/fps centiseconds. Each frame gets its
 * exact colours when it has at most 256, else a 6x7x6 colour cube (grey ramp for 1 channel).
 */
export function encodeGif(v: VideoFrames, fps: number): Uint8Array {
  const { frames, height: H, width: W, channels: c } = v;
  const out = new Uint8Array(Math.max(4096, frames * (W * H * 2 + 1024) + 2048));
  const gif = new GifWriter(out, W, H, { loop: 0 });
  const delay = Math.max(1, Math.round(100 / fps));
  const cube: number[] = [];
  for (let r = 0; r < 6; r++)
    for (let g = 0; g < 7; g++)
      for (let b = 0; b < 6; b++) cube.push((Math.round(r * 51) << 16) | (Math.round(g * 42.5) << 8) | Math.round(b * 51));
  while (cube.length < 256) cube.push(0);
  for (let f = 0; f < frames; f++) {
    const rgb = new Uint32Array(W * H);
    for (let p = 0; p < W * H; p++) {
      const o = (f * W * H + p) * c;
      rgb[p] = c === 1 ? v.pixels[o]! * 0x010101 : (v.pixels[o]! << 16) | (v.pixels[o + 1]! << 8) | v.pixels[o + 2]!;
    }
    const exact = new Map<number, number>();
    for (const px of rgb) {
      if (!exact.has(px)) {
        exact.set(px, exact.size);
        if (exact.size > 256) break;
      }
    }
    const indexed = new Uint8Array(W * H);
    let palette: number[];
    if (exact.size <= 256) {
      palette = [...exact.keys()];
      for (let p = 0; p < rgb.length; p++) indexed[p] = exact.get(rgb[p]!)!;
    } else {
      palette = cube;
      for (let p = 0; p < rgb.length; p++) {
        const px = rgb[p]!;
        indexed[p] = Math.round(((px >> 16) & 255) / 51) * 42 + Math.round(((px >> 8) & 255) / 42.5) * 6 + Math.round((px & 255) / 51);
      }
    }
    let size = 2;
    while (size < palette.length) size *= 2;
    while (palette.length < size) palette.push(0);
    gif.addFrame(0, 0, W, H, indexed as unknown as number[], { palette, delay });
  }
  return out.slice(0, gif.end());
}
