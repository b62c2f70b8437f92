// im2col / col2im for 1-, 2- and 3-D convolutions on Float32Array or Float64Array, written once for three spatial dims
// (1-D and 2-D use size 1 for the missing leading dims). im2col is torch.nn.functional.unfold for one image, col2im is
// fold (overlapping columns are summed). Padding may differ before and after (conv 'same' with an even kernel pads
// more after); only the padding before enters the index arithmetic, the padding after only sets the output size.
//
//   cols[r][(od·oH + oh)·oW + ow] = x[c][od·sD − pD + a·dD][oh·sH − pH + b·dH][ow·sW − pW + e·dW]   (0 outside)
//   with row r = ((c·kD + a)·kH + b)·kW + e
//
// A convolution is then a GEMM: out[Cout, L] = W[Cout, C·K] · cols, and its input gradient is col2im(Wᵀ · gradOut).
// The columns of a whole batch can sit side by side ([C·K, N·L], sample n at colOff = n·L, row stride ld = N·L), which
// lets lib/nn run one large GEMM per group instead of N small ones. The inner loops run over the output columns of one
// kernel tap with the valid ow range computed up front, so there is no bounds test per element and no allocation.

export type FloatArray = Float32Array | Float64Array;

/** Geometry of one convolution over three spatial dims (k = kernel, s = stride, p = padding before, d = dilation). */
export interface ConvGeom {
  C: number;
  inD: number;
  inH: number;
  inW: number;
  kD: number;
  kH: number;
  kW: number;
  sD: number;
  sH: number;
  sW: number;
  pD: number;
  pH: number;
  pW: number; // padding before; padding after only affects the output size
  dD: number;
  dH: number;
  dW: number;
  oD: number;
  oH: number;
  oW: number;
}

/**
 * Output length of one dim: floor((in + padBefore + padAfter − dil·(k−1) − 1) / stride) + 1. May be <= 0 when the
 * kernel does not fit: callers report that with the shapes involved.
 */
export function convOutSize(inp: number, k: number, stride: number, padBefore: number, padAfter: number, dil: number): number {
  return Math.floor((inp + padBefore + padAfter - dil * (k - 1) - 1) / stride) + 1;
}

/** Throws the error for an image or column block that does not fit its array (kept out of the kernels' bodies). */
function spanError(
  fn: string,
  g: ConvGeom,
  x: FloatArray,
  xOff: number,
  xName: string,
  col: FloatArray,
  colOff: number,
  ld: number,
): never {
  const n = g.C * g.inD * g.inH * g.inW;
  if (!(xOff >= 0 && xOff + n <= x.length)) {
    throw new Error(`${fn}: ${xName} needs ${n} values at offset ${xOff}, but has length ${x.length}`);
  }
  const rows = g.C * g.kD * g.kH * g.kW,
    L = g.oD * g.oH * g.oW;
  if (!(ld >= L)) throw new Error(`${fn}: ld (${ld}) must be >= the ${L} output positions`);
  throw new Error(
    `${fn}: columns need ${rows}x${L} values at offset ${colOff} with row stride ${ld} (up to index ` +
      `${colOff + (rows - 1) * ld + L - 1}), but have length ${col.length}`,
  );
}

/**
 * Writes the columns of one input plane (x[xOff ..], C channels) into col: row r, column j goes to col[colOff + r·ld + j]
 * (ld = L for a single plane; ld = N·L when the planes of a whole batch sit side by side, sample n at colOff = n·L).
 * The column block is fully overwritten.
 */
export function im2col(x: FloatArray, xOff: number, g: ConvGeom, col: FloatArray, colOff = 0, ld = g.oD * g.oH * g.oW): void {
  const { C, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW } = g;
  const planeIn = inD * inH * inW,
    L = oD * oH * oW;
  // One bounds check per call (an out-of-range typed-array write would be silently dropped, a read gives undefined).
  if (!(xOff >= 0 && xOff + C * planeIn <= x.length && colOff >= 0 && ld >= L && colOff + (C * kD * kH * kW - 1) * ld + L <= col.length))
    spanError('im2col', g, x, xOff, 'input', col, colOff, ld);
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = xOff + c * planeIn;
    for (let a = 0; a < kD; a++) {
      for (let b = 0; b < kH; b++) {
        for (let e = 0; e < kW; e++, r++) {
          let j = colOff + r * ld;
          const wOff = e * dW - pW;
          // valid ow range for this kernel tap: 0 <= ow·sW + wOff < inW
          const ow0 = wOff >= 0 ? 0 : Math.min(oW, Math.ceil(-wOff / sW));
          const ow1 = Math.max(ow0, Math.min(oW, Math.ceil((inW - wOff) / sW)));
          for (let od = 0; od < oD; od++) {
            const id = od * sD - pD + a * dD;
            const dOk = id >= 0 && id < inD;
            for (let oh = 0; oh < oH; oh++) {
              const ih = oh * sH - pH + b * dH;
              if (!dOk || ih < 0 || ih >= inH) {
                for (let ow = 0; ow < oW; ow++) col[j + ow] = 0;
                j += oW;
                continue;
              }
              const base = xc + (id * inH + ih) * inW + wOff;
              for (let ow = 0; ow < ow0; ow++) col[j + ow] = 0;
              if (sW === 1) for (let ow = ow0; ow < ow1; ow++) col[j + ow] = x[base + ow]!;
              else for (let ow = ow0; ow < ow1; ow++) col[j + ow] = x[base + ow * sW]!;
              for (let ow = ow1; ow < oW; ow++) col[j + ow] = 0;
              j += oW;
            }
          }
        }
      }
    }
  }
}

/**
 * Adds the columns back into one input-shaped plane (dx[dxOff ..]): the adjoint of im2col (same colOff/ld convention),
 * i.e. the input gradient of a convolution. dx is accumulated into, never cleared: start from zeros for a plain fold.
 */
export function col2im(col: FloatArray, g: ConvGeom, dx: FloatArray, dxOff: number, colOff = 0, ld = g.oD * g.oH * g.oW): void {
  const { C, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW } = g;
  const planeIn = inD * inH * inW,
    L = oD * oH * oW;
  // One bounds check per call (an out-of-range typed-array write would be silently dropped, a read gives undefined).
  if (!(dxOff >= 0 && dxOff + C * planeIn <= dx.length && colOff >= 0 && ld >= L && colOff + (C * kD * kH * kW - 1) * ld + L <= col.length))
    spanError('col2im', g, dx, dxOff, 'output', col, colOff, ld);
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = dxOff + c * planeIn;
    for (let a = 0; a < kD; a++) {
      for (let b = 0; b < kH; b++) {
        for (let e = 0; e < kW; e++, r++) {
          let j = colOff + r * ld;
          const wOff = e * dW - pW;
          const ow0 = wOff >= 0 ? 0 : Math.min(oW, Math.ceil(-wOff / sW));
          const ow1 = Math.max(ow0, Math.min(oW, Math.ceil((inW - wOff) / sW)));
          for (let od = 0; od < oD; od++) {
            const id = od * sD - pD + a * dD;
            const dOk = id >= 0 && id < inD;
            for (let oh = 0; oh < oH; oh++) {
              const ih = oh * sH - pH + b * dH;
              if (dOk && ih >= 0 && ih < inH) {
                const base = xc + (id * inH + ih) * inW + wOff;
                for (let ow = ow0; ow < ow1; ow++) dx[base + ow * sW] += col[j + ow]!;
              }
              j += oW;
            }
          }
        }
      }
    }
  }
}
