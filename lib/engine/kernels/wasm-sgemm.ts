// sgemm on WebAssembly SIMD-128, with the module generated at runtime (wasm-emitter.ts).
//
// Layout (Goto/BLIS style). op(A) is M x K, op(B) is K x N, both row-major views with arbitrary strides.
//   for pc in K by KC:                pack op(A)[:, pc:pc+kc] into MR-row panels     (all M rows, zero-padded)
//     for jc in N by NC:              pack op(B)[pc:pc+kc, jc:jc+nc] into NR-col panels (zero-padded)
//       for ic in M by MC:            wasm macro-kernel: for each NR panel of B (stays in L1) x each MR panel of A
//                                     (streams from L2), accumulate an MR x NR tile in registers over kc, then
//                                     update the tile in the wasm-side C buffer.
// Packing is what makes the four transpose combinations equally fast: the macro-kernel only ever sees unit-stride
// panels (A panel: kc steps of MR consecutive floats; B panel: kc steps of NR consecutive floats).
// A and B are first copied raw into wasm memory with TypedArray.set (a memcpy), then packed by generated SIMD code
// (wasm-pack.ts): JS loops storing into typed arrays cost ~2 ns/element on Node 20, wasm packing a fraction of that.
// C lives in wasm memory for the whole call (Mpad x Npad, row stride Npad); C is copied in only when beta != 0 (so
// NaN garbage in C is ignored when beta == 0, as BLAS does) and copied out with TypedArray.set (one call when C is
// dense and N is a multiple of NR, else one per row).
// Problems whose working set would exceed WORK_MAX_FLOATS are split along their longest dimension into sub-problems
// (offsets make that free; a K split continues with beta = 1).

import { buildModule, FunctionBuilder, ValType, type Local } from './wasm-emitter.ts';
import { gemmBlocked } from './js-gemm.ts';
import { emitPackK, emitPackW } from './wasm-pack.ts';

/**
 * Micro-tile: MR rows x (NRV * 4) columns held in MR*NRV f32x4 accumulators. 4 x 8 = 8 accumulators + 2 B vectors
 * + 1 splat: V8 allocates 15 of x64's 16 xmm registers (one is its scratch), and every larger tile tried (4x12, 6x8,
 * 8x8) spilled and ran slower. Measured (macro-kernel alone, idle core, GFLOP/s): 4x8 31.6-34.6, 2x16 31.6,
 * 4x12 27.4, 6x8 25.8; with relaxed-SIMD FMA 4x8 38.4. Only the inner k loop runs per flop, so it is kept simple:
 * one k step per iteration (V8 unrolls it; hand unrolling made the scheduler hoist loads and spill).
 */
export const MR = 4;
export const NRV = 2;
export const NR = NRV * 4;
/** k steps per iteration of the inner loop (1: see above; a remainder loop handles kc % UNROLL). */
const UNROLL = 1;

/** kc: depth of one packed slab. The B micro-panel kc*NR*4 = 8 KiB stays in L1 (48 KiB); the A block MC*kc*4 =
 * 192 KiB stays in L2 (2 MiB per core here). */
export const KC = 256;
/** Rows of A per macro-kernel call (multiple of MR). */
export const MC = 192;
/** Columns of B per packed block (multiple of NR): KC*NC*4 = 1.5 MiB fits the 2 MiB L2 of this machine's cores. */
export const NC = 1536;
/** Largest wasm-side working set (raw A + raw B + C, floats) before the problem is split: 32 MiB. */
const WORK_MAX_FLOATS = 8 << 20;

type Pack = (src: number, ldBytes: number, kc: number, nPanels: number, dst: number) => void;
export type SgemmExports = {
  macro: (
    mPanels: number,
    nPanels: number,
    kc: number,
    pA: number,
    pB: number,
    pC: number,
    ldcBytes: number,
    alpha: number,
    beta: number,
    update: number,
  ) => void;
  packWA: Pack;
  packKA: Pack;
  packWB: Pack;
  packKB: Pack;
};

