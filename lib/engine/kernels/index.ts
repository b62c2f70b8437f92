// Matrix-multiply kernels (and the im2col/col2im used with them): the only import point for the engine.
// C = alpha * op(A) * op(B) + beta * C, row-major; op(X) = X or X^T; lda/ldb/ldc are row strides (BLAS conventions:
// beta == 0 means C is never read, so NaN garbage in C is ignored; alpha == 0 means A and B are never read).
//
// Backends for sgemm (and the fused training kernels, fusedKernels(): C loops on 'native', wasm-kernels.ts on 'wasm-simd'):
//   'native':   the N-API addon (native/, built by npm install): OpenBLAS cblas_sgemm. Default where it loaded.
//   'wasm-simd' (default where WebAssembly SIMD-128 validates): runtime-generated SIMD kernel, wasm-sgemm.ts. Where the
//               runtime also ships relaxed SIMD (Node >= 22, or node --experimental-wasm-relaxed-simd) it uses
//               f32x4.relaxed_madd, i.e. FMA on x64: 2 fused ops per cycle instead of 3 separate mul/add ops
//               (the mul+add ceiling measured on this machine is ~31 GFLOP/s, FMA's ~44). On Node 20 the
//               feature sits behind a V8 flag, which is turned on at run time (see useFma);
//               BOARD_GEMM_FMA=0 keeps the separate mul + add kernel.
//               With setNumThreads(n > 1) large products (and the batched im2col/col2im) are split over n-1 worker
//               threads sharing one WebAssembly memory, bit-identically to 1 thread (wasm-threads.ts).
//   'js':       cache-blocked TypeScript, js-gemm.ts (also the dgemm path).
// Override with env BOARD_BACKEND=native|wasm|js (or the older BOARD_GEMM=js|wasm-simd) or setGemmBackend(). Tiny products use an unblocked loop on every
// backend: below SMALL_FLOPS the packing and call overhead cost more than they save (measured in bench/matmul.bench.ts).

import { gemmBlocked, gemmSmall } from './js-gemm.ts';
import { MIN_CHUNK, newJob, WasmSgemm, wasmRelaxedSimdSupported, wasmSimdSupported } from './wasm-sgemm.ts';
import { existingWasmHeap, wasmHeap } from './wasm-heap.ts';
import { SampleSplitter } from './wasm-conv-samples.ts';
import { col2im as col2imJs, im2col as im2colJs, type ConvGeom, type FloatArray } from './im2col.ts';
import { nativeAddon, nativeLoadError, type NativeAddon } from './native.ts';
import { IM2COL_THREAD_MIN, WasmKernels } from './wasm-kernels.ts';
import { MAX_WORKERS, threadMinFlops, WasmThreadPool } from './wasm-threads.ts';

export { zeroResident } from './wasm-kernels.ts';

export type GemmBackend = 'native' | 'wasm-simd' | 'js';

/** M*N*K below which the unblocked loop wins: measured crossover with both blocked kernels is near 8^3 (bench). */
export const SMALL_FLOPS = 1024;

let backend: GemmBackend | undefined;
let wasm: WasmSgemm | undefined;
/** The addon while the 'native' backend is selected, else null: the one test on every kernel's hot path. */
let activeNative: NativeAddon | null = null;

function nativeOrThrow(what: string): NativeAddon {
  const addon = nativeAddon();
  if (!addon) throw new Error(`${what}: the native backend is not available (${nativeLoadError()})`);
  return addon;
}

function defaultBackend(): GemmBackend {
  const env0 = typeof process === 'object' ? process.env?.BOARD_BACKEND : undefined;
  if (env0 !== undefined && env0 !== '') {
    if (env0 === 'native') return (nativeOrThrow('BOARD_BACKEND=native'), 'native');
    if (env0 === 'wasm') {
      if (!wasmSimdSupported()) throw new Error('BOARD_BACKEND=wasm, but this runtime does not validate WebAssembly SIMD-128');
      return 'wasm-simd';
    }
    if (env0 === 'js') return 'js';
    throw new Error(`BOARD_BACKEND must be 'native', 'wasm' or 'js', got '${env0}'`);
  }
  const env = typeof process === 'object' ? process.env?.BOARD_GEMM : undefined;
  if (env !== undefined && env !== '') {
    if (env !== 'js' && env !== 'wasm-simd') throw new Error(`BOARD_GEMM must be 'js' or 'wasm-simd', got '${env}'`);
    if (env === 'wasm-simd' && !wasmSimdSupported()) {
      throw new Error('BOARD_GEMM=wasm-simd, but this runtime does not validate WebAssembly SIMD-128');
    }
    return env;
  }
  if (nativeAddon()) return 'native';
  return wasmSimdSupported() ? 'wasm-simd' : 'js';
}

