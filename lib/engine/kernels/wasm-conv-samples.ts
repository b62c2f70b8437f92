// A convolution with a short reduction (Cin/groups · k·k < 128, e.g. a first layer: 25) runs one small GEMM per
// sample (lib/nn/kernels/conv.ts); each is below the size at which an sgemm is worth splitting, so with wasm threads
// (setNumThreads(n > 1)) the loop over samples is split instead: chunks of whole samples, each chunk's im2col and
// GEMMs run by whichever thread claims it (the caller or a worker of wasm-threads.ts), over the pool's shared memory.
//
// Every product runs the same packing and macro-kernel code (runPanels) with the same blocking as a 1-thread
// WasmSgemm call, so each output element is computed bit for bit as the 1-thread loop of conv.ts computes it:
//  - forward: y[n] = W · im2col(x[n]) (+ bias, prefilled, beta = 1): samples are independent.
//  - weight gradient: the per-sample products gy[n] · colsᵀ are summed in FIXED groups of SAMPLE_GROUP samples (each
//    group accumulated in sample order, beta 0 then 1), then the group sums added in group order (conv.ts). The
//    groups depend only on N, never on the thread count, and conv.ts's 1-thread loop sums the same way, so 1, 2 or
//    n threads give the same bits.
import { align4, kcFor, MC, NC, runPanels, type PanelJob, type PanelPart, type SgemmExports } from './wasm-sgemm.ts';
import type { ConvGeom } from './im2col.ts';

/** Samples per group of the weight gradient's fixed-order sum (conv.ts uses the same). */
export const SAMPLE_GROUP = 8;

/** An im2col export: (x, col, tab, C, inH, inW, kH, kW, sH, pH, dH, oH, oW, N, ldBytes, sW), byte pointers. */
export type Im2colFn = (...args: number[]) => void;

/** One split per-sample call as the threads read it (float offsets into the shared memory). */
export interface SampleJob {
  /** 0: forward into y; 1: weight-gradient group sums. */
  mode: number;
  N: number;
  nChunks: number;
  groups: number;
  Cout: number;
  Cog: number;
  rows: number;
  L: number;
  /** Floats of one sample's input (Cin · plane). */
  plane: number;
  xBase: number;
  wBase: number;
  /** forward: y [N, Cout, L]; weight gradient: gy [N, Cout, L]. */
  yBase: number;
  /** forward: 1 when y holds the bias already, else 0. */
  beta: number;
  /** weight gradient: chunk c's sums at sBase + c·sStride, conv group g's [Cog, rows] block (row stride ldS) at g·gStride. */
  sBase: number;
  sStride: number;
  gStride: number;
  ldS: number;
  /** Thread t's scratch at scr0 + t·scrStride: the columns (colFloats), then packed A and packed B. */
  scr0: number;
  scrStride: number;
  colFloats: number;
  packedBOff: number;
  tab: number;
  // geometry (planar)
  C: number;
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  sH: number;
  pH: number;
  dH: number;
  oH: number;
  oW: number;
  sW: number;
}

export const SAMPLE_KEYS = [
  'mode',
  'N',
  'nChunks',
  'groups',
  'Cout',
  'Cog',
  'rows',
  'L',
  'plane',
  'xBase',
  'wBase',
  'yBase',
  'beta',
  'sBase',
  'sStride',
  'gStride',
  'ldS',
  'scr0',
  'scrStride',
  'colFloats',
  'packedBOff',
  'tab',
  'C',
  'inH',
  'inW',
  'kH',
  'kW',
  'sH',
  'pH',
  'dH',
  'oH',
  'oW',
  'sW',
] as const satisfies ReadonlyArray<keyof SampleJob>;

export function newSampleJob(): SampleJob {
  const j = {} as Record<keyof SampleJob, number>;
  for (const k of SAMPLE_KEYS) j[k] = 0;
  return j;
}

