// Worker threads for the WebAssembly sgemm (setNumThreads on the 'wasm' backend, issue 12 "Threads").
//
// A pool of n-1 worker_threads, each instantiating the sgemm module (wasm-sgemm.ts, compiled with an imported shared
// memory) and the im2col/col2im kernels (wasm-kernels.ts) over ONE shared WebAssembly.Memory that the calling
// thread's kernels also use: the process's wasm heap (wasm-heap.ts). Per call the caller copies into that memory the
// operands not already resident in it (as the 1-thread kernels do), writes the job into a SharedArrayBuffer control
// block, bumps a generation counter and wakes the workers with
// Atomics.notify. The job is cut into chunks (about four per thread); the caller and the workers claim chunks one by
// one with a compare-exchange until none are left, so a worker that the OS does not schedule (a shared machine)
// delays nothing: the caller takes its chunks. The caller then Atomics.waits until every chunk is done. Nothing is
// posted or allocated per call.
//
// Numerics: an sgemm is split over whole micro-panels of C (never over K) and im2col/col2im over whole samples, and
// every chunk runs the same code as a 1-thread call, so each output element goes through the same instruction
// sequence: results are bit-identical whatever the thread count (test/engine/kernels/wasm-threads.test.ts).
//
// Lifecycle: the pool is started lazily (the first large wasm product after setNumThreads(n > 1)); workers load in the
// background and join calls once they are ready (until then the caller computes alone). Workers are unref'd, so
// they never keep the process alive, and setNumThreads(1) (or another count) stops them.

import { Worker } from 'node:worker_threads';
import { sgemmModuleBytes, type PanelJob, type SgemmPool } from './wasm-sgemm.ts';
import { kernelModuleBytes, type ConvChunks, type KernelPool } from './wasm-kernels.ts';
import { SAMPLE_KEYS, type SampleJob, type SamplePool } from './wasm-conv-samples.ts';
import { WasmHeap } from './wasm-heap.ts';
import { inheritedExecArgv, siblingModule, workerBootstrap } from '../../worker-threads.ts';

/**
 * M*N*K below which a product stays on one thread: waking a worker and waiting for it costs tens of microseconds, and
 * below ~2^20 multiply-adds (~60 µs of kernel time here) the split does not pay (bench/native.bench.ts --threads).
 * BOARD_WASM_THREAD_MIN overrides it (benchmarks, tests).
 */
export const THREAD_MIN_FLOPS = 1 << 20;

/** THREAD_MIN_FLOPS, or BOARD_WASM_THREAD_MIN when set. */
export function threadMinFlops(): number {
  const env = typeof process === 'object' && process.env?.BOARD_WASM_THREAD_MIN ? Number(process.env.BOARD_WASM_THREAD_MIN) : NaN;
  return Number.isFinite(env) && env >= 0 ? env : THREAD_MIN_FLOPS;
}

// Control block (Int32 indices) and job area (Float64 indices, from byte JOB_BYTE).
// CLAIM holds (generation & 0xffff) << 16 | next unclaimed chunk: a claim is a compare-exchange that fails once the
// generation moved on, so a worker that wakes late can never take a chunk of a job it did not read.
export const CTRL = { SEQ: 0, DONE: 1, STOP: 2, ERR: 3, KIND: 4, CLAIM: 5, WORKER_CHUNKS: 6, CALLER_CHUNKS: 7, READY: 16 } as const;
/** What a generation asks of the workers (CTRL.KIND): an sgemm, a wasm-kernels.ts im2col/col2im call, or a
 * wasm-conv-samples.ts per-sample convolution. */
export const KIND = { sgemm: 0, im2col: 1, col2im: 2, samples: 3 } as const;
export const JOB_BYTE = 1024;
/** Job fields of an sgemm, in this order, at job[0..). */
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
  'byCols',
  'panels',
  'nChunks',
  'scratch0',
  'scratch',
  'packedBOff',
] as const satisfies ReadonlyArray<keyof PanelJob>;
/** A kernel call's job: its 16 arguments, then planeBytes, colBytes, N, nChunks (ConvChunks). */
export const CONV_FIELDS = 20;
/** Most workers a pool can have. */
export const MAX_WORKERS = 200;
/** Most chunks per call (the CLAIM word's low 16 bits). */
export const MAX_CHUNKS = 0xffff;

/** The next unclaimed chunk of generation `gen` (of nChunks), or -1 when none is left or the generation moved on. */
export function claim(ctrl: Int32Array, gen: number, nChunks: number): number {
  const g = gen & 0xffff;
  for (;;) {
    const v = Atomics.load(ctrl, CTRL.CLAIM);
    const c = v & 0xffff;
    if (v >>> 16 !== g || c >= nChunks) return -1;
    if (Atomics.compareExchange(ctrl, CTRL.CLAIM, v, v + 1) === v) return c;
  }
}

