// Shared by the gemm tests: a float64 naive reference checker and the case lists (not a test file itself).

export type F = Float32Array | Float64Array;
export type Gemm<T extends F> = (
  tA: boolean,
  tB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: T,
  aOff: number,
  lda: number,
  B: T,
  bOff: number,
  ldb: number,
  beta: number,
  C: T,
  cOff: number,
  ldc: number,
) => void;

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Case {
  tA: boolean;
  tB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  pad: number;
}

/**
 * Runs one case: operands live inside larger buffers at an offset with row stride cols + pad; C starts as NaN
 * when beta == 0 (must be ignored). Checks every element against a float64 reference with a tolerance scaled by
 * sum |a||b| (float32 accumulation order differs from the naive loop), and that nothing outside C's view changed.
 */
export function check<T extends F>(gemm: Gemm<T>, Arr: { new (n: number): T }, c: Case, seed: number, rel: number): void {
  const { tA, tB, M, N, K, alpha, beta, pad } = c;
  const rand = rng(seed);
  const aRows = tA ? K : M,
    aCols = tA ? M : K,
    bRows = tB ? N : K,
    bCols = tB ? K : N;
  const lda = aCols + pad,
    ldb = bCols + pad,
    ldc = N + pad;
  const aOff = 3 * pad + 1,
    bOff = 2 * pad + 5,
    cOff = pad + 2;
  const A = new Arr(aOff + aRows * lda + 7),
    B = new Arr(bOff + bRows * ldb + 7),
    C = new Arr(cOff + M * ldc + 7);
  for (let i = 0; i < A.length; i++) A[i] = rand() * 2 - 1;
  for (let i = 0; i < B.length; i++) B[i] = rand() * 2 - 1;
  for (let i = 0; i < C.length; i++) C[i] = rand() * 2 - 1;
  const inView = (idx: number) => {
    const r = Math.floor((idx - cOff) / ldc),
      col = idx - cOff - r * ldc;
    return idx >= cOff && r < M && col < N;
  };
  if (beta === 0) for (let i = 0; i < C.length; i++) if (inView(i)) C[i] = NaN;
  const C0 = C.slice() as T;
  const a = (i: number, k: number) => A[aOff + (tA ? k * lda + i : i * lda + k)]!;
  const b = (k: number, j: number) => B[bOff + (tB ? j * ldb + k : k * ldb + j)]!;

  gemm(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);

  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0,
        mag = 0;
      for (let k = 0; k < K; k++) {
        s += a(i, k) * b(k, j);
        mag += Math.abs(a(i, k) * b(k, j));
      }
      const c0 = C0[cOff + i * ldc + j]!;
      const want = alpha * s + (beta === 0 ? 0 : beta * c0);
      const tol = rel * (Math.abs(alpha) * mag + Math.abs(beta === 0 ? 0 : beta * c0)) + 1e-30;
      const got = C[cOff + i * ldc + j]!;
      if (!(Math.abs(got - want) <= tol)) {
        throw new Error(`C[${i},${j}] = ${got}, want ${want} (tol ${tol}) for ${JSON.stringify(c)}`);
      }
    }
  }
  for (let i = 0; i < C.length; i++) {
    if (!inView(i) && !Object.is(C[i], C0[i])) throw new Error(`C[${i}] outside the view was modified for ${JSON.stringify(c)}`);
  }
}

export const TRANS: Array<[boolean, boolean]> = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
export const SCALARS: Array<[number, number]> = [
  [1, 0],
  [0.5, 0],
  [1, 1],
  [-2, 0.25],
];

/** Shapes chosen to hit degenerate dims, primes, ragged micro-tiles and block boundaries of both kernels. */
export const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [1, 7, 13],
  [13, 1, 7],
  [7, 13, 1],
  [2, 3, 5],
  [17, 19, 23],
  [33, 65, 130],
  [5, 300, 7], // N crosses the JS NC=256 block, ragged last panel
  [9, 11, 520], // K crosses KC=256 twice: beta applied once, later slabs accumulate
  [200, 10, 10], // M crosses the wasm MC=192 block
];
