// Runs inside a wasm sgemm worker thread (wasm-threads.ts): instantiates the shared-memory sgemm module (and the
// im2col/col2im kernels of wasm-kernels.ts) over the pool's memory, then loops: Atomics.wait for a new generation,
// do this worker's part if it has one in that generation (a rectangle of C, or a range of samples), count itself
// done. No messages per call.
import { workerData } from 'node:worker_threads';
import { runPanels, newJob, type SgemmExports, type PanelPart } from './wasm-sgemm.ts';
import { CTRL, GEN, JOB_BYTE, JOB_KEYS, KIND, SLOT, type WorkerInit } from './wasm-threads.ts';

const init = workerData as WorkerInit;
const ctrl = new Int32Array(init.ctrl, 0, JOB_BYTE / 4);
const jf = new Float64Array(init.ctrl, JOB_BYTE);
const ex = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports as unknown as SgemmExports;
type ConvFn = (...args: number[]) => void;
const kex = new WebAssembly.Instance(init.kernels, { env: { memory: init.memory } }).exports as unknown as Record<
  'im2col' | 'col2im',
  ConvFn
>;
const job = newJob();
const part: PanelPart = { r0: 0, r1: 0, c0: 0, c1: 0, packedA: 0, packedB: 0 };
const me = init.index,
  nk = JOB_KEYS.length,
  slot = nk + SLOT * me;
let mem = new Float32Array(init.memory.buffer);

warmUp();

let seq = Atomics.load(ctrl, CTRL.SEQ);
Atomics.store(ctrl, CTRL.READY + me, 1);
Atomics.notify(ctrl, CTRL.READY + me);
for (;;) {
  Atomics.wait(ctrl, CTRL.SEQ, seq);
  const s = Atomics.load(ctrl, CTRL.SEQ);
  if (s === seq) continue;
  seq = s;
  if (Atomics.load(ctrl, CTRL.STOP) !== 0) break;
  if (Atomics.load(ctrl, CTRL.READY + GEN + me) !== s) continue; // no part for this worker in this product
  try {
    work(Atomics.load(ctrl, CTRL.KIND));
  } catch (e) {
    Atomics.store(ctrl, CTRL.ERR, 1);
    process.stderr.write(`board: wasm sgemm worker ${me}: ${String((e as Error)?.stack ?? e)}\n`);
  }
  Atomics.add(ctrl, CTRL.DONE, 1);
  Atomics.notify(ctrl, CTRL.DONE);
}

/** This worker's part of the current generation: an sgemm rectangle, or one im2col/col2im call. */
function work(kind: number): void {
  const a = jf,
    q = slot;
  if (kind !== KIND.sgemm) {
    const fn = kind === KIND.im2col ? kex.im2col : kex.col2im;
    fn(
      a[q]!,
      a[q + 1]!,
      a[q + 2]!,
      a[q + 3]!,
      a[q + 4]!,
      a[q + 5]!,
      a[q + 6]!,
      a[q + 7]!,
      a[q + 8]!,
      a[q + 9]!,
      a[q + 10]!,
      a[q + 11]!,
      a[q + 12]!,
      a[q + 13]!,
      a[q + 14]!,
      a[q + 15]!,
    );
    return;
  }
  for (let i = 0; i < nk; i++) {
    const k = JOB_KEYS[i]!;
    if (k === 'transA' || k === 'transB') job[k] = a[i] !== 0;
    else job[k] = a[i]!;
  }
  part.r0 = a[q]!;
  part.r1 = a[q + 1]!;
  part.c0 = a[q + 2]!;
  part.c1 = a[q + 3]!;
  part.packedA = a[q + 4]!;
  part.packedB = a[q + 5]!;
  // The caller grows the shared memory between products; a grown shared memory needs a fresh view.
  if (mem.buffer.byteLength !== init.memory.buffer.byteLength) mem = new Float32Array(init.memory.buffer);
  runPanels(ex, mem, job, part, init.mr, init.nr);
}

/**
 * Gets V8 to tier the kernel up before real work (as WasmSgemm.warmUp), on a private shared memory so the pool's
 * memory is never touched outside a product.
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