/** The samples [n0, n1) of chunk c: contiguous ranges (forward) or group c (weight gradient). */
export function sampleRange(j: SampleJob, c: number): [number, number] {
  if (j.mode === 1) return [c * SAMPLE_GROUP, Math.min(j.N, (c + 1) * SAMPLE_GROUP)];
  return [Math.floor((j.N * c) / j.nChunks), Math.floor((j.N * (c + 1)) / j.nChunks)];
}

/**
 * Runs chunk c of `j` on thread t (0: the caller): per sample im2col into the thread's scratch, then per conv group
 * the product, exactly as a 1-thread WasmSgemm.gemm call lays it out. `pj` and `part` are scratch records.
 */
export function runSampleChunk(
  ex: SgemmExports,
  im2col: Im2colFn,
  mem: Float32Array,
  j: SampleJob,
  c: number,
  t: number,
  pj: PanelJob,
  part: PanelPart,
  mr: number,
  nr: number,
): void {
  const [n0, n1] = sampleRange(j, c);
  const col = j.scr0 + t * j.scrStride;
  const packed = col + j.colFloats;
  const { Cog, rows, L, Cout } = j;
  const fwd = j.mode === 0;
  pj.transA = false;
  pj.transB = !fwd;
  pj.M = Cog;
  pj.N = fwd ? L : rows;
  pj.K = fwd ? rows : L;
  pj.alpha = 1;
  pj.kcMax = kcFor(pj.K);
  pj.mc = Math.max(mr, Math.floor(MC / mr) * mr);
  pj.nc = Math.max(nr, Math.floor(NC / nr) * nr);
  pj.lda = fwd ? rows : L;
  pj.ldb = L;
  pj.ldc = Math.ceil(pj.N / nr) * nr;
  part.r0 = 0;
  part.r1 = Math.ceil(Cog / mr) * mr;
  part.c0 = 0;
  part.c1 = pj.N;
  part.packedA = packed;
  part.packedB = packed + j.packedBOff;
  for (let n = n0; n < n1; n++) {
    im2col((j.xBase + n * j.plane) * 4, col * 4, j.tab * 4, j.C, j.inH, j.inW, j.kH, j.kW, j.sH, j.pH, j.dH, j.oH, j.oW, 1, L * 4, j.sW);
    for (let g = 0; g < j.groups; g++) {
      if (fwd) {
        pj.beta = j.beta;
        pj.rawA = j.wBase + g * Cog * rows;
        pj.rawB = col + g * rows * L;
        pj.cBase = j.yBase + (n * Cout + g * Cog) * L;
      } else {
        pj.beta = n === n0 ? 0 : 1;
        pj.rawA = j.yBase + (n * Cout + g * Cog) * L;
        pj.rawB = col + g * rows * L;
        pj.cBase = j.sBase + c * j.sStride + g * j.gStride;
      }
      runPanels(ex, mem, pj, part, mr, nr);
    }
  }
}

/** The pool as the per-sample split needs it (wasm-threads.ts implements it). */
export interface SamplePool {
  readonly memory: WebAssembly.Memory;
  readonly size: number;
  readonly reservedFloats: number;
  ready(): number;
  runSamples(job: SampleJob, own: (chunk: number) => void): void;
}

/**
 * The caller's side: lays out and publishes per-sample jobs over the pool's memory, with the caller's own sgemm and
 * im2col instances on that memory (the pool's WasmSgemm and WasmKernels).
 */
export class SampleSplitter {
  private f32: Float32Array;
  private i32: Int32Array;
  private readonly job = newSampleJob();
  private readonly pj: PanelJob;
  private readonly part: PanelPart = { r0: 0, r1: 0, c0: 0, c1: 0, packedA: 0, packedB: 0 };
  /** Splits run (tests check the path ran). */
  calls = 0;
  private readonly own = (c: number): void =>
    runSampleChunk(this.ex, this.im2col, this.f32, this.job, c, 0, this.pj, this.part, this.mr, this.nr);