/**
 * How long (µs) a worker polls for the next job after finishing one before it sleeps in Atomics.wait (and the caller
 * polls for the workers' last chunks before it sleeps): a futex wake-up of an idle core costs tens of µs here.
 * BOARD_WASM_SPIN_US overrides it.
 */
export const SPIN_US_DEFAULT = 0;

/** SPIN_US_DEFAULT, or BOARD_WASM_SPIN_US when set. */
export function spinUs(): number {
  const env = typeof process === 'object' && process.env?.BOARD_WASM_SPIN_US ? Number(process.env.BOARD_WASM_SPIN_US) : NaN;
  return Number.isFinite(env) && env >= 0 ? env : SPIN_US_DEFAULT;
}

/** Polls ctrl[i] until it differs from v or `us` microseconds passed; returns whether it changed. */
export function spinWhile(ctrl: Int32Array, i: number, v: number, us: number): boolean {
  if (us <= 0) return Atomics.load(ctrl, i) !== v;
  const end = performance.now() + us / 1000;
  for (let k = 0; ; k++) {
    if (Atomics.load(ctrl, i) !== v) return true;
    if ((k & 63) === 63 && performance.now() > end) return false;
  }
}

export interface WorkerInit {
  spinUs: number;
  module: WebAssembly.Module;
  kernels: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: SharedArrayBuffer;
  index: number;
  mr: number;
  nr: number;
}

const ENTRY = siblingModule('wasm-threads-worker', import.meta.url);

/** A worker that fails to start marks its ready slot -1 (the caller stops waiting for it) and says why. */
function bootstrapSource(): string {
  return workerBootstrap(
    ENTRY,
    `const { workerData } = require('node:worker_threads');
      const c = new Int32Array(workerData.ctrl);
      Atomics.store(c, ${CTRL.READY} + workerData.index, -1);
      Atomics.notify(c, ${CTRL.READY} + workerData.index);
      process.stderr.write('board: wasm sgemm worker failed to start: ' + String((e && e.stack) || e) + '\\n');`,
  );
}

export interface PoolKernel {
  mr: number;
  nrv: number;
  unroll: number;
  fma: boolean;
}

/** n - 1 workers over one shared memory (none for 1 thread: then only its resident region is used); the caller is thread 0. */
export class WasmThreadPool implements SgemmPool, KernelPool, SamplePool {
  readonly memory: WebAssembly.Memory;
  private readonly ctrl: Int32Array;
  private readonly job: Float64Array;
  private readonly workers: Worker[] = [];
  private readonly minFlops: number;
  private seq = 0;
  private closed = false;
  private readonly spinUs: number;

  /** Split calls (sgemm products, im2col/col2im calls) and resident() calls: tests check the split ran. */
  readonly stats = { products: 0, kernelCalls: 0, resident: 0, sampleCalls: 0 };

  /** The memory's blocks (wasm-heap.ts): resident arrays, and the scratch resident() hands out. */
  readonly heap: WasmHeap;

  /**
   * Floats at the start of the shared memory held by the heap's blocks (resident arrays and scratch): the kernels lay
   * out their per-call operands and scratch after them.
   */
  get reservedFloats(): number {
    return this.heap.reservedFloats;
  }

  /**
   * A view of `floats` floats of the shared memory that stays put while the kernels run: a convolution's column
   * matrix written there by im2col is read by the GEMMs in place (residentOffset), and a GEMM's result there by
   * col2im, so the 6.5 MB matrix is never copied out of and back into the shared memory. The contents last until the
   * next resident() call (WasmHeap.scratch).
   */
  resident(floats: number): Float32Array {
    this.stats.resident++;
    return this.heap.scratch(floats);
  }

  /** X's float offset in the shared memory when X is a view of it (resident() or a heap block), else -1. */
  residentOffset(X: Float32Array): number {
    return this.heap.offsetOf(X);
  }

  /** Chunks run so far by the workers and by the caller: how much of the work the workers actually took. */
  chunkCounts(): { workers: number; caller: number } {
    return { workers: Atomics.load(this.ctrl, CTRL.WORKER_CHUNKS), caller: Atomics.load(this.ctrl, CTRL.CALLER_CHUNKS) };
  }