/** Which path sgemm uses. */
export function gemmBackend(): GemmBackend {
  if (backend === undefined) setGemmBackend(defaultBackend());
  return backend!;
}

/** Selects the sgemm path (tests and benchmarks cover all). Throws if 'native' or 'wasm-simd' cannot run here. */
export function setGemmBackend(b: GemmBackend): void {
  if (b !== 'js' && b !== 'wasm-simd' && b !== 'native') {
    throw new Error(`setGemmBackend: unknown backend '${String(b)}' (use 'native', 'wasm-simd' or 'js')`);
  }
  if (b === 'wasm-simd' && !wasmSimdSupported()) throw new Error('setGemmBackend: WebAssembly SIMD-128 is not supported by this runtime');
  activeNative = b === 'native' ? nativeOrThrow('setGemmBackend') : null;
  backend = b;
}

/**
 * The native addon when the 'native' backend is selected, else null. Kernels elsewhere (pooling, activations, losses,
 * optimizers) call this and take their C path for float32 arrays when it is non-null.
 */
export function nativeKernels(): NativeAddon | null {
  if (backend === undefined) gemmBackend();
  return activeNative;
}

/**
 * The memory-bound training kernels both fast backends provide, with the same arguments (native.ts documents them).
 * On wasm the update kernels work in place on state, weights and gradients resident in the wasm heap
 * (residentFloat32); the native kernels always work in place.
 */
export type FusedKernels = Pick<
  NativeAddon,
  'reluForward' | 'reluBackward' | 'maxPool2d' | 'scatterByIndex' | 'sgdUpdate' | 'adamUpdate' | 'sumRows'
>;

let wasmFused: WasmKernels | undefined;

/**
 * The fused kernels of the selected backend: the native addon's C loops, or on 'wasm-simd' the generated SIMD
 * kernels of wasm-kernels.ts; null on 'js' (callers then run their TypeScript loops). Float32 arrays only.
 */
export function fusedKernels(): FusedKernels | null {
  if (backend === undefined) gemmBackend();
  if (activeNative) return activeNative;
  if (backend !== 'wasm-simd') return null;
  return (wasmFused ??= new WasmKernels());
}

/** Details of the wasm kernel, for benchmark reports: micro-tile and whether it uses relaxed-SIMD FMA. */
export function gemmInfo(): { backend: GemmBackend; simd: boolean; fma: boolean; tile: string } {
  const w = wasmSimdSupported() ? wasmKernel() : undefined;
  return { backend: gemmBackend(), simd: w !== undefined, fma: w?.fma ?? false, tile: w ? `${w.mr}x${w.nr}` : '4x4 (js)' };
}

function wasmKernel(): WasmSgemm {
  if (!wasm) {
    wasm = new WasmSgemm({ fma: useFma() });
  }
  return wasm;
}

/** Threads the wasm kernel may use (setNumThreads); the pool of wasmThreads - 1 workers starts on first need. */
let wasmThreads = 1;
/** M*N*K from which a product goes to the pool (wasm-threads.ts THREAD_MIN_FLOPS). */
let wasmThreadMin = Infinity;
let pool: WasmThreadPool | undefined;
/** The kernel whose memory the pool's workers share (same variant as wasmKernel(): identical results). */
let wasmShared: WasmSgemm | undefined;
/** im2col/col2im over the pool's memory, split over samples (same code as wasmFused's: identical results). */
let wasmSharedConv: WasmKernels | undefined;
/** The per-sample convolution split over the pool (wasm-conv-samples.ts). */
let sampleSplitter: SampleSplitter | undefined;