/**
 * Emits `macro(mPanels, nPanels, kc, pA, pB, pC, ldcBytes, alpha, beta, update)`: for every (B panel, A panel) pair,
 * tile = op(A)panel * op(B)panel over kc, then C_tile = alpha * tile (update = 0, C never read) or
 * C_tile = beta * C_tile + alpha * tile (update = 1). Pointers are byte addresses; mPanels, nPanels, kc >= 1.
 */
export function emitMacroKernel(mr = MR, nrv = NRV, unroll = UNROLL, fma = false): FunctionBuilder {
  const nr = nrv * 4;
  const { i32, f32, v128 } = ValType;
  const f = new FunctionBuilder('macro', [i32, i32, i32, i32, i32, i32, i32, f32, f32, i32]);
  const [mPanels, nPanels, kc, pA, pB, pC, ldc, alpha, beta, update] = f.params as [
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
  ];
  const jr = f.local(i32),
    ir = f.local(i32),
    pa = f.local(i32),
    pb = f.local(i32),
    k = f.local(i32);
  const bPanel = f.local(i32),
    cCol = f.local(i32),
    cTile = f.local(i32),
    cRow = f.local(i32);
  const alphaV = f.local(v128),
    betaV = f.local(v128),
    a = f.local(v128);
  const b: Local[] = Array.from({ length: nrv }, () => f.local(v128));
  const acc: Local[][] = Array.from({ length: mr }, () => Array.from({ length: nrv }, () => f.local(v128)));

  // One k step at byte offset `u` steps into the current panels: acc[r][v] += splat(a[r]) * b[v].
  const kStep = (u: number) => {
    for (let v = 0; v < nrv; v++)
      f.get(pb)
        .v128Load((u * nr + v * 4) * 4)
        .set(b[v]!);
    for (let r = 0; r < mr; r++) {
      f.get(pa)
        .v128Load32Splat((u * mr + r) * 4)
        .set(a);
      for (let v = 0; v < nrv; v++) {
        if (fma) f.get(a).get(b[v]!).get(acc[r]![v]!).f32x4RelaxedMadd().set(acc[r]![v]!);
        else f.get(acc[r]![v]!).get(a).get(b[v]!).f32x4Mul().f32x4Add().set(acc[r]![v]!);
      }
    }
  };

  f.get(alpha).f32x4Splat().set(alphaV);
  f.get(beta).f32x4Splat().set(betaV);
  f.get(pB).set(bPanel);
  f.get(pC).set(cCol);
  f.get(nPanels).set(jr);
  f.loop(); // over B panels (jr)
  {
    f.get(pA).set(pa);
    f.get(cCol).set(cTile);
    f.get(mPanels).set(ir);
    f.loop(); // over A panels (ir); pa runs on through consecutive panels
    {
      for (const row of acc) for (const l of row) f.v128Zero().set(l);
      f.get(bPanel).set(pb);
      f.get(kc).set(k);
      // Unrolled main loop: while (k >= unroll).
      f.block().loop();
      {
        f.get(k).i32Const(unroll).i32LtS().brIf(1);
        for (let u = 0; u < unroll; u++) kStep(u);
        f.addConst(pa, unroll * mr * 4)
          .addConst(pb, unroll * nr * 4)
          .addConst(k, -unroll);
        f.br(0);
      }
      f.end().end();
      // Remainder: while (k > 0).
      f.block().loop();
      {
        f.get(k).i32Eqz().brIf(1);
        kStep(0);
        f.addConst(pa, mr * 4)
          .addConst(pb, nr * 4)
          .addConst(k, -1);
        f.br(0);
      }
      f.end().end();
      // Write the tile: update ? beta*C + alpha*acc : alpha*acc.
      f.get(cTile).set(cRow);
      f.get(update).if();
      for (let r = 0; r < mr; r++) {
        for (let v = 0; v < nrv; v++) {
          f.get(cRow)
            .get(cRow)
            .v128Load(v * 16)
            .get(betaV)
            .f32x4Mul()
            .get(acc[r]![v]!)
            .get(alphaV)
            .f32x4Mul()
            .f32x4Add()
            .v128Store(v * 16);
        }
        f.addLocal(cRow, ldc);
      }
      f.else();
      for (let r = 0; r < mr; r++) {
        for (let v = 0; v < nrv; v++)
          f.get(cRow)
            .get(acc[r]![v]!)
            .get(alphaV)
            .f32x4Mul()
            .v128Store(v * 16);
        f.addLocal(cRow, ldc);
      }
      f.end();
      f.get(cTile).get(ldc).i32Const(mr).i32Mul().i32Add().set(cTile);
      f.get(ir).i32Const(1).i32Sub().tee(ir).brIf(0);
    }
    f.end();
    f.get(bPanel)
      .get(kc)
      .i32Const(nr * 4)
      .i32Mul()
      .i32Add()
      .set(bPanel);
    f.addConst(cCol, nr * 4);
    f.get(jr).i32Const(1).i32Sub().tee(jr).brIf(0);
  }
  f.end();
  return f;
}

