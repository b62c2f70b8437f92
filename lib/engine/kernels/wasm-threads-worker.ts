// Runs inside a wasm sgemm worker thread (wasm-threads.ts): instantiates the shared-memory sgemm module over the
// pool's memory, then loops: Atomics.wait for a new generation, compute this worker's rectangle of C if it has one
// for that generation, count itself done. No messages per product.
import { workerData } from 'node:worker_threads';
import { runPanels, newJob, type SgemmExports, type PanelPart } from './wasm-sgemm.ts';
import { CTRL, GEN, JOB_BYTE, JOB_KEYS, SLOT, type WorkerInit } from './wasm-threads.ts';

const init = workerData as WorkerInit;
const ctrl = new Int32Array(init.ctrl, 0, JOB_BYTE / 4);
const jf = new Float64Array(init.ctrl, JOB_BYTE);
const ex = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports as unknown as SgemmExports;
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
    for (let i = 0; i < nk; i++) {
      const k = JOB_KEYS[i]!;
      if (k === 'transA' || k === 'transB') job[k] = jf[i] !== 0;
      else job[k] = jf[i]!;
    }
    part.r0 = jf[slot]!;
    part.r1 = jf[slot + 1]!;
    part.c0 = jf[slot + 2]!;
    part.c1 = jf[slot + 3]!;
    part.packedA = jf[slot + 4]!;
    part.packedB = jf[slot + 5]!;
    // The caller grows the shared memory between products; a grown shared memory needs a fresh view.
    if (mem.buffer.byteLength !== init.memory.buffer.byteLength) mem = new Float32Array(init.memory.buffer);
    runPanels(ex, mem, job, part, init.mr, init.nr);
  } catch (e) {
    Atomics.store(ctrl, CTRL.ERR, 1);
    process.stderr.write(`board: wasm sgemm worker ${me}: ${String((e as Error)?.stack ?? e)}\n`);
  }
  Atomics.add(ctrl, CTRL.DONE, 1);
  Atomics.notify(ctrl, CTRL.DONE);
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