/**
 * Sets the threads of the WebAssembly sgemm (backend.ts's setNumThreads calls this). A different count stops the
 * current workers; n = 1 goes back to the single-threaded kernel. Workers start lazily, on the first product large
 * enough to split (or startWasmThreads()).
 */
export function setWasmThreads(n: number): void {
  if (n === wasmThreads) return;
  wasmThreads = n;
  wasmThreadMin = threadMinFlops();
  pool?.close();
  pool = undefined;
  wasmShared = undefined;
  wasmSharedConv = undefined;
  sampleSplitter = undefined;
}

/**
 * The kernel over the pool's shared memory, starting the pool if needed: wasmThreads - 1 workers, none with 1 thread.
 * A pool without workers still gives the resident scratch (residentScratch), which the single-threaded convolution
 * uses too, for its copies saved.
 */
function wasmThreadedKernel(): WasmSgemm {
  if (!wasmShared) {
    const w = wasmKernel();
    const k = { mr: w.mr, nrv: w.nr / 4, unroll: 1, fma: w.fma };
    pool = new WasmThreadPool(Math.min(wasmThreads - 1, MAX_WORKERS), k, undefined, wasmHeap()!);
    wasmShared = new WasmSgemm({ fma: w.fma, pool });
    wasmSharedConv = new WasmKernels(pool);
  }
  return wasmShared;
}

/**
 * Starts the wasm worker pool now (rather than on the first large product) and waits up to timeoutMs for its workers
 * to be ready; returns how many are (0 when threads are 1). For benchmarks and tests, which want every product split.
 */
export function startWasmThreads(timeoutMs = 30_000): number {
  if (wasmThreads <= 1 || !wasmSimdSupported()) return 0;
  wasmThreadedKernel();
  return pool!.waitReady(timeoutMs);
}

/**
 * On the wasm backend: a float32 scratch of `floats` elements resident in the pool's shared memory
 * (WasmThreadPool.resident), which sgemm, im2colBatch and col2imBatch read and write in place instead of copying it in
 * and out. Each call returns the same region (its contents last until the next call). With 1 thread the pool has no
 * workers and exists for this alone: a convolution's column matrix then skips the copies out of and back into wasm
 * memory (benchmark CNN on the Intel VM, 1 thread: 27.1-27.2 -> 24.0-24.6 ms per step). Null elsewhere: callers then
 * use an ordinary scratch array.
 */
export function residentScratch(like: FloatArray, floats: number): Float32Array | null {
  if (backend !== 'wasm-simd' || !(like instanceof Float32Array)) return null;
  // One thread needs no shared memory; where the runtime has none (no SharedArrayBuffer), keep the copying path.
  if (wasmThreads <= 1 && !sharedMemorySupported()) return null;
  wasmThreadedKernel();
  return pool!.resident(floats);
}

/** Whether this runtime can make a shared WebAssembly memory (the wasm heap). */
function sharedMemorySupported(): boolean {
  return wasmHeap() !== null;
}

/** Floats from which a parameter, its gradient or its optimizer state is worth a block of the wasm heap. */
export const RESIDENT_MIN_FLOATS = 4096;

/**
 * On the wasm backend: a zero-filled float32 array of n elements resident in the wasm heap (wasm-heap.ts), where the
 * sgemm and the optimizer kernels read and write it in place instead of copying it into wasm memory on every use.
 * For long-lived data: parameters (nn's parameterData), their gradients (autograd's leafGradBuffer) and optimizer
 * state (optim's residentZerosState). Null on other backends, below RESIDENT_MIN_FLOATS, where the runtime has no shared memory, or when the heap
 * is full: callers then use an ordinary array.
 */
export function residentFloat32(n: number): Float32Array | null {
  if (gemmBackend() !== 'wasm-simd' || n < RESIDENT_MIN_FLOATS) return null;
  return wasmHeap()?.alloc(n) ?? null;
}

/** Whether X lives in the wasm heap (a resident array, a view of one, or the scratch): then the kernels use it in place. */
export function isResident(X: FloatArray): boolean {
  const heap = existingWasmHeap();
  return heap !== null && X instanceof Float32Array && heap.offsetOf(X) >= 0;
}

