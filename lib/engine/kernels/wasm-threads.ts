// Worker threads for the WebAssembly sgemm (setNumThreads on the 'wasm' backend, issue 12 "Threads").
//
// A pool of n-1 worker_threads, each instantiating the sgemm module (wasm-sgemm.ts, compiled with an imported shared
// memory) over ONE shared WebAssembly.Memory that the calling thread's kernel also uses. Per product the caller copies
// A and B into that memory (as the 1-thread kernel does), writes the job and one rectangle of C per worker into a
// SharedArrayBuffer control block, bumps a generation counter and wakes the workers with Atomics.notify; it then
// computes its own rectangle and Atomics.waits for the others. Nothing is posted or allocated per call.
//
// Numerics: C is split over whole micro-panels of output (never over K), and each thread runs the same packing and
// macro-kernel code on its tiles, so every element goes through the same instruction sequence as with 1 thread:
// results are bit-identical whatever the thread count (test/engine/kernels/wasm-threads.test.ts).
//
// Lifecycle: the pool is started lazily (the first large wasm product after setNumThreads(n > 1)); workers load in the
// background and join products once they are ready (until then the caller computes alone). Workers are unref'd, so
// they never keep the process alive, and setNumThreads(1) (or another count) stops them.

import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { SHARED_MAX_PAGES, sgemmModuleBytes, type PanelJob, type PanelPart, type SgemmPool } from './wasm-sgemm.ts';
import { kernelModuleBytes, type KernelPool } from './wasm-kernels.ts';

/**
 * M*N*K below which a product stays on one thread: waking a worker and waiting for it costs tens of microseconds, and
 * below ~2^20 multiply-adds (~60 µs of kernel time here) the split does not pay (bench/native.bench.ts --threads).
 * BOARD_WASM_THREAD_MIN overrides it (benchmarks, tests).
 */
export const THREAD_MIN_FLOPS = 1 << 20;

// Control block (Int32 indices) and job area (Float64 indices, from byte JOB_BYTE).
export const CTRL = { SEQ: 0, DONE: 1, STOP: 2, ERR: 3, KIND: 4, READY: 16 } as const;
/** What a generation asks of the workers (CTRL.KIND): a part of an sgemm, or a wasm-kernels.ts im2col/col2im call. */
export const KIND = { sgemm: 0, im2col: 1, col2im: 2 } as const;
export const JOB_BYTE = 4096;
/** Job fields, in this order, at job[0..JOB_FIELDS). */
export const JOB_KEYS = [
  'transA',
  'transB',
  'M',
  'N',
  'K',
  'alpha',
  'beta',
  'rawA',
  'lda',
  'rawB',
  'ldb',
  'cBase',
  'ldc',
  'kcMax',
  'mc',
  'nc',
] as const satisfies ReadonlyArray<keyof PanelJob>;
/**
 * Per-worker slot after the job fields: for sgemm r0, r1, c0, c1, packedA, packedB; for a kernel call its 16
 * arguments. The slot's generation (Int32) is at READY + GEN + i.
 */
export const SLOT = 16;
export const GEN = 512;
/** Most workers a pool can have (the control block's READY/GEN ranges). */
export const MAX_WORKERS = 255;

export interface WorkerInit {
  module: WebAssembly.Module;
  kernels: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: SharedArrayBuffer;
  index: number;
  mr: number;
  nr: number;
}

const ENTRY = new URL('./wasm-threads-worker' + (import.meta.url.endsWith('.ts') ? '.ts' : '.js'), import.meta.url);

/** Bootstraps a worker: registers tsx when the library runs from TypeScript sources, then loads the entry (as the
 * DataLoader's worker-pool.ts does). */
function bootstrapSource(): string {
  const entry = ENTRY.href;
  let tsxApi = '';
  if (entry.endsWith('.ts')) {
    const require = createRequire(import.meta.url);
    tsxApi = require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  }
  return `
    (async () => {
      const tsxApi = ${JSON.stringify(tsxApi)};
      if (tsxApi) { const { register } = await import(${JSON.stringify('file://')} + tsxApi); register(); }
      await import(${JSON.stringify(entry)});
    })().catch((e) => {
      const { workerData } = require('node:worker_threads');
      const c = new Int32Array(workerData.ctrl);
      Atomics.store(c, ${CTRL.READY} + workerData.index, -1);
      Atomics.notify(c, ${CTRL.READY} + workerData.index);
      process.stderr.write('board: wasm sgemm worker failed to start: ' + String((e && e.stack) || e) + '\\n');
    });
  `;
}