  /**
   * `size` threads besides the caller, running the kernel variant `k` (the caller's WasmSgemm must match it);
   * minFlops: M*N*K below which products stay on the caller (default THREAD_MIN_FLOPS or BOARD_WASM_THREAD_MIN).
   */
  constructor(
    readonly size: number,
    k: PoolKernel,
    minFlops?: number,
    heap?: WasmHeap,
  ) {
    if (!Number.isInteger(size) || size < 0 || size > MAX_WORKERS) throw new Error(`WasmThreadPool: bad worker count ${size}`);
    this.minFlops = minFlops ?? threadMinFlops();
    this.spinUs = spinUs();
    // The process's heap (kernels/index.ts passes it), so that arrays resident in it outlive this pool; a pool made
    // without one (tests) gets a heap of its own.
    this.heap = heap ?? new WasmHeap();
    this.memory = this.heap.memory;
    const sab = new SharedArrayBuffer(JOB_BYTE + 8 * Math.max(JOB_KEYS.length, CONV_FIELDS, SAMPLE_KEYS.length));
    this.ctrl = new Int32Array(sab, 0, JOB_BYTE / 4);
    this.job = new Float64Array(sab, JOB_BYTE);
    const module = new WebAssembly.Module(sgemmModuleBytes(k.mr, k.nrv, k.unroll, k.fma, true));
    const kernels = new WebAssembly.Module(kernelModuleBytes(true));
    const source = bootstrapSource();
    for (let i = 0; i < size; i++) {
      const workerData: WorkerInit = {
        spinUs: this.spinUs,
        module,
        kernels,
        memory: this.memory,
        ctrl: sab,
        index: i,
        mr: k.mr,
        nr: k.nrv * 4,
      };
      const w = new Worker(source, { eval: true, execArgv: inheritedExecArgv(), workerData });
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

  run(job: PanelJob, own: (chunk: number) => void): void {
    const jf = this.job;
    for (let i = 0; i < JOB_KEYS.length; i++) {
      const v = job[JOB_KEYS[i]!];
      jf[i] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    }
    this.stats.products++;
    this.go(KIND.sgemm, job.nChunks, own);
  }

  runKernel(fn: 'im2col' | 'col2im', conv: ConvChunks, own: (chunk: number) => void): void {
    const jf = this.job;
    for (let i = 0; i < 16; i++) jf[i] = conv.args[i]!;
    jf[16] = conv.planeBytes;
    jf[17] = conv.colBytes;
    jf[18] = conv.N;
    jf[19] = conv.nChunks;
    this.stats.kernelCalls++;
    this.go(KIND[fn], conv.nChunks, own);
  }

  runSamples(job: SampleJob, own: (chunk: number) => void): void {
    const jf = this.job;
    for (let i = 0; i < SAMPLE_KEYS.length; i++) jf[i] = job[SAMPLE_KEYS[i]!];
    this.stats.sampleCalls++;
    this.go(KIND.samples, job.nChunks, own);
  }

  /**
   * Publishes the job written above as a new generation, claims and runs chunks on the caller until none is left,
   * then waits for the chunks the workers claimed.
   */
  private go(kind: number, nChunks: number, own: (chunk: number) => void): void {
    if (nChunks > MAX_CHUNKS) throw new Error(`WasmThreadPool: ${nChunks} chunks (at most ${MAX_CHUNKS})`);
    const ctrl = this.ctrl;
    const gen = (this.seq = (this.seq + 1) | 0);
    Atomics.store(ctrl, CTRL.DONE, 0);
    Atomics.store(ctrl, CTRL.ERR, 0);
    Atomics.store(ctrl, CTRL.KIND, kind);
    Atomics.store(ctrl, CTRL.CLAIM, (gen & 0xffff) << 16);
    Atomics.store(ctrl, CTRL.SEQ, gen);
    Atomics.notify(ctrl, CTRL.SEQ);
    for (let c = claim(ctrl, gen, nChunks); c >= 0; c = claim(ctrl, gen, nChunks)) {
      own(c);
      Atomics.add(ctrl, CTRL.DONE, 1);
      Atomics.add(ctrl, CTRL.CALLER_CHUNKS, 1);
    }
    const start = Date.now();
    for (;;) {
      const d = Atomics.load(ctrl, CTRL.DONE);
      if (d >= nChunks) break;
      if (this.spinUs > 0 && spinWhile(ctrl, CTRL.DONE, d, this.spinUs)) continue;
      if (Atomics.wait(ctrl, CTRL.DONE, d, 1000) === 'timed-out' && Date.now() - start > 120_000) {
        throw new Error('wasm sgemm: worker threads did not finish within 120 s');
      }
    }
    if (Atomics.load(ctrl, CTRL.ERR) !== 0) throw new Error('wasm sgemm: a worker thread failed (see stderr)');
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
