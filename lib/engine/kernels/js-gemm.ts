// Pure-TypeScript gemm: the fallback when WebAssembly SIMD is unavailable, and the float64 path (dgemm).
//
// Same blocking idea as the wasm kernel (wasm-sgemm.ts), sized for what JavaScript does well:
//   for pc in K by KC: pack op(A)[:, pc:pc+kc] into MR-row panels of a Float64Array (all M rows)
//     for jc in N by NC: pack op(B)[pc:pc+kc, jc:jc+nc] into NR-column panels
//       for each A panel (stays in L1: 4 x 256 doubles = 8 KiB) x each B panel (from L2): a 4x4 register tile.
// Packing into Float64Array converts float32 once per element instead of once per multiply, and accumulating in
// double makes the float32 result at least as accurate as a float32 dot product. The micro-kernel has only loads in
// its loop (V8 re-reads typed-array bases in loops that also store), 16 local accumulators and no allocation.

type F = Float32Array | Float64Array;

const MR = 4;
const NR = 4;
/** Depth of a packed slab: one A panel is 4 x 256 doubles (8 KiB), comfortably in L1 next to the B panel. */
const KC = 256;
/** Columns per packed B block: 256 x 256 doubles = 512 KiB, within this machine's 2 MiB L2. */
const NC = 256;

/** Reusable scratch: grown on demand, never shrunk, so steady-state calls allocate nothing. */
let packA: Float64Array = new Float64Array(0);
let packB: Float64Array = new Float64Array(0);
const tile = new Float64Array(MR * NR);

function scratch(buf: Float64Array, n: number): Float64Array {
  return buf.length >= n ? buf : new Float64Array(Math.max(n, Math.ceil(buf.length * 1.5)));
}

/**
 * C = alpha * op(A) op(B) + beta * C for any element type mix of Float32Array / Float64Array. Arguments already
 * validated; M, N, K >= 1. When beta == 0, C is never read.
 */
export function gemmBlocked(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: F,
  aOff: number,
  lda: number,
  B: F,
  bOff: number,
  ldb: number,
  beta: number,
  C: F,
  cOff: number,
  ldc: number,
): void {
  // Strides of op(A) (rows i, depth k) and op(B) (depth k, columns j) in storage.
  const aRow = transA ? 1 : lda,
    aK = transA ? lda : 1;
  const bK = transB ? 1 : ldb,
    bCol = transB ? ldb : 1;
  const mPad = Math.ceil(M / MR) * MR;
  const kcMax = Math.ceil(K / Math.ceil(K / KC)); // equal slabs: no thin last slab
  packA = scratch(packA, mPad * kcMax);
  packB = scratch(packB, kcMax * Math.ceil(Math.min(NC, N) / NR) * NR);
  const ap = packA,
    bp = packB;

  for (let pc = 0; pc < K; pc += kcMax) {
    const kc = Math.min(kcMax, K - pc);
    packPanels(A, aOff + pc * aK, aRow, aK, M, kc, MR, ap);
    const betaEff = pc === 0 ? beta : 1;
    for (let jc = 0; jc < N; jc += NC) {
      const nc = Math.min(NC, N - jc);
      packPanels(B, bOff + pc * bK + jc * bCol, bCol, bK, nc, kc, NR, bp);
      for (let i0 = 0; i0 < M; i0 += MR) {
        const aBase = i0 * kc;
        const rows = Math.min(MR, M - i0);
        for (let j0 = 0; j0 < nc; j0 += NR) {
          microTile(kc, ap, aBase, bp, j0 * kc);
          const cols = Math.min(NR, nc - j0);
          const c0 = cOff + i0 * ldc + jc + j0;
          for (let r = 0; r < rows; r++) {
            const cr = c0 + r * ldc;
            for (let c = 0; c < cols; c++) {
              const v = alpha * tile[r * NR + c]!;
              C[cr + c] = betaEff === 0 ? v : v + betaEff * C[cr + c]!;
            }
          }
        }
      }
    }
  }
}

/**
 * Packs `n` rows of a strided source (row stride rs, depth stride ks) as panels of w rows: dst[p*kc*w + k*w + r].
 * Rows past n are zero so the micro-kernel needs no edge case.
 */
function packPanels(X: F, src: number, rs: number, ks: number, n: number, kc: number, w: number, dst: Float64Array): void {
  for (let p = 0; p < n; p += w) {
    const base = p * kc;
    for (let r = 0; r < w; r++) {
      let d = base + r;
      if (p + r < n) {
        for (let k = 0, s = src + (p + r) * rs; k < kc; k++, s += ks, d += w) dst[d] = X[s]!;
      } else {
        for (let k = 0; k < kc; k++, d += w) dst[d] = 0;
      }
    }
  }
}

/** tile = (4 x kc panel at ap[a..]) * (kc x 4 panel at bp[b..]), with 16 accumulators in registers. */
function microTile(kc: number, ap: Float64Array, a: number, bp: Float64Array, b: number): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0,
    c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (const end = a + 4 * kc; a < end; a += 4, b += 4) {
    const b0 = bp[b]!,
      b1 = bp[b + 1]!,
      b2 = bp[b + 2]!,
      b3 = bp[b + 3]!;
    const x0 = ap[a]!,
      x1 = ap[a + 1]!,
      x2 = ap[a + 2]!,
      x3 = ap[a + 3]!;
    c00 += x0 * b0;
    c01 += x0 * b1;
    c02 += x0 * b2;
    c03 += x0 * b3;
    c10 += x1 * b0;
    c11 += x1 * b1;
    c12 += x1 * b2;
    c13 += x1 * b3;
    c20 += x2 * b0;
    c21 += x2 * b1;
    c22 += x2 * b2;
    c23 += x2 * b3;
    c30 += x3 * b0;
    c31 += x3 * b1;
    c32 += x3 * b2;
    c33 += x3 * b3;
  }
  tile[0] = c00;
  tile[1] = c01;
  tile[2] = c02;
  tile[3] = c03;
  tile[4] = c10;
  tile[5] = c11;
  tile[6] = c12;
  tile[7] = c13;
  tile[8] = c20;
  tile[9] = c21;
  tile[10] = c22;
  tile[11] = c23;
  tile[12] = c30;
  tile[13] = c31;
  tile[14] = c32;
  tile[15] = c33;
}

/**
 * Unblocked loop for small products, where packing and call overhead dominate: dot products accumulated in double,
 * op(A) rows and op(B) columns read through strides.
 */
export function gemmSmall(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: F,
  aOff: number,
  lda: number,
  B: F,
  bOff: number,
  ldb: number,
  beta: number,
  C: F,
  cOff: number,
  ldc: number,
): void {
  const aRow = transA ? 1 : lda,
    aK = transA ? lda : 1;
  const bK = transB ? 1 : ldb,
    bCol = transB ? ldb : 1;
  for (let i = 0; i < M; i++) {
    const ai = aOff + i * aRow;
    const ci = cOff + i * ldc;
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0, pa = ai, pb = bOff + j * bCol; k < K; k++, pa += aK, pb += bK) s += A[pa]! * B[pb]!;
      C[ci + j] = beta === 0 ? alpha * s : alpha * s + beta * C[ci + j]!;
    }
  }
}