  constructor(
    private readonly pool: SamplePool,
    private readonly ex: SgemmExports,
    private readonly im2col: Im2colFn,
    private readonly mr: number,
    private readonly nr: number,
    newPanelJob: () => PanelJob,
  ) {
    this.pj = newPanelJob();
    this.f32 = new Float32Array(pool.memory.buffer);
    this.i32 = new Int32Array(pool.memory.buffer);
  }

  /** Whether a product of this convolution fits a 1-thread wasm sgemm call unsplit (else conv.ts's loop runs). */
  static fits(Cog: number, rows: number, L: number, workMaxFloats: number): boolean {
    const mr = 4,
      nr = 8;
    const mPad = Math.ceil(Cog / mr) * mr;
    const fwd = Cog * rows + rows * L + mPad * Math.ceil(L / nr) * nr;
    const dw = Cog * L + rows * L + mPad * Math.ceil(rows / nr) * nr;
    return Math.max(fwd, dw) <= workMaxFloats;
  }

  private reserve(floats: number): void {
    const mem = this.pool.memory;
    const have = mem.buffer.byteLength;
    if (floats * 4 > have) mem.grow(Math.ceil((Math.max(floats * 4, have * 1.5) - have) / 65536));
    if (this.f32.byteLength < floats * 4) {
      this.f32 = new Float32Array(mem.buffer);
      this.i32 = new Int32Array(mem.buffer);
    }
  }

  /** Lays out the columns table, x, w, y (or gy), the group sums and the thread scratch, and copies x and w in. */
  private layout(
    mode: number,
    x: Float32Array,
    N: number,
    g: ConvGeom,
    groups: number,
    Cout: number,
    w: Float32Array,
    yFloats: number,
    sFloats: number,
  ): void {
    const j = this.job;
    const rows = g.C * g.kH * g.kW,
      L = g.oH * g.oW,
      Cog = Cout / groups,
      plane = groups * g.C * g.inH * g.inW;
    j.mode = mode;
    j.N = N;
    j.groups = groups;
    j.Cout = Cout;
    j.Cog = Cog;
    j.rows = rows;
    j.L = L;
    j.plane = plane;
    j.C = groups * g.C;
    j.inH = g.inH;
    j.inW = g.inW;
    j.kH = g.kH;
    j.kW = g.kW;
    j.sH = g.sH;
    j.pH = g.pH;
    j.dH = g.dH;
    j.oH = g.oH;
    j.oW = g.oW;
    j.sW = g.sW;
    const base = (this.pool.reservedFloats + 15) & ~15;
    j.tab = base;
    j.xBase = j.tab + align4(3 * g.kW);
    j.wBase = j.xBase + align4(N * plane);
    j.yBase = j.wBase + align4(Cout * rows);
    j.sBase = j.yBase + align4(yFloats);
    j.scr0 = (j.sBase + align4(sFloats) + 15) & ~15;
    const M = Cog,
      Nn = mode === 0 ? L : rows,
      K = mode === 0 ? rows : L;
    const kc = kcFor(K),
      mPad = Math.ceil(M / this.mr) * this.mr,
      nPad = Math.ceil(Nn / this.nr) * this.nr;
    j.colFloats = align4(groups * rows * L);
    j.packedBOff = align4(mPad * kc);
    j.scrStride = (j.colFloats + j.packedBOff + align4(kc * Math.min(NC, nPad)) + 15) & ~15;
    this.reserve(j.scr0 + (1 + this.pool.size) * j.scrStride);
    const mem = this.f32,
      t = this.i32;
    for (let e = 0; e < g.kW; e++) {
      const wOff = e * g.dW - g.pW;
      const ow0 = wOff >= 0 ? 0 : Math.min(g.oW, Math.ceil(-wOff / g.sW));
      t[j.tab + 3 * e] = wOff;
      t[j.tab + 3 * e + 1] = ow0;
      t[j.tab + 3 * e + 2] = Math.max(ow0, Math.min(g.oW, Math.ceil((g.inW - wOff) / g.sW)));
    }
    mem.set(x.subarray(0, N * plane), j.xBase);
    mem.set(w.subarray(0, Cout * rows), j.wBase);
  }