/** The module bytes for the default tiling (exported so tests can check they validate). */
export function sgemmModuleBytes(mr = MR, nrv = NRV, unroll = UNROLL, fma = false, shared = false): Uint8Array<ArrayBuffer> {
  return buildModule(
    [
      emitMacroKernel(mr, nrv, unroll, fma),
      emitPackW('packWA', mr),
      emitPackK('packKA', mr),
      emitPackW('packWB', nrv * 4),
      emitPackK('packKB', nrv * 4),
    ],
    1,
    shared ? SHARED_MAX_PAGES : undefined,
  );
}

/** Maximum of the shared memory the threaded kernel uses (a shared memory must declare one): 4 GiB, wasm32's limit. */
export const SHARED_MAX_PAGES = 65536;

let simdSupport: boolean | undefined;
/** True when this runtime validates WebAssembly SIMD-128 (checked once, on our own kernel). */
export function wasmSimdSupported(): boolean {
  if (simdSupport === undefined) {
    try {
      simdSupport = typeof WebAssembly === 'object' && WebAssembly.validate(sgemmModuleBytes());
    } catch {
      simdSupport = false;
    }
  }
  return simdSupport;
}

const PAGE = 65536;

/** One instance of the generated kernel with its own growable memory and float view. */
export interface WasmSgemmOptions {
  mr?: number;
  nrv?: number;
  unroll?: number;
  /** Use f32x4.relaxed_madd (FMA) instead of mul + add; only where the runtime validates relaxed SIMD. */
  fma?: boolean;
  kc?: number;
  mc?: number;
  nc?: number;
  /** Working-set budget in floats before splitting (tests shrink it to exercise the split path). */
  workMaxFloats?: number;
  /** Cap on wasm memory pages (64 KiB each); tests set it low to exercise the JS fallback. Default: no cap. */
  maxMemoryPages?: number;
  /**
   * Worker threads that share this instance's memory (wasm-threads.ts): the kernel then uses a shared memory and
   * splits each product over output panels between the caller and the pool's ready workers.
   */
  pool?: SgemmPool;
}

/** A rectangle of C for one thread: rows [r0, r1) and columns [c0, c1), and its packing scratch (float offsets). */
export interface PanelPart {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
  packedA: number;
  packedB: number;
}

/** One leaf product as laid out in wasm memory (float offsets and strides): what runPanels needs besides a part. */
export interface PanelJob {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  rawA: number;
  lda: number;
  rawB: number;
  ldb: number;
  cBase: number;
  ldc: number;
  kcMax: number;
  mc: number;
  nc: number;
  /** The split (threaded calls): along N (1) or M (0), over `panels` micro-panels, in nChunks chunks. */
  byCols: number;
  panels: number;
  nChunks: number;
  /** Packing scratch of thread t at scratch0 + t * scratch (packed A, then packed B at packedBOff after it). */
  scratch0: number;
  scratch: number;
  packedBOff: number;
}

