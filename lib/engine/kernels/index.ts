// Matrix-multiply kernels: the only import point for the engine. Placeholder naive loops until the
// blocked JS and WASM SIMD kernels land (same signatures).
// C = alpha * op(A) * op(B) + beta * C, row-major; op(X) = X or X^T; lda/ldb/ldc are row strides.

type F = Float32Array | Float64Array;

function gemmNaive(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  A: F, aOff: number, lda: number, B: F, bOff: number, ldb: number, beta: number, C: F, cOff: number, ldc: number): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const a = transA ? A[aOff + k * lda + i]! : A[aOff + i * lda + k]!;
        const b = transB ? B[bOff + j * ldb + k]! : B[bOff + k * ldb + j]!;
        s += a * b;
      }
      const c = cOff + i * ldc + j;
      C[c] = alpha * s + (beta === 0 ? 0 : beta * C[c]!);
    }
  }
}

export function sgemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  A: Float32Array, aOff: number, lda: number, B: Float32Array, bOff: number, ldb: number,
  beta: number, C: Float32Array, cOff: number, ldc: number): void {
  gemmNaive(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
}

export function dgemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  A: Float64Array, aOff: number, lda: number, B: Float64Array, bOff: number, ldb: number,
  beta: number, C: Float64Array, cOff: number, ldc: number): void {
  gemmNaive(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
}

export function gemmBackend(): 'wasm-simd' | 'js' { return 'js'; }
export function setGemmBackend(_b: 'wasm-simd' | 'js'): void {}