/**
 * On the wasm backend with threads: the per-sample convolution split (wasm-conv-samples.ts) for a float32 convolution
 * of N samples with per-group geometry g and Cog output channels per group, when it computes exactly what conv.ts's
 * 1-thread loop computes: planar geometry, and each per-sample product large enough for the wasm kernel (not the
 * unblocked loop) and small enough not to be split by it. Null otherwise (conv.ts then runs its loop).
 */
export function wasmSampleSplitter(x: FloatArray, N: number, g: ConvGeom, Cog: number): SampleSplitter | null {
  if (backend !== 'wasm-simd' || wasmThreads <= 1 || N < 2 || !(x instanceof Float32Array) || !WasmKernels.planar(g)) return null;
  const rows = g.C * g.kH * g.kW,
    L = g.oH * g.oW;
  const k = wasmThreadedKernel();
  if (Cog * L * rows < SMALL_FLOPS || !SampleSplitter.fits(Cog, rows, L, k.workMaxFloats)) return null;
  return (sampleSplitter ??= new SampleSplitter(pool!, k.kernelExports(), wasmSharedConv!.im2colExport(), k.mr, k.nr, newJob));
}

/** Workers of the running wasm pool (0 when none is running) and its split counters: tests check teardown with it. */
export function wasmWorkerCount(): number {
  return pool ? pool.size : 0;
}
export function wasmThreadStats(): {
  products: number;
  kernelCalls: number;
  resident: number;
  sampleCalls: number;
  workerChunks: number;
  callerChunks: number;
} {
  if (!pool) return { products: 0, kernelCalls: 0, resident: 0, sampleCalls: 0, workerChunks: 0, callerChunks: 0 };
  const c = pool.chunkCounts();
  return { ...pool.stats, workerChunks: c.workers, callerChunks: c.caller };
}

/**
 * Whether the wasm kernel uses FMA: wherever the runtime can run it, unless BOARD_GEMM_FMA=0 (separate mul + add, one
 * rounding per operation). Node 20's V8 (11.3) implements relaxed SIMD completely but ships it behind
 * --experimental-wasm-relaxed-simd (on by default from V8 11.4 / Node 22), so the flag is turned on here, before the
 * kernel module is compiled: V8 reads wasm feature flags at compile time, and the flag only adds opcodes. The kernel
 * then uses f32x4.relaxed_madd, ~25% faster here (bench/RESULTS.md). process.getBuiltinModule keeps this file free of
 * a static node:v8 import (browsers).
 */
function useFma(): boolean {
  if (typeof process === 'object' && process.env?.BOARD_GEMM_FMA === '0') return false;
  if (!wasmRelaxedSimdSupported() && typeof process === 'object') {
    const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    const v8 = getBuiltin?.('node:v8') as { setFlagsFromString?: (flags: string) => void } | undefined;
    v8?.setFlagsFromString?.('--experimental-wasm-relaxed-simd');
  }
  return wasmRelaxedSimdSupported();
}

type F = FloatArray;

function checkInt(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new Error(`${fn}: ${name} must be a non-negative integer, got ${v}`);
}

/** Bounds of a rows x cols storage matrix at off with row stride ld inside X. */
function checkMatrix(fn: string, name: string, X: F, off: number, ld: number, rows: number, cols: number): void {
  checkInt(fn, `${name} offset`, off);
  checkInt(fn, `ld${name.toLowerCase()}`, ld);
  if (rows === 0 || cols === 0) return;
  const last = off + (rows - 1) * ld + cols - 1;
  if (last >= X.length) {
    throw new Error(
      `${fn}: ${name} is too small: a ${rows}x${cols} matrix at offset ${off} with row stride ${ld} ` +
        `reads index ${last}, but ${name} has length ${X.length}`,
    );
  }
}

function validate(
  fn: string,
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  A: F,
  aOff: number,
  lda: number,
  B: F,
  bOff: number,
  ldb: number,
  C: F,
  cOff: number,
  ldc: number,
): void {
  checkInt(fn, 'M', M);
  checkInt(fn, 'N', N);
  checkInt(fn, 'K', K);
  if (M > 1 && N > 0 && ldc < N) throw new Error(`${fn}: ldc (${ldc}) must be >= N (${N}) so rows of C do not overlap`);
  checkMatrix(fn, 'C', C, cOff, ldc, M, N);
  if (M > 0 && N > 0) {
    checkMatrix(fn, 'A', A, aOff, lda, transA ? K : M, transA ? M : K);
    checkMatrix(fn, 'B', B, bOff, ldb, transB ? N : K, transB ? K : N);
  }
}

