// Runs inside a wasm worker thread (wasm-threads.ts): instantiates the shared-memory sgemm module and the
// im2col/col2im kernels of wasm-kernels.ts over the pool's memory, then loops: Atomics.wait for a new generation, read
// its job, claim and run chunks until none is left, count each one done. No messages per call.
import { workerData } from 'node:worker_threads';
import { chunkPart, newJob, runPanels, type PanelPart, type SgemmExports } from './wasm-sgemm.ts';
import { kernelChunkArgs, type ConvChunks } from './wasm-kernels.ts';
import { newSampleJob, runSampleChunk, SAMPLE_KEYS } from './wasm-conv-samples.ts';
import { claim, CTRL, JOB_BYTE, JOB_KEYS, KIND, spinWhile, type WorkerInit } from './wasm-threads.ts';

type ConvFn = (...args: number[]) => void;

const init = workerData as WorkerInit;
const ctrl = new Int32Array(init.ctrl, 0, JOB_BYTE / 4);
const jf = new Float64Array(init.ctrl, JOB_BYTE);
const ex = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports as unknown as SgemmExports;
const kex = new WebAssembly.Instance(init.kernels, { env: { memory: init.memory } }).exports as unknown as Record<
  'im2col' | 'col2im',
  ConvFn
>;
const job = newJob();
const sjob = newSampleJob();
const pj = newJob();
const part: PanelPart = { r0: 0, r1: 0, c0: 0, c1: 0, packedA: 0, packedB: 0 };
const conv: ConvChunks = { args: new Array<number>(16).fill(0), planeBytes: 0, colBytes: 0, N: 0, nChunks: 0 };
const args = new Array<number>(16).fill(0);
/** This worker's thread number for scratch space (the caller is 0). */
const thread = init.index + 1;
let mem = new Float32Array(init.memory.buffer);

warmUp();

let seq = Atomics.load(ctrl, CTRL.SEQ);
Atomics.store(ctrl, CTRL.READY + init.index, 1);
Atomics.notify(ctrl, CTRL.READY + init.index);
for (;;) {
  // Poll for the next job for init.spinUs (BOARD_WASM_SPIN_US), then sleep until notified.
  if (!spinWhile(ctrl, CTRL.SEQ, seq, init.spinUs)) Atomics.wait(ctrl, CTRL.SEQ, seq);
  const gen = Atomics.load(ctrl, CTRL.SEQ);
  if (gen === seq) continue;
  seq = gen;
  if (Atomics.load(ctrl, CTRL.STOP) !== 0) break;
  // The job may already be a later generation's (the caller moved on): then every claim below fails.
  const kind = Atomics.load(ctrl, CTRL.KIND);
  const nChunks = readJob(kind);
  for (let c = claim(ctrl, gen, nChunks); c >= 0; c = claim(ctrl, gen, nChunks)) {
    try {
      if (kind === KIND.sgemm) runPanels(ex, mem, job, chunkPart(job, c, thread, part, init.mr, init.nr), init.mr, init.nr);
      else if (kind === KIND.samples) runSampleChunk(ex, kex.im2col, mem, sjob, c, thread, pj, part, init.mr, init.nr);
      else (kind === KIND.im2col ? kex.im2col : kex.col2im)(...kernelChunkArgs(conv, c, args));
    } catch (e) {
      Atomics.store(ctrl, CTRL.ERR, 1);
      process.stderr.write(`board: wasm worker ${init.index}: ${String((e as Error)?.stack ?? e)}\n`);
    }
    Atomics.add(ctrl, CTRL.WORKER_CHUNKS, 1);
    if (Atomics.add(ctrl, CTRL.DONE, 1) + 1 >= nChunks) Atomics.notify(ctrl, CTRL.DONE);
  }
}

/** Reads the current job into `job` (sgemm) or `conv` (im2col/col2im); returns its chunk count. */
function readJob(kind: number): number {
  // The caller grows the shared memory between calls; a grown shared memory needs a fresh view.
  if (mem.byteLength !== init.memory.buffer.byteLength) mem = new Float32Array(init.memory.buffer);
  if (kind === KIND.samples) {
    for (let i = 0; i < SAMPLE_KEYS.length; i++) sjob[SAMPLE_KEYS[i]!] = jf[i]!;
    return sjob.nChunks;
  }
  if (kind !== KIND.sgemm) {
    for (let i = 0; i < 16; i++) conv.args[i] = jf[i]!;
    conv.planeBytes = jf[16]!;
    conv.colBytes = jf[17]!;
    conv.N = jf[18]!;
    conv.nChunks = jf[19]!;
    return conv.nChunks;
  }
  for (let i = 0; i < JOB_KEYS.length; i++) {
    const k = JOB_KEYS[i]!;
    if (k === 'transA' || k === 'transB') job[k] = jf[i] !== 0;
    else job[k] = jf[i]!;
  }
  return job.nChunks;
}

/**
 * Gets V8 to tier the kernel up before real work (as WasmSgemm.warmUp), on a private shared memory so the pool's
 * memory is never touched outside a call.
 */
function warmUp(): void {
  const { mr, nr } = init;
  const scratch = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const w = new WebAssembly.Instance(init.module, { env: { memory: scratch } }).exports as unknown as SgemmExports;
  const kc = 64,
    a = 0,
    b = mr * kc * 4,
    c = b + nr * kc * 4;
  for (let i = 0; i < 400; i++) w.macro(1, 1, kc, a, b, c, nr * 4, 1, 0, i & 1);
  for (let i = 0; i < 1000; i++) {
    w.packWA(a, mr * 4, kc, 1, c);
    w.packKA(a, kc * 4, kc, 1, c);
    w.packWB(b, nr * 4, kc, 1, c);
    w.packKB(b, kc * 4, kc, 1, c);
  }
}