/** The worker pool as the kernel sees it (wasm-threads.ts implements it). */
export interface SgemmPool {
  /** The shared memory every worker instantiated the kernel over. */
  readonly memory: WebAssembly.Memory;
  /** Floats at the start of the memory held by resident matrices: a call's layout starts after them. */
  readonly reservedFloats: number;
  /** The float offset of X in the memory when X is a resident view of it (read and written in place), else -1. */
  residentOffset(X: Float32Array): number;
  /** Worker threads (the caller not included). */
  readonly size: number;
  /** Threads (the caller included) a product of this size should use now: 1 when small or no worker is ready. */
  threadsFor(M: number, N: number, K: number): number;
  /**
   * Publishes `job` and runs its job.nChunks chunks on the caller and the workers, each claiming the next chunk
   * when free (so a descheduled worker delays nothing: the others take its share); `own(c)` computes chunk c on the
   * caller. Returns when every chunk is done.
   */
  run(job: PanelJob, own: (chunk: number) => void): void;
}

/**
 * Chunk c of a split product as a rectangle of C, with thread t's packing scratch: chunk boundaries fall on whole
 * micro-panels, so every tile is computed as in a 1-thread call.
 */
export function chunkPart(job: PanelJob, c: number, t: number, part: PanelPart, mr: number, nr: number): PanelPart {
  const a = Math.floor((job.panels * c) / job.nChunks),
    b = Math.floor((job.panels * (c + 1)) / job.nChunks);
  if (job.byCols) {
    part.r0 = 0;
    part.r1 = Math.ceil(job.M / mr) * mr;
    part.c0 = Math.min(job.N, a * nr);
    part.c1 = Math.min(job.N, b * nr);
  } else {
    part.r0 = a * mr;
    part.r1 = b * mr;
    part.c0 = 0;
    part.c1 = job.N;
  }
  part.packedA = job.scratch0 + t * job.scratch;
  part.packedB = part.packedA + job.packedBOff;
  return part;
}

/** True when this runtime validates the relaxed-SIMD (FMA) variant of the kernel. */
export function wasmRelaxedSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(sgemmModuleBytes(MR, NRV, UNROLL, true));
  } catch {
    return false;
  }
}

/** One instance of the generated kernel with its own growable memory and float view. */
export class WasmSgemm {
  readonly mr: number;
  readonly nr: number;
  readonly fma: boolean;
  readonly kcBlock: number;
  readonly mcBlock: number;
  readonly ncBlock: number;
  readonly workMaxFloats: number;
  private readonly memory: WebAssembly.Memory;
  private readonly pool: SgemmPool | null;
  private readonly exports: SgemmExports;
  private f32: Float32Array;
  private readonly job = newJob();
  private readonly part: PanelPart = { r0: 0, r1: 0, c0: 0, c1: 0, packedA: 0, packedB: 0 };
  /** Computes chunk c of the current threaded product on the caller (thread 0's scratch). */
  private readonly ownChunk = (c: number): void =>
    runPanels(this.exports, this.f32, this.job, chunkPart(this.job, c, 0, this.part, this.mr, this.nr), this.mr, this.nr);

  constructor(opts: WasmSgemmOptions = {}) {
    const { mr = MR, nrv = NRV, unroll = UNROLL, fma = false, kc = KC, mc = MC, nc = NC } = opts;
    this.workMaxFloats = opts.workMaxFloats ?? WORK_MAX_FLOATS;
    this.mr = mr;
    this.nr = nrv * 4;
    this.fma = fma;
    this.kcBlock = kc;
    this.mcBlock = Math.max(mr, Math.floor(mc / mr) * mr);
    this.ncBlock = Math.max(this.nr, Math.floor(nc / this.nr) * this.nr);
    this.pool = opts.pool ?? null;
    this.memory =
      this.pool?.memory ??
      new WebAssembly.Memory(
        opts.maxMemoryPages === undefined ? { initial: 16 } : { initial: Math.min(16, opts.maxMemoryPages), maximum: opts.maxMemoryPages },
      );
    const module = new WebAssembly.Module(sgemmModuleBytes(mr, nrv, unroll, fma, this.pool !== null));
    this.exports = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as SgemmExports;
    this.f32 = new Float32Array(this.memory.buffer);
    this.warmUp();
  }