  /**
   * y[N, Cout, L] = conv(x, w) + b, per sample split over threads. `g` is the per-group geometry (C = Cin/groups).
   * Needs L % 8 == 0 and Cog % 4 == 0 (y is computed in place in its own layout; forwardFits()).
   */
  forward(
    x: Float32Array,
    N: number,
    g: ConvGeom,
    groups: number,
    Cout: number,
    w: Float32Array,
    b: Float32Array | null,
    y: Float32Array,
  ): void {
    const L = g.oH * g.oW;
    this.layout(0, x, N, g, groups, Cout, w, N * Cout * L, 0);
    const j = this.job,
      mem = this.f32;
    j.beta = b ? 1 : 0;
    if (b) {
      // fill() on shared memory runs about 3x slower than a memcpy (bench/RESULTS.md): fill sample 0's block, then
      // copy blocks forward in doubling steps (2.4 MB for the benchmark CNN's conv1: ~0.45 -> ~0.2 ms).
      const per = Cout * L;
      for (let o = 0; o < Cout; o++) mem.fill(b[o]!, j.yBase + o * L, j.yBase + (o + 1) * L);
      for (let have = 1; have < N; have *= 2) mem.copyWithin(j.yBase + have * per, j.yBase, j.yBase + Math.min(have, N - have) * per);
    }
    j.nChunks = Math.min(N, 4 * (1 + this.pool.ready()));
    this.calls++;
    this.pool.runSamples(j, this.own);
    y.set(mem.subarray(j.yBase, j.yBase + N * Cout * L));
  }

  /** Whether forward() can compute y in place (no padding rows or columns in the kernel's C layout). */
  forwardFits(g: ConvGeom, Cout: number, groups: number): boolean {
    return (g.oH * g.oW) % this.nr === 0 && (Cout / groups) % this.mr === 0;
  }

  /**
   * The weight gradient's group sums: sums[c] (c < ceil(N / SAMPLE_GROUP)) gets Σ_{n in group c} gy[n] · cols[n]ᵀ as
   * [Cout, rows] (per conv group [Cog, rows] blocks, group-major as dw). conv.ts adds them in order.
   */
  weightGroupSums(x: Float32Array, N: number, g: ConvGeom, groups: number, Cout: number, gy: Float32Array, sums: Float32Array[]): void {
    const rows = g.C * g.kH * g.kW,
      L = g.oH * g.oW,
      Cog = Cout / groups;
    const nGroups = Math.ceil(N / SAMPLE_GROUP);
    const mPad = Math.ceil(Cog / this.mr) * this.mr,
      ldS = Math.ceil(rows / this.nr) * this.nr;
    const gStride = align4(mPad * ldS),
      sStride = groups * gStride;
    // x is copied into the layout; w is not needed (an empty copy).
    this.layout(1, x, N, g, groups, Cout, x.subarray(0, 0), N * Cout * L, nGroups * sStride);
    const j = this.job,
      mem = this.f32;
    j.ldS = ldS;
    j.gStride = gStride;
    j.sStride = sStride;
    j.nChunks = nGroups;
    mem.set(gy.subarray(0, N * Cout * L), j.yBase);
    this.calls++;
    this.pool.runSamples(j, this.own);
    for (let c = 0; c < nGroups; c++) {
      const s = sums[c]!;
      for (let gg = 0; gg < groups; gg++)
        for (let o = 0; o < Cog; o++) {
          const src = j.sBase + c * sStride + gg * gStride + o * ldS;
          s.set(mem.subarray(src, src + rows), (gg * Cog + o) * rows);
        }
    }
  }
}
