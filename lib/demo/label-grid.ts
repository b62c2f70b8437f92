// The tutorial's sample figure as one image: images in a grid, each under its label, drawn with
// a tiny built-in bitmap font (3x5 glyphs, scaled 2x), so the board shows the labels in the picture.
import { Tensor } from '../engine/index.ts';

// Each glyph: 5 rows of 3 bits (most significant bit = left column).
const GLYPHS: Record<string, number[]> = {
  A: [2, 5, 7, 5, 5],
  B: [6, 5, 6, 5, 6],
  C: [3, 4, 4, 4, 3],
  D: [6, 5, 5, 5, 6],
  E: [7, 4, 6, 4, 7],
  F: [7, 4, 6, 4, 4],
  G: [3, 4, 5, 5, 3],
  H: [5, 5, 7, 5, 5],
  I: [7, 2, 2, 2, 7],
  J: [1, 1, 1, 5, 2],
  K: [5, 5, 6, 5, 5],
  L: [4, 4, 4, 4, 7],
  M: [5, 7, 7, 5, 5],
  N: [6, 5, 5, 5, 5],
  O: [2, 5, 5, 5, 2],
  P: [6, 5, 6, 4, 4],
  Q: [2, 5, 5, 6, 3],
  R: [6, 5, 6, 5, 5],
  S: [3, 4, 2, 1, 6],
  T: [7, 2, 2, 2, 2],
  U: [5, 5, 5, 5, 7],
  V: [5, 5, 5, 5, 2],
  W: [5, 5, 7, 7, 5],
  X: [5, 5, 2, 5, 5],
  Y: [5, 5, 2, 2, 2],
  Z: [7, 1, 2, 4, 7],
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [6, 1, 2, 4, 7],
  '3': [6, 1, 2, 1, 6],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 6, 1, 6],
  '6': [3, 4, 7, 5, 7],
  '7': [7, 1, 2, 2, 2],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 6],
  '-': [0, 0, 7, 0, 0],
  '/': [1, 1, 2, 4, 4],
  ' ': [0, 0, 0, 0, 0],
  '.': [0, 0, 0, 0, 2],
};

const FONT_SCALE = 2;
const ADVANCE = 4 * FONT_SCALE;
const TITLE_H = 5 * FONT_SCALE + 6;

function drawText(out: Float32Array, W: number, x0: number, y0: number, text: string): void {
  let x = x0;
  for (const ch of text.toUpperCase()) {
    const g = GLYPHS[ch] ?? GLYPHS[' '];
    for (let r = 0; r < 5; r++) {
      for (let c = 0; c < 3; c++) {
        if (!((g[r] >> (2 - c)) & 1)) continue;
        for (let dy = 0; dy < FONT_SCALE; dy++) {
          for (let dx = 0; dx < FONT_SCALE; dx++) {
            const px = (y0 + r * FONT_SCALE + dy) * W + x + c * FONT_SCALE + dx;
            for (let k = 0; k < 3; k++) out[(k * out.length) / 3 + px] = 1;
          }
        }
      }
    }
    x += ADVANCE;
  }
}

/** Images [C, H, W] (values in [0, 1], 1 or 3 channels) in `cols` columns, each titled with its label; returns [3, H', W']. */
export function labelledGrid(images: Tensor[], labels: string[], cols: number, scale = 3): Tensor {
  const [c, h, w] = images[0].shape;
  const longest = Math.max(...labels.map((l) => l.length));
  const cellW = Math.max(w * scale, longest * ADVANCE) + 8;
  const cellH = TITLE_H + h * scale + 4;
  const rows = Math.ceil(images.length / cols);
  const W = cols * cellW;
  const H = rows * cellH;
  const plane = W * H;
  const out = new Float32Array(3 * plane).fill(0.12);
  images.forEach((img, i) => {
    const src = img.dataSync();
    const gx = (i % cols) * cellW;
    const gy = Math.floor(i / cols) * cellH;
    const text = labels[i];
    drawText(out, W, gx + Math.floor((cellW - text.length * ADVANCE) / 2), gy + 3, text);
    const ox = gx + Math.floor((cellW - w * scale) / 2);
    const oy = gy + TITLE_H;
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const s = Math.floor(y / scale) * w + Math.floor(x / scale);
        for (let k = 0; k < 3; k++) out[k * plane + (oy + y) * W + ox + x] = src[(c === 1 ? 0 : k) * h * w + s];
      }
    }
  });
  return Tensor.fromTypedArray(out, [3, H, W], 'float32');
}