  /** The instance's exports (the per-sample convolution split runs them on the caller: wasm-conv-samples.ts). */
  kernelExports(): SgemmExports {
    return this.exports;
  }

  /**
   * V8 runs new wasm code in its baseline compiler (Liftoff, ~2-3x slower here) and moves a function to TurboFan
   * once it has used up a tiering budget; a long call cannot switch tiers midway. Spending that budget on tiny
   * problems now (~1 ms, on zeroed memory) starts the optimizing compile in the background before real work.
   */
  private warmUp(): void {
    const { macro, packWA, packKA, packWB, packKB } = this.exports;
    const floats = 4 * this.mr * this.nr * 64;
    // On a pool's memory the start holds resident arrays (wasm-heap.ts): warm up after them.
    const base = this.pool ? align4(this.pool.reservedFloats) : 0;
    if (!this.reserve(base + floats)) return;
    this.f32.fill(0, base, base + floats);
    const kc = 64,
      a = base * 4,
      b = a + this.mr * kc * 4,
      c = b + this.nr * kc * 4;
    for (let i = 0; i < 400; i++) macro(1, 1, kc, a, b, c, this.nr * 4, 1, 0, i & 1);
    for (let i = 0; i < 1000; i++) {
      packWA(a, this.mr * 4, kc, 1, c);
      packKA(a, kc * 4, kc, 1, c);
      packWB(b, this.nr * 4, kc, 1, c);
      packKB(b, kc * 4, kc, 1, c);
    }
  }