/** C = beta * C over M x N (the whole result when K == 0 or alpha == 0); beta == 0 writes zeros without reading. */
function scaleC(M: number, N: number, beta: number, C: F, cOff: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < M; i++) {
    const row = cOff + i * ldc;
    if (beta === 0) C.fill(0, row, row + N);
    else for (let j = row; j < row + N; j++) C[j] = beta * C[j]!;
  }
}

export function sgemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Float32Array,
  aOff: number,
  lda: number,
  B: Float32Array,
  bOff: number,
  ldb: number,
  beta: number,
  C: Float32Array,
  cOff: number,
  ldc: number,
): void {
  validate('sgemm', transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
  if (M === 0 || N === 0) return;
  if (K === 0 || alpha === 0) return scaleC(M, N, beta, C, cOff, ldc);
  if (M * N * K < SMALL_FLOPS) return gemmSmall(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  const be = gemmBackend();
  // BLAS needs each row stride >= its row length; the engine's broadcast views (stride 0) go to the wasm kernel.
  if (be === 'native' && ((transA ? K : M) === 1 || lda >= (transA ? M : K)) && ((transB ? N : K) === 1 || ldb >= (transB ? K : N))) {
    activeNative!.sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  } else if (be === 'wasm-simd' || (be === 'native' && wasmSimdSupported())) {
    // Products too small or too narrow to split stay on the private-memory kernel: copies into a shared memory cost
    // about twice as much (bench/RESULTS.md).
    // Resident operands (the wasm heap's arrays and scratch) go to the pool's kernel whatever the size: it reads them
    // in place.
    const split = wasmThreads > 1 && M * N * K >= wasmThreadMin && Math.max(M, N) >= 2 * MIN_CHUNK;
    const k = split || isResident(A) || isResident(B) || isResident(C) ? wasmThreadedKernel() : wasmKernel();
    k.gemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  } else {
    gemmBlocked(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  }
}

export function dgemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Float64Array,
  aOff: number,
  lda: number,
  B: Float64Array,
  bOff: number,
  ldb: number,
  beta: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  validate('dgemm', transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
  if (M === 0 || N === 0) return;
  if (K === 0 || alpha === 0) return scaleC(M, N, beta, C, cOff, ldc);
  if (M * N * K < SMALL_FLOPS) return gemmSmall(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  gemmBlocked(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
}

/** sgemm or dgemm, chosen by C's element type (A and B must match it): for code generic over float32/float64. */
export function gemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: FloatArray,
  aOff: number,
  lda: number,
  B: FloatArray,
  bOff: number,
  ldb: number,
  beta: number,
  C: FloatArray,
  cOff: number,
  ldc: number,
): void {
  if (C instanceof Float32Array) {
    sgemm(transA, transB, M, N, K, alpha, A as Float32Array, aOff, lda, B as Float32Array, bOff, ldb, beta, C, cOff, ldc);
  } else {
    dgemm(transA, transB, M, N, K, alpha, A as Float64Array, aOff, lda, B as Float64Array, bOff, ldb, beta, C, cOff, ldc);
  }
}

/**
 * The 19 geometry numbers in the order board_native.c reads them, cached per geometry object: a convolution calls
 * im2col once per sample with the same object. Callers never mutate a ConvGeom after building it.
 */
const geomArrays = new WeakMap<ConvGeom, Int32Array>();
export function geomArray(g: ConvGeom): Int32Array {
  let a = geomArrays.get(g);
  if (!a) geomArrays.set(g, (a = geomArrayOf(g)));
  return a;
}
function geomArrayOf(g: ConvGeom): Int32Array {
  return Int32Array.of(g.C, g.inD, g.inH, g.inW, g.kD, g.kH, g.kW, g.sD, g.sH, g.sW, g.pD, g.pH, g.pW, g.dD, g.dH, g.dW, g.oD, g.oH, g.oW);
}

/** Whether a float32 (col, x) pair goes to the wasm kernels: wasm backend, planar geometry, and in bounds (else the
 * TypeScript kernel runs, and reports a bad span with the shapes involved). */
function wasmConv(x: FloatArray, xOff: number, N: number, g: ConvGeom, col: FloatArray, colOff: number, ld: number): WasmKernels | null {
  if (backend !== 'wasm-simd' || !(x instanceof Float32Array) || !(col instanceof Float32Array) || !WasmKernels.planar(g)) return null;
  const L = g.oH * g.oW,
    rows = g.C * g.kH * g.kW;
  const ok =
    xOff >= 0 && xOff + N * g.C * g.inH * g.inW <= x.length && colOff >= 0 && ld >= N * L && colOff + (rows - 1) * ld + N * L <= col.length;
  if (!ok) return null;
  if ((N > 1 && wasmThreads > 1 && rows * N * L >= IM2COL_THREAD_MIN) || isResident(col)) return (wasmThreadedKernel(), wasmSharedConv!);
  return (wasmFused ??= new WasmKernels());
}

/** im2col (see im2col.ts); float32 runs in C on the native backend, in WebAssembly on the wasm one. */
export function im2col(x: FloatArray, xOff: number, g: ConvGeom, col: FloatArray, colOff = 0, ld = g.oD * g.oH * g.oW): void {
  const nat = nativeKernels();
  if (nat && x instanceof Float32Array && col instanceof Float32Array) {
    try {
      return nat.im2col(x, xOff, geomArray(g), col, colOff, ld);
    } catch {
      /* fall through: the TypeScript kernel reports the problem with the shapes involved */
    }
  }
  const w = wasmConv(x, xOff, 1, g, col, colOff, ld);
  if (w) return w.im2col(x as Float32Array, xOff, g, col as Float32Array, colOff, ld);
  im2colJs(x, xOff, g, col, colOff, ld);
}

/** col2im (see im2col.ts); float32 runs in C on the native backend, in WebAssembly on the wasm one. */
export function col2im(col: FloatArray, g: ConvGeom, dx: FloatArray, dxOff: number, colOff = 0, ld = g.oD * g.oH * g.oW): void {
  const nat = nativeKernels();
  if (nat && dx instanceof Float32Array && col instanceof Float32Array) {
    try {
      return nat.col2im(col, geomArray(g), dx, dxOff, colOff, ld);
    } catch {
      /* fall through, as im2col */
    }
  }
  const w = wasmConv(dx, dxOff, 1, g, col, colOff, ld);
  if (w) return w.col2im(col as Float32Array, g, dx as Float32Array, dxOff, colOff, ld);
  col2imJs(col, g, dx, dxOff, colOff, ld);
}

/**
 * The columns of N whole samples side by side: sample n (input at n·planeSize) to columns n·L with row stride N·L,
 * i.e. im2col per sample into one [C·K, N·L] matrix. One WebAssembly call (one copy each way) on the wasm backend.
 */
export function im2colBatch(x: FloatArray, N: number, g: ConvGeom, cols: FloatArray): void {
  const L = g.oD * g.oH * g.oW,
    plane = g.C * g.inD * g.inH * g.inW;
  const w = wasmConv(x, 0, N, g, cols, 0, N * L);
  if (w) return w.im2col(x as Float32Array, 0, g, cols as Float32Array, 0, N * L, N);
  for (let n = 0; n < N; n++) im2col(x, n * plane, g, cols, n * L, N * L);
}

/** The adjoint of im2colBatch: adds the [C·K, N·L] columns back into dx[N, C, plane]. */
export function col2imBatch(cols: FloatArray, N: number, g: ConvGeom, dx: FloatArray): void {
  const L = g.oD * g.oH * g.oW,
    plane = g.C * g.inD * g.inH * g.inW;
  const w = wasmConv(dx, 0, N, g, cols, 0, N * L);
  if (w) return w.col2im(cols as Float32Array, g, dx as Float32Array, 0, 0, N * L, N);
  for (let n = 0; n < N; n++) col2im(cols, g, dx, n * plane, n * L, N * L);
}

export { convOutSize } from './im2col.ts';
export type { ConvGeom, FloatArray } from './im2col.ts';
