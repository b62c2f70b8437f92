// setNumThreads on the wasm backend (wasm-threads.ts): products and batched im2col/col2im split over worker threads
// sharing one WebAssembly memory must give bit-identical results to 1 thread, the pool must stop on setNumThreads(1)
// (or a new count), and its workers must never keep a process alive.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rng, TRANS } from './reference.ts';
import {
  col2imBatch,
  gemmBackend,
  im2colBatch,
  setGemmBackend,
  sgemm,
  startWasmThreads,
  wasmThreadStats,
  wasmWorkerCount,
} from '../../../lib/engine/kernels/index.ts';
import { getNumThreads, setNumThreads } from '../../../lib/engine/kernels/backend.ts';
import { WasmSgemm, wasmSimdSupported } from '../../../lib/engine/kernels/wasm-sgemm.ts';
import { WasmThreadPool } from '../../../lib/engine/kernels/wasm-threads.ts';
import { convOutSize, type ConvGeom } from '../../../lib/engine/kernels/im2col.ts';
import { nn, optim, Tensor } from '../../../lib/index.ts';
import { manualSeed, randint, randn } from '../../../lib/engine/index.ts';

const initialBackend = gemmBackend();
const initialThreads = getNumThreads();
afterAll(() => {
  setNumThreads(initialThreads);
  setGemmBackend(initialBackend);
});

function fill(n: number, rand: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rand() * 2 - 1;
  return a;
}

function sameBits(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length),
    y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let diff = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) diff++;
  return diff;
}

interface ConvCase {
  N: number;
  Cin: number;
  Cout: number;
  H: number;
  W: number;
  k: number;
  pad: number;
  stride: number;
  groups: number;
}

/**
 * One Conv2d forward and backward on 1, 2, 1 and 2 threads from the same seed; y and the input, weight and bias
 * gradients must agree bit for bit across all four. `onTwoThreads` checks the pool's counters after the forward and
 * after the backward pass of each 2-thread run.
 */
function convSameBitsOnThreads(c: ConvCase, seed: number, onTwoThreads: (phase: 'forward' | 'backward') => void): void {
  const res: Float32Array[][] = [];
  for (const t of [1, 2, 1, 2]) {
    setNumThreads(t);
    if (t > 1) startWasmThreads();
    manualSeed(seed);
    const conv = new nn.Conv2d(c.Cin, c.Cout, c.k, { padding: c.pad, stride: c.stride, groups: c.groups });
    const x = randn([c.N, c.Cin, c.H, c.W]).requiresGrad_();
    const y = conv.call(x) as Tensor;
    if (t > 1) onTwoThreads('forward');
    const gy = randn(y.shape);
    y.mul(gy).sum().backward();
    if (t > 1) onTwoThreads('backward');
    res.push([
      y.dataSync() as Float32Array,
      x.grad!.dataSync() as Float32Array,
      conv.weight.grad!.dataSync() as Float32Array,
      conv.bias!.grad!.dataSync() as Float32Array,
    ]);
  }
  setNumThreads(1);
  for (let r = 1; r < res.length; r++) for (let i = 0; i < 4; i++) expect(sameBits(res[0]![i]!, res[r]![i]!)).toBe(0);
}

type Kernel = (
  tA: boolean,
  tB: boolean,
  M: number,
  N: number,
  K: number,
  al: number,
  A: Float32Array,
  aO: number,
  lda: number,
  B: Float32Array,
  bO: number,
  ldb: number,
  be: number,
  C: Float32Array,
  cO: number,
  ldc: number,
) => void;

