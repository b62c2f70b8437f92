// im2col / col2im for 1d and 2d convolution on Float32Array (one image, channels-first), PyTorch's layout:
// im2col is torch.nn.functional.unfold for one image, col2im is fold (overlapping columns are summed).
//
//   cols[(c*kH + i)*kW + j][oh*outW + ow] = x[c][oh*sH - pH + i*dH][ow*sW - pW + j*dW]   (0 outside the image)
//
// A convolution is then one gemm per image (and group): out[Cout, outH*outW] = W[Cout, C*kH*kW] * cols, and its input
// gradient is col2im(W^T * gradOut). The inner loops run over output columns of one kernel tap, where the valid ow
// range is computed up front, so there is no bounds test per element (and no allocation at all).

/** Output length of a convolution along one dimension; throws if the kernel does not fit. */
export function convOutputSize(size: number, kernel: number, stride = 1, padding = 0, dilation = 1): number {
  for (const [name, v, min] of [['size', size, 0], ['kernel', kernel, 1], ['stride', stride, 1], ['padding', padding, 0],
    ['dilation', dilation, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`convOutputSize: ${name} must be an integer >= ${min}, got ${v}`);
  }
  const out = Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
  if (out < 1) {
    throw new Error(`convolution: kernel ${kernel} (dilation ${dilation}) does not fit input size ${size} with padding ` +
      `${padding}: effective kernel ${dilation * (kernel - 1) + 1} > padded input ${size + 2 * padding}`);
  }
  return out;
}

export interface Conv2dGeometry {
  channels: number; height: number; width: number;
  kernelH: number; kernelW: number;
  strideH?: number; strideW?: number; padH?: number; padW?: number; dilationH?: number; dilationW?: number;
}

interface Resolved { C: number; H: number; W: number; kH: number; kW: number; sH: number; sW: number; pH: number;
  pW: number; dH: number; dW: number; outH: number; outW: number }

function resolve(g: Conv2dGeometry): Resolved {
  const { channels: C, height: H, width: W, kernelH: kH, kernelW: kW } = g;
  const sH = g.strideH ?? 1, sW = g.strideW ?? 1, pH = g.padH ?? 0, pW = g.padW ?? 0;
  const dH = g.dilationH ?? 1, dW = g.dilationW ?? 1;
  if (!Number.isInteger(C) || C < 1) throw new Error(`im2col: channels must be a positive integer, got ${C}`);
  const outH = convOutputSize(H, kH, sH, pH, dH), outW = convOutputSize(W, kW, sW, pW, dW);
  return { C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW };
}

/** Rows x columns of the column matrix for this geometry: [C*kH*kW, outH*outW]. */
export function im2colShape(g: Conv2dGeometry): { rows: number; cols: number; outH: number; outW: number } {
  const r = resolve(g);
  return { rows: r.C * r.kH * r.kW, cols: r.outH * r.outW, outH: r.outH, outW: r.outW };
}

/** First and one-past-last output column whose input column ow*s - p + off lies in [0, size). */
function validRange(out: number, size: number, s: number, p: number, off: number): [number, number] {
  // ow*s - p + off >= 0  <=>  ow >= ceil((p - off) / s);   ow*s - p + off <= size - 1  <=>  ow <= floor((size-1+p-off)/s)
  const lo = Math.max(0, Math.ceil((p - off) / s));
  const hi = Math.min(out, Math.floor((size - 1 + p - off) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

function checkSpan(fn: string, name: string, arr: Float32Array, off: number, n: number): void {
  if (!Number.isInteger(off) || off < 0 || off + n > arr.length) {
    throw new Error(`${fn}: ${name} needs ${n} floats at offset ${off}, but has length ${arr.length}`);
  }
}

/** Unfolds image x (C x H x W at xOff) into cols ([C*kH*kW, outH*outW] at colsOff, fully overwritten). */
export function im2col2d(g: Conv2dGeometry, x: Float32Array, xOff: number, cols: Float32Array, colsOff: number): void {
  const { C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW } = resolve(g);
  const L = outH * outW;
  checkSpan('im2col2d', 'input', x, xOff, C * H * W);
  checkSpan('im2col2d', 'cols', cols, colsOff, C * kH * kW * L);
  let row = colsOff;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < kH; i++) {
      const [ohLo, ohHi] = validRange(outH, H, sH, pH, i * dH);
      for (let j = 0; j < kW; j++, row += L) {
        const [owLo, owHi] = validRange(outW, W, sW, pW, j * dW);
        // Rows of output positions whose input row is padding are zeros.
        cols.fill(0, row, row + ohLo * outW);
        cols.fill(0, row + ohHi * outW, row + L);
        for (let oh = ohLo; oh < ohHi; oh++) {
          const dst = row + oh * outW;
          const src = plane + (oh * sH - pH + i * dH) * W - pW + j * dW; // + ow*sW
          cols.fill(0, dst, dst + owLo);
          for (let ow = owLo; ow < owHi; ow++) cols[dst + ow] = x[src + ow * sW]!;
          cols.fill(0, dst + owHi, dst + outW);
        }
      }
    }
  }
}

/**
 * Folds cols ([C*kH*kW, outH*outW]) back into image x (C x H x W), summing overlapping taps: the adjoint of im2col2d,
 * i.e. the input gradient of a convolution. x is overwritten unless `accumulate` is true (then sums are added).
 */
export function col2im2d(g: Conv2dGeometry, cols: Float32Array, colsOff: number, x: Float32Array, xOff: number,
  accumulate = false): void {
  const { C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW } = resolve(g);
  const L = outH * outW;
  checkSpan('col2im2d', 'cols', cols, colsOff, C * kH * kW * L);
  checkSpan('col2im2d', 'output', x, xOff, C * H * W);
  if (!accumulate) x.fill(0, xOff, xOff + C * H * W);
  let row = colsOff;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < kH; i++) {
      const [ohLo, ohHi] = validRange(outH, H, sH, pH, i * dH);
      for (let j = 0; j < kW; j++, row += L) {
        const [owLo, owHi] = validRange(outW, W, sW, pW, j * dW);
        for (let oh = ohLo; oh < ohHi; oh++) {
          const srcRow = row + oh * outW;
          const dst = plane + (oh * sH - pH + i * dH) * W - pW + j * dW;
          for (let ow = owLo; ow < owHi; ow++) x[dst + ow * sW] = x[dst + ow * sW]! + cols[srcRow + ow]!;
        }
      }
    }
  }
}

export interface Conv1dGeometry { channels: number; length: number; kernel: number; stride?: number; padding?: number;
  dilation?: number }

function as2d(g: Conv1dGeometry): Conv2dGeometry {
  return { channels: g.channels, height: 1, width: g.length, kernelH: 1, kernelW: g.kernel, strideW: g.stride,
    padW: g.padding, dilationW: g.dilation };
}

/** 1d unfold: x (C x L at xOff) into cols ([C*k, outL] at colsOff). */
export function im2col1d(g: Conv1dGeometry, x: Float32Array, xOff: number, cols: Float32Array, colsOff: number): void {
  im2col2d(as2d(g), x, xOff, cols, colsOff);
}

/** 1d fold, the adjoint of im2col1d (sums overlapping taps). */
export function col2im1d(g: Conv1dGeometry, cols: Float32Array, colsOff: number, x: Float32Array, xOff: number,
  accumulate = false): void {
  col2im2d(as2d(g), cols, colsOff, x, xOff, accumulate);
}