function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--conditions=') || a.startsWith('-C=')) out.push(a);
    else if ((a === '--conditions' || a === '-C') && i + 1 < argv.length) out.push(a, argv[++i]!);
    else if (a.startsWith('--experimental-wasm-')) out.push(a);
  }
  return out;
}

export interface PoolKernel {
  mr: number;
  nrv: number;
  unroll: number;
  fma: boolean;
}

/** n - 1 workers over one shared memory; the caller is thread 0. */
export class WasmThreadPool implements SgemmPool, KernelPool {
  readonly memory: WebAssembly.Memory;
  private readonly ctrl: Int32Array;
  private readonly job: Float64Array;
  private readonly workers: Worker[] = [];
  private readonly minFlops: number;
  private seq = 0;
  private closed = false;

  /** Generations handed to at least one worker (sgemm products, im2col/col2im calls): tests check the split ran. */
  readonly stats = { products: 0, kernelCalls: 0 };

  /**
   * `size` threads besides the caller, running the kernel variant `k` (the caller's WasmSgemm must match it);
   * minFlops: M*N*K below which products stay on the caller (default THREAD_MIN_FLOPS or BOARD_WASM_THREAD_MIN).
   */
  constructor(
    readonly size: number,
    k: PoolKernel,
    minFlops?: number,
  ) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_WORKERS) throw new Error(`WasmThreadPool: bad worker count ${size}`);
    const env = typeof process === 'object' && process.env?.BOARD_WASM_THREAD_MIN ? Number(process.env.BOARD_WASM_THREAD_MIN) : NaN;
    this.minFlops = minFlops ?? (Number.isFinite(env) && env >= 0 ? env : THREAD_MIN_FLOPS);
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: SHARED_MAX_PAGES, shared: true });
    const sab = new SharedArrayBuffer(JOB_BYTE + 8 * (JOB_KEYS.length + SLOT * size));
    this.ctrl = new Int32Array(sab, 0, JOB_BYTE / 4);
    this.job = new Float64Array(sab, JOB_BYTE);
    const module = new WebAssembly.Module(sgemmModuleBytes(k.mr, k.nrv, k.unroll, k.fma, true));
    const kernels = new WebAssembly.Module(kernelModuleBytes(true));
    const source = bootstrapSource();
    for (let i = 0; i < size; i++) {
      const workerData: WorkerInit = { module, kernels, memory: this.memory, ctrl: sab, index: i, mr: k.mr, nr: k.nrv * 4 };
      const w = new Worker(source, { eval: true, execArgv: workerExecArgv(), workerData });
      w.unref();
      // A worker that dies is marked not ready (the caller then computes its share); errors inside a product are
      // reported through the ERR flag instead.
      w.on('error', () => Atomics.store(this.ctrl, CTRL.READY + i, -1));
      w.on('exit', () => Atomics.store(this.ctrl, CTRL.READY + i, -1));
      this.workers.push(w);
    }
  }

  /** Workers ready to take part. */
  ready(): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) if (Atomics.load(this.ctrl, CTRL.READY + i) === 1) n++;
    return n;
  }

  /** Blocks until every worker is ready (or failed) or timeoutMs passed; returns the ready count. */
  waitReady(timeoutMs = 30_000): number {
    const end = Date.now() + timeoutMs;
    for (let i = 0; i < this.size; i++) {
      while (Atomics.load(this.ctrl, CTRL.READY + i) === 0) {
        const left = end - Date.now();
        if (left <= 0) return this.ready();
        Atomics.wait(this.ctrl, CTRL.READY + i, 0, Math.min(left, 50));
      }
    }
    return this.ready();
  }

  threadsFor(M: number, N: number, K: number): number {
    if (this.closed || M * N * K < this.minFlops) return 1;
    return 1 + this.ready();
  }

  run(job: PanelJob, parts: PanelPart[], own: () => void): void {
    const ctrl = this.ctrl,
      jf = this.job,
      nk = JOB_KEYS.length;
    const gen = this.begin(KIND.sgemm);
    for (let i = 0; i < nk; i++) {
      const v = job[JOB_KEYS[i]!];
      jf[i] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    }
    // Parts 1.. go to ready workers in order; a worker that is not ready keeps an old slot generation and skips.
    let t = 1;
    for (let i = 0; i < this.size && t < parts.length; i++) {
      if (Atomics.load(ctrl, CTRL.READY + i) !== 1) continue;
      const p = parts[t++]!,
        s = nk + SLOT * i;
      jf[s] = p.r0;
      jf[s + 1] = p.r1;
      jf[s + 2] = p.c0;
      jf[s + 3] = p.c1;
      jf[s + 4] = p.packedA;
      jf[s + 5] = p.packedB;
      Atomics.store(ctrl, CTRL.READY + GEN + i, gen);
    }
    const assigned = t - 1;
    if (assigned > 0) this.stats.products++;
    if (t < parts.length) {
      // A worker left between threadsFor and now (it died): take its parts here.
      for (let u = t; u < parts.length; u++) this.runOwn(parts, u, own);
    }
    this.finish(gen, assigned, own);
  }

  runKernel(fn: 'im2col' | 'col2im', args: number[][], parts: number, own: () => void): void {
    const ctrl = this.ctrl,
      jf = this.job,
      nk = JOB_KEYS.length;
    const gen = this.begin(KIND[fn]);
    let t = 1;
    for (let i = 0; i < this.size && t < parts; i++) {
      if (Atomics.load(ctrl, CTRL.READY + i) !== 1) continue;
      const a = args[t++]!,
        s = nk + SLOT * i;
      for (let j = 0; j < SLOT; j++) jf[s + j] = a[j]!;
      Atomics.store(ctrl, CTRL.READY + GEN + i, gen);
    }
    const assigned = t - 1;
    if (assigned > 0) this.stats.kernelCalls++;
    for (let u = t; u < parts; u++) {
      const first = args[0]!;
      args[0] = args[u]!;
      args[u] = first;
      try {
        own();
      } finally {
        args[u] = args[0]!;
        args[0] = first;
      }
    }
    this.finish(gen, assigned, own);
  }

  /** Starts a generation: a new sequence number, counters cleared, the job kind set (before any slot is). */
  private begin(kind: number): number {
    const gen = (this.seq = (this.seq + 1) | 0);
    Atomics.store(this.ctrl, CTRL.DONE, 0);
    Atomics.store(this.ctrl, CTRL.ERR, 0);
    Atomics.store(this.ctrl, CTRL.KIND, kind);
    return gen;
  }

  /** Publishes the generation, runs the caller's part, waits for the `assigned` workers. */
  private finish(gen: number, assigned: number, own: () => void): void {
    const ctrl = this.ctrl;
    Atomics.store(ctrl, CTRL.SEQ, gen);
    Atomics.notify(ctrl, CTRL.SEQ);
    own();
    const start = Date.now();
    for (;;) {
      const d = Atomics.load(ctrl, CTRL.DONE);
      if (d >= assigned) break;
      if (Atomics.wait(ctrl, CTRL.DONE, d, 1000) === 'timed-out' && Date.now() - start > 120_000) {
        throw new Error('wasm sgemm: worker threads did not finish within 120 s');
      }
    }
    if (Atomics.load(ctrl, CTRL.ERR) !== 0) throw new Error('wasm sgemm: a worker thread failed (see stderr)');
  }

  /** Runs part u on the caller by swapping it into parts[0] for `own` (a rare path: a worker died mid-call). */
  private runOwn(parts: PanelPart[], u: number, own: () => void): void {
    const first = parts[0]!;
    parts[0] = parts[u]!;
    parts[u] = first;
    try {
      own();
    } finally {
      parts[u] = parts[0]!;
      parts[0] = first;
    }
  }

  /** Stops the workers (they exit at their next wake-up; terminate() makes sure). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, CTRL.STOP, 1);
    Atomics.store(this.ctrl, CTRL.SEQ, (this.seq = (this.seq + 1) | 0));
    Atomics.notify(this.ctrl, CTRL.SEQ);
    for (const w of this.workers) void w.terminate();
  }
}