/** Runs one product with two kernels on the same inputs (strided views inside larger buffers); returns both Cs. */
function twice(
  k1: Kernel,
  k2: Kernel,
  tA: boolean,
  tB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  beta: number,
  pad: number,
  seed: number,
) {
  const rand = rng(seed);
  const aRows = tA ? K : M,
    aCols = tA ? M : K,
    bRows = tB ? N : K,
    bCols = tB ? K : N;
  const lda = aCols + pad,
    ldb = bCols + pad,
    ldc = N + pad;
  const A = fill(3 + aRows * lda, rand),
    B = fill(5 + bRows * ldb, rand);
  const C0 = beta === 0 ? new Float32Array(7 + M * ldc).fill(NaN) : fill(7 + M * ldc, rand);
  const C1 = C0.slice();
  k1(tA, tB, M, N, K, alpha, A, 3, lda, B, 5, ldb, beta, C0, 7, ldc);
  k2(tA, tB, M, N, K, alpha, A, 3, lda, B, 5, ldb, beta, C1, 7, ldc);
  return [C0, C1] as const;
}

const SHAPES: Array<[number, number, number]> = [
  [513, 517, 300], // both edges ragged, K not a multiple of the slab
  [33, 2000, 77], // wide: split over columns
  [1001, 13, 530], // tall: split over rows
  [9, 9, 20000], // deep and narrow
  [5, 257, 1], // K = 1
  [3, 3000, 40], // fewer rows than a micro-panel
];