  /**
   * Grows memory to hold `floats` floats; grows geometrically so steady-state calls never grow (or fault pages).
   * Returns false if the runtime refuses to grow (address-space limits): the caller then computes in JS.
   */
  private reserve(floats: number): boolean {
    const bytes = floats * 4;
    if (bytes <= this.f32.byteLength) return true;
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) {
      // A shared memory grown by another user of it (wasm-kernels.ts on the same pool): only the view is stale.
      this.f32 = new Float32Array(this.memory.buffer);
      return true;
    }
    const want = Math.max(bytes, have * 1.5);
    try {
      this.memory.grow(Math.ceil((want - have) / PAGE));
    } catch {
      try {
        this.memory.grow(Math.ceil((bytes - have) / PAGE)); // the geometric step may be what failed
      } catch {
        return false;
      }
    }
    this.f32 = new Float32Array(this.memory.buffer);
    return true;
  }

  /** C = alpha * op(A) op(B) + beta * C. Arguments already validated; M, N, K >= 1 and alpha != 0. */
  gemm(
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
    const mr = this.mr,
      nr = this.nr,
      KC = this.kcBlock,
      MC = this.mcBlock,
      NC = this.ncBlock;
    const mPad = Math.ceil(M / mr) * mr;
    const nPad = Math.ceil(N / nr) * nr;
    const canM = M > mr,
      canN = N > nr,
      canK = K > KC;
    if (M * K + K * N + mPad * nPad > this.workMaxFloats && (canM || canN || canK)) {
      // Halve the longest splittable dimension (M and N in whole micro-tiles, K in whole slabs) and recurse.
      const m = canM ? M : 0,
        n = canN ? N : 0,
        kk = canK ? K : 0;
      if (kk >= m && kk >= n) {
        const k1 = Math.ceil(K / 2 / KC) * KC;
        this.gemm(transA, transB, M, N, k1, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
        this.gemm(
          transA,
          transB,
          M,
          N,
          K - k1,
          alpha,
          A,
          aOff + k1 * (transA ? lda : 1),
          lda,
          B,
          bOff + k1 * (transB ? 1 : ldb),
          ldb,
          1,
          C,
          cOff,
          ldc,
        );
      } else if (m >= n) {
        const m1 = Math.ceil(M / 2 / mr) * mr;
        this.gemm(transA, transB, m1, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
        this.gemm(transA, transB, M - m1, N, K, alpha, A, aOff + m1 * (transA ? 1 : lda), lda, B, bOff, ldb, beta, C, cOff + m1 * ldc, ldc);
      } else {
        const n1 = Math.ceil(N / 2 / nr) * nr;
        this.gemm(transA, transB, M, n1, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
        this.gemm(transA, transB, M, N - n1, K, alpha, A, aOff, lda, B, bOff + n1 * (transB ? ldb : 1), ldb, beta, C, cOff + n1, ldc);
      }
      return;
    }
    const kcMax = kcFor(K, KC);
    const ncMax = Math.min(NC, nPad);
    // Storage shapes: A is stored M x K (or K x M when transposed), B is K x N (or N x K).
    const aRows = transA ? K : M,
      aCols = transA ? M : K;
    const bRows = transB ? N : K,
      bCols = transB ? K : N;
    // Operands already in the pool's shared memory (resident views) are read, and C written, in place.
    const pool = this.pool;
    const resA = pool ? pool.residentOffset(A) : -1,
      resB = pool ? pool.residentOffset(B) : -1,
      resC = pool ? pool.residentOffset(C) : -1;
    // C in place needs the kernel's layout: row stride nPad and no padding rows.
    const cInPlace = resC >= 0 && ldc === nPad && mPad === M;
    const aSpan = resA >= 0 ? 0 : rawSpan(aRows, aCols, lda),
      bSpan = resB >= 0 ? 0 : rawSpan(bRows, bCols, ldb);
    // Memory map (float offsets, each region 16-byte aligned), after the pool's resident region:
    // [raw A][raw B][C: mPad*nPad] then per thread [packed A slab: mPad*kcMax][packed B block: kcMax*ncMax].
    const base = pool ? align4(pool.reservedFloats) : 0;
    const rawA = base;
    const rawB = align4(rawA + aSpan);
    const cStage = align4(rawB + bSpan);
    const cBase = cInPlace ? resC + cOff : cStage;
    const scratch0 = align4(cStage + (cInPlace ? 0 : mPad * nPad));
    const scratch = align4(mPad * kcMax) + align4(kcMax * ncMax);
    let threads = this.pool ? this.pool.threadsFor(M, N, K) : 1;
    // Scratch for every thread of the pool: which of them claim chunks is decided at run time.
    if (threads > 1 && !this.reserve(scratch0 + (1 + this.pool!.size) * scratch)) threads = 1;
    if (!this.reserve(scratch0 + scratch)) {
      // Nothing of this (sub)problem has been written yet, so the blocked JS kernel can take it over whole.
      gemmBlocked(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
      return;
    }
    const mem = this.f32;
    const lda2 = resA >= 0 ? lda : copyIn(A, aOff, lda, aRows, aCols, mem, rawA);
    const ldb2 = resB >= 0 ? ldb : copyIn(B, bOff, ldb, bRows, bCols, mem, rawB);

    if (beta !== 0 && !cInPlace) {
      if (nPad === N && ldc === N) mem.set(C.subarray(cOff, cOff + M * N), cBase);
      else for (let i = 0; i < M; i++) mem.set(C.subarray(cOff + i * ldc, cOff + i * ldc + N), cBase + i * nPad);
    }
    const job = this.job;
    job.transA = transA;
    job.transB = transB;
    job.M = M;
    job.N = N;
    job.K = K;
    job.alpha = alpha;
    job.beta = beta;
    job.rawA = resA >= 0 ? resA + aOff : rawA;
    job.lda = lda2;
    job.rawB = resB >= 0 ? resB + bOff : rawB;
    job.ldb = ldb2;
    job.cBase = cBase;
    job.ldc = nPad;
    job.kcMax = kcMax;
    job.mc = MC;
    job.nc = NC;
    job.scratch0 = scratch0;
    job.scratch = scratch;
    job.packedBOff = align4(mPad * kcMax);
    if (threads > 1) {
      planChunks(job, threads, mr, nr);
      this.pool!.run(job, this.ownChunk);
    } else {
      const p = this.part;
      p.r0 = 0;
      p.r1 = mPad;
      p.c0 = 0;
      p.c1 = N;
      p.packedA = scratch0;
      p.packedB = scratch0 + job.packedBOff;
      runPanels(this.exports, mem, job, p, mr, nr);
    }
    // Copy out: one memcpy when C and the wasm buffer have the same dense layout, else one per row (within the
    // memory when C is resident but not laid out for the kernel).
    if (cInPlace) return;
    if (resC >= 0) {
      for (let i = 0; i < M; i++) mem.copyWithin(resC + cOff + i * ldc, cBase + i * nPad, cBase + i * nPad + N);
    } else if (nPad === N && ldc === N) C.set(mem.subarray(cBase, cBase + M * N), cOff);
    else for (let i = 0; i < M; i++) C.set(mem.subarray(cBase + i * nPad, cBase + i * nPad + N), cOff + i * ldc);
  }
}

/** A job record to reuse (no allocation per call). */
export function newJob(): PanelJob {
  return {
    transA: false,
    transB: false,
    M: 0,
    N: 0,
    K: 0,
    alpha: 0,
    beta: 0,
    rawA: 0,
    lda: 0,
    rawB: 0,
    ldb: 0,
    cBase: 0,
    ldc: 0,
    kcMax: 0,
    mc: 0,
    nc: 0,
    byCols: 0,
    panels: 0,
    nChunks: 0,
    scratch0: 0,
    scratch: 0,
    packedBOff: 0,
  };
}

/** Narrowest chunk of a threaded product (columns or rows of C): a product splits once its longer side is twice this. */
export const MIN_CHUNK = 128;

/**
 * Plans the split of a threaded product: along C's longer side (every chunk packs the whole of the operand along the
 * other side, so this duplicates the smaller packing: for a convolution's [Cout, K] x [K, B*L], A), in about four
 * chunks per thread so that threads which get less CPU (a shared machine) take fewer, but no narrower than 128
 * columns or rows so the duplicated packing stays small (512^3 computed as 1-thread column chunks of 512, 256, 128,
 * 64: 6.1, 6.2-6.5, 6.4, 6.6-6.7 ms).
 */
function planChunks(job: PanelJob, threads: number, mr: number, nr: number): void {
  const colPanels = Math.ceil(job.N / nr),
    rowPanels = Math.ceil(job.M / mr);
  const byCols = job.N >= job.M;
  const panels = byCols ? colPanels : rowPanels;
  const minPanels = Math.ceil(MIN_CHUNK / (byCols ? nr : mr));
  job.byCols = byCols ? 1 : 0;
  job.panels = panels;
  job.nChunks = Math.max(1, Math.min(4 * threads, Math.floor(panels / minPanels), panels));
}

/**
 * The packing and macro-kernel loops over one part of C (rows r0..r1 in whole MR panels, columns c0..c1 starting on
 * an NR panel): raw A, raw B and C are already in wasm memory as `job` describes. Runs on the calling thread or on a
 * worker (wasm-threads-worker.ts) over the same shared memory.
 */
export function runPanels(ex: SgemmExports, mem: Float32Array, job: PanelJob, part: PanelPart, mr: number, nr: number): void {
  const { transA, transB, M, K, alpha, beta, rawA, rawB, cBase, kcMax, mc: MC, nc: NC } = job;
  const lda2 = job.lda,
    ldb2 = job.ldb,
    nPad = job.ldc;
  const { r0, c0, c1, packedA, packedB } = part;
  const rows = Math.min(part.r1, M) - r0;
  if (rows <= 0 || c1 <= c0) return;
  const fullA = Math.floor(rows / mr);
  const mPadPart = Math.ceil(rows / mr) * mr;
  for (let pc = 0; pc < K; pc += kcMax) {
    const kc = Math.min(kcMax, K - pc);
    // Pack op(A)[r0:r1, pc:pc+kc]: full panels in wasm, the ragged last panel (M % mr rows) in JS.
    if (transA) {
      if (fullA > 0) ex.packWA((rawA + pc * lda2 + r0) * 4, lda2 * 4, kc, fullA, packedA * 4);
      if (fullA * mr < rows)
        packEdge(mem, rawA + pc * lda2 + r0 + fullA * mr, 1, lda2, rows - fullA * mr, kc, mr, packedA + fullA * mr * kc);
    } else {
      if (fullA > 0) ex.packKA((rawA + r0 * lda2 + pc) * 4, lda2 * 4, kc, fullA, packedA * 4);
      if (fullA * mr < rows)
        packEdge(mem, rawA + (r0 + fullA * mr) * lda2 + pc, lda2, 1, rows - fullA * mr, kc, mr, packedA + fullA * mr * kc);
    }
    const update = pc > 0 || beta !== 0 ? 1 : 0;
    const betaEff = pc > 0 ? 1 : beta;
    for (let jc = c0; jc < c1; jc += NC) {
      const nc = Math.min(NC, c1 - jc);
      const fullB = Math.floor(nc / nr);
      // Pack op(B)[pc:pc+kc, jc:jc+nc] the same way.
      if (transB) {
        if (fullB > 0) ex.packKB((rawB + jc * ldb2 + pc) * 4, ldb2 * 4, kc, fullB, packedB * 4);
        if (fullB * nr < nc)
          packEdge(mem, rawB + (jc + fullB * nr) * ldb2 + pc, ldb2, 1, nc - fullB * nr, kc, nr, packedB + fullB * nr * kc);
      } else {
        if (fullB > 0) ex.packWB((rawB + pc * ldb2 + jc) * 4, ldb2 * 4, kc, fullB, packedB * 4);
        if (fullB * nr < nc) packEdge(mem, rawB + pc * ldb2 + jc + fullB * nr, 1, ldb2, nc - fullB * nr, kc, nr, packedB + fullB * nr * kc);
      }
      const nPanels = Math.ceil(nc / nr);
      for (let ic = 0; ic < mPadPart; ic += MC) {
        const m = Math.min(MC, mPadPart - ic);
        ex.macro(
          m / mr,
          nPanels,
          kc,
          (packedA + ic * kc) * 4,
          packedB * 4,
          (cBase + (r0 + ic) * nPad + jc) * 4,
          nPad * 4,
          alpha,
          betaEff,
          update,
        );
      }
    }
  }
}

/** n rounded up to a whole number of f32x4 vectors (float offsets of 16-byte aligned regions). */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** kc of a K-long product: equal slabs of at most `kc` (K = 784 -> 4 x 196 rather than 3 x 256 + 16), so a thin last
 * slab does not pay the C-tile update for few k steps. */
export function kcFor(K: number, kc = KC): number {
  return Math.ceil(K / Math.ceil(K / kc));
}

/** Floats the raw copy of a rows x cols storage matrix (row stride ld) occupies in wasm memory. */
function rawSpan(rows: number, cols: number, ld: number): number {
  const span = (rows - 1) * ld + cols;
  return span <= 2 * rows * cols ? span : rows * cols;
}

/**
 * Copies a rows x cols storage matrix into wasm memory and returns its row stride there. One memcpy of the whole
 * span when the gaps between rows are small (the usual dense case); row by row into a compact block otherwise
 * (e.g. a narrow column slice of a wide matrix).
 */
function copyIn(X: Float32Array, off: number, ld: number, rows: number, cols: number, mem: Float32Array, base: number): number {
  const span = (rows - 1) * ld + cols;
  if (span <= 2 * rows * cols) {
    mem.set(X.subarray(off, off + span), base);
    return ld;
  }
  for (let r = 0; r < rows; r++) mem.set(X.subarray(off + r * ld, off + r * ld + cols), base + r * cols);
  return cols;
}

/**
 * Packs one ragged panel (w0 < w valid rows) from raw wasm memory: element (row r, step k) is
 * mem[src + r*rowStride + k*kStride]; rows w0..w-1 are zero so the micro-kernel needs no edge case.
 */
function packEdge(
  mem: Float32Array,
  src: number,
  rowStride: number,
  kStride: number,
  w0: number,
  kc: number,
  w: number,
  dst: number,
): void {
  for (let k = 0; k < kc; k++) {
    const d = dst + k * w;
    const s = src + k * kStride;
    for (let r = 0; r < w; r++) mem[d + r] = r < w0 ? mem[s + r * rowStride]! : 0;
  }
}