describe.skipIf(!wasmSimdSupported())('wasm sgemm on worker threads', () => {
  it('a pool over shared memory gives bit-identical results to the 1-thread kernel (every transpose, odd shapes, split path)', () => {
    for (const workers of [1, 2]) {
      const pool = new WasmThreadPool(workers, { mr: 4, nrv: 2, unroll: 1, fma: false }, 0);
      try {
        expect(pool.waitReady()).toBe(workers);
        // A small working-set budget also sends the larger shapes through the M/N/K splitting recursion.
        for (const workMaxFloats of [undefined, 200_000]) {
          const one = new WasmSgemm({ workMaxFloats });
          const many = new WasmSgemm({ workMaxFloats, pool });
          let seed = 11;
          for (const [tA, tB] of TRANS) {
            for (const [M, N, K] of SHAPES) {
              for (const [alpha, beta] of [
                [1, 0],
                [0.7, 0.3],
              ] as const) {
                const [c0, c1] = twice(one.gemm.bind(one), many.gemm.bind(many), tA, tB, M, N, K, alpha, beta, seed % 2 ? 3 : 0, seed++);
                expect(sameBits(c0, c1), `${workers} workers ${tA} ${tB} ${M}x${N}x${K} a=${alpha} b=${beta}`).toBe(0);
              }
            }
          }
        }
        expect(pool.stats.products).toBeGreaterThan(0);
      } finally {
        pool.close();
      }
    }
  });

  it('setNumThreads(2) splits public sgemm calls bit-identically; setNumThreads(1) stops the pool', () => {
    setGemmBackend('wasm-simd');
    setNumThreads(1);
    const cases: Array<[boolean, boolean, number, number, number]> = [
      [false, false, 257, 263, 129],
      [true, false, 16, 36869, 25],
      [false, true, 1031, 10, 512],
    ];
    const results = cases.map(([tA, tB, M, N, K], i) => {
      const k1: Kernel = (...a) => {
        setNumThreads(1);
        sgemm(...a);
      };
      const k2: Kernel = (...a) => {
        setNumThreads(2);
        expect(startWasmThreads()).toBe(1);
        sgemm(...a);
      };
      return twice(k1, k2, tA, tB, M, N, K, 1, 0, 1, 100 + i);
    });
    expect(wasmWorkerCount()).toBe(1);
    expect(wasmThreadStats().products).toBeGreaterThan(0);
    for (const [c0, c1] of results) expect(sameBits(c0, c1)).toBe(0);
    setNumThreads(3);
    expect(wasmWorkerCount()).toBe(0); // a new count stops the old pool; the new one starts on first use
    expect(startWasmThreads()).toBe(2);
    expect(wasmWorkerCount()).toBe(2);
    setNumThreads(1);
    expect(wasmWorkerCount()).toBe(0);
    expect(getNumThreads()).toBe(1);
  });

  it('batched im2col / col2im split over samples match 1 thread bit for bit', () => {
    setGemmBackend('wasm-simd');
    const rand = rng(7);
    const geoms: ConvGeom[] = [];
    for (const [C, H, W, k, s, p, d] of [
      [16, 12, 12, 5, 1, 0, 1],
      [3, 31, 29, 3, 2, 1, 1],
      [8, 17, 20, 3, 1, 2, 2],
    ]) {
      const oH = convOutSize(H, k, s, p, p, d),
        oW = convOutSize(W, k, s, p, p, d);
      geoms.push({
        C,
        inD: 1,
        inH: H,
        inW: W,
        kD: 1,
        kH: k,
        kW: k,
        sD: 1,
        sH: s,
        sW: s,
        pD: 0,
        pH: p,
        pW: p,
        dD: 1,
        dH: d,
        dW: d,
        oD: 1,
        oH,
        oW,
      });
    }
    for (const g of geoms) {
      const N = 37,
        L = g.oH * g.oW,
        rows = g.C * g.kH * g.kW;
      const x = fill(N * g.C * g.inH * g.inW, rand),
        cols = fill(rows * N * L, rand);
      const out: Float32Array[][] = [];
      for (const t of [1, 2]) {
        setNumThreads(t);
        if (t > 1) startWasmThreads();
        const before = wasmThreadStats().kernelCalls;
        const c = new Float32Array(rows * N * L);
        im2colBatch(x, N, g, c);
        const dx = new Float32Array(x.length).fill(0.25);
        col2imBatch(cols, N, g, dx);
        if (t > 1 && rows * N * L >= 1 << 18) expect(wasmThreadStats().kernelCalls).toBe(before + 2);
        out.push([c, dx]);
      }
      expect(sameBits(out[0]![0]!, out[1]![0]!)).toBe(0);
      expect(sameBits(out[0]![1]!, out[1]![1]!)).toBe(0);
    }
    setNumThreads(1);
  });

  it('a CNN trains to the same bits with 1 and 2 threads', () => {
    setGemmBackend('wasm-simd');
    const losses: number[][] = [];
    const weights: Float32Array[] = [];
    for (const t of [1, 2]) {
      setNumThreads(t);
      if (t > 1) startWasmThreads();
      manualSeed(3);
      const m = new nn.Sequential(
        new nn.Conv2d(1, 8, 5),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Conv2d(8, 16, 5),
        new nn.ReLU(),
        new nn.Flatten(),
        new nn.Linear(16 * 8 * 8, 10),
      );
      const opt = new optim.Adam([...m.parameters()], { lr: 1e-3 });
      const lossFn = new nn.CrossEntropyLoss();
      const x = randn([32, 1, 28, 28]),
        y = randint(0, 10, [32]);
      const ls: number[] = [];
      for (let i = 0; i < 3; i++) {
        const l = lossFn.call(m.call(x), y) as Tensor;
        opt.zeroGrad();
        l.backward();
        opt.step();
        ls.push(Number(l.item()));
      }
      if (t > 1) expect(wasmThreadStats().products + wasmThreadStats().kernelCalls).toBeGreaterThan(0);
      losses.push(ls);
      weights.push(Float32Array.from([...m.parameters()].flatMap((p) => Array.from(p.dataSync() as Float32Array))));
    }
    setNumThreads(1);
    expect(losses[1]).toEqual(losses[0]);
    expect(sameBits(weights[0]!, weights[1]!)).toBe(0);
  });

  it('convolutions with the columns resident in shared memory match 1 thread bit for bit (groups, padding, odd sizes)', () => {
    // Batched path (Cin/groups * k * k >= 128): im2col writes the columns into the pool's memory and the GEMMs read them
    // there; the column gradient is written there and col2im reads it. N*L = 7*13*11 is not a multiple of the 8-wide
    // panel, so the column gradient also takes the in-memory copy path; groups = 2 offsets into the resident matrix.
    setGemmBackend('wasm-simd');
    const cases = [
      { N: 7, Cin: 32, Cout: 12, H: 15, W: 13, k: 3, pad: 1, stride: 1, groups: 2 },
      { N: 9, Cin: 16, Cout: 24, H: 12, W: 12, k: 5, pad: 0, stride: 1, groups: 1 },
      { N: 5, Cin: 8, Cout: 8, H: 20, W: 17, k: 5, pad: 2, stride: 2, groups: 1 },
    ];
    for (const c of cases)
      convSameBitsOnThreads(c, 11, (phase) => {
        if (phase === 'backward') expect(wasmThreadStats().resident).toBeGreaterThanOrEqual(3); // forward, weight and column gradients
      });
  });

  it('with 1 thread the columns are resident too (a pool without workers), and the results match the js backend', () => {
    const run = (be: 'wasm-simd' | 'js') => {
      setGemmBackend(be);
      setNumThreads(2);
      setNumThreads(1); // a fresh pool (and counters) for this run
      expect(wasmThreadStats().resident).toBe(0);
      manualSeed(4);
      const x = randn([6, 16, 12, 12]).requiresGrad_();
      const conv = new nn.Conv2d(16, 8, 5, { padding: 1 });
      const y = conv.call(x) as Tensor;
      y.mul(randn(y.shape)).sum().backward();
      return [y, x.grad!, conv.weight.grad!].map((t) => Float32Array.from(t.dataSync() as Float32Array));
    };
    const ref = run('js');
    const got = run('wasm-simd');
    expect(wasmWorkerCount()).toBe(0);
    expect(wasmThreadStats().resident).toBeGreaterThanOrEqual(3); // forward, weight and column gradients
    got.forEach((a, i) => {
      for (let j = 0; j < a.length; j++) expect(Math.abs(a[j]! - ref[i]![j]!)).toBeLessThan(1e-3 * (1 + Math.abs(ref[i]![j]!)));
    });
  });

  it('short-reduction convolutions split over samples match 1 thread bit for bit (fixed weight-gradient groups)', () => {
    // Cin/groups * k * k < 128: one small GEMM per sample; with threads the samples (forward) and the fixed groups of 8
    // samples (weight gradient) are split over the pool. N = 13 and 21 leave a short last group; L = 11*9 is not a
    // multiple of 8 (forward stays on the caller, the weight gradient still splits).
    setGemmBackend('wasm-simd');
    const cases = [
      { N: 21, Cin: 1, Cout: 16, H: 28, W: 28, k: 5, pad: 0, stride: 1, groups: 1, fwdSplit: true },
      { N: 13, Cin: 4, Cout: 8, H: 13, W: 11, k: 3, pad: 1, stride: 1, groups: 2, fwdSplit: false },
      { N: 9, Cin: 3, Cout: 12, H: 20, W: 20, k: 3, pad: 2, stride: 2, groups: 1, fwdSplit: false },
    ];
    for (const c of cases)
      convSameBitsOnThreads(c, 5, (phase) =>
        expect(wasmThreadStats().sampleCalls).toBe((phase === 'forward' ? 0 : 1) + (c.fwdSplit ? 1 : 0)),
      );
  });

  it('workers left running do not keep a process from exiting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'board-wasm-threads-'));
    try {
      const kernels = fileURLToPath(new URL('../../../lib/engine/kernels/', import.meta.url));
      const script = join(dir, 'exit.ts');
      writeFileSync(
        script,
        `import { setGemmBackend, sgemm, startWasmThreads } from ${JSON.stringify(kernels + 'index.ts')};
         import { setNumThreads } from ${JSON.stringify(kernels + 'backend.ts')};
         setGemmBackend('wasm-simd');
         setNumThreads(2);
         const ready = startWasmThreads();
         const n = 300, A = new Float32Array(n * n).fill(1), C = new Float32Array(n * n);
         sgemm(false, false, n, n, n, 1, A, 0, n, A, 0, n, 0, C, 0, n);
         console.log('done', ready, C[0]);
        `,
      );
      const repo = fileURLToPath(new URL('../../../', import.meta.url));
      const t0 = Date.now();
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=board-source', script], {
        cwd: repo,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('done 1 300');
      expect(r.status).toBe(0);
      expect(Date.now() - t0).toBeLessThan(60_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
