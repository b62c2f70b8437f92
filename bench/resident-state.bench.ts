// The wasm heap (issue 12 item 2, kernels/wasm-heap.ts): one process trains two copies of a workload, one whose
// parameters, gradients and optimizer state live in the wasm heap (the default) and one made with the heap off
// (cap 0: ordinary arrays, copied into wasm memory on every use), alternating in blocks of 25 steps so both see the
// same machine state. Prints both step medians and the ratio.
//   node --import tsx --conditions=board-source bench/resident-state.bench.ts [mlp-adam|mlp-sgd|cnn-adam] [blocks]
import { cpus, loadavg } from 'node:os';
import type { Tensor } from '../lib/index.ts';
import { manualSeed } from '../lib/engine/index.ts';
import { setGemmBackend } from '../lib/engine/kernels/index.ts';
import { setWasmHeapCapMb } from '../lib/engine/kernels/wasm-heap.ts';
import { benchTraining, type BenchTraining, type Workload } from './workloads.ts';

const [w = 'mlp-adam', blocksArg = '16'] = process.argv.slice(2);
const BLOCKS = Number(blocksArg),
  PER_BLOCK = 25,
  WARM_BLOCKS = 2;
setGemmBackend('wasm-simd');

function step(t: BenchTraining, i: number): void {
  const [x, y] = t.batches[i % 4]!;
  const l = t.lossFn.call(t.model.call(x), y) as Tensor;
  t.opt.zeroGrad();
  l.backward();
  t.opt.step();
}

manualSeed(0);
const resident = benchTraining(w as Workload);
step(resident, 0);
// Parameters are made with the model, gradients and state on the first step: all with the heap off for this copy.
const cap = setWasmHeapCapMb(0);
manualSeed(0);
const staged = benchTraining(w as Workload);
step(staged, 0);
setWasmHeapCapMb(cap);

const times: [number[], number[]] = [[], []];
for (let b = 0; b < BLOCKS; b++) {
  [resident, staged].forEach((t, k) => {
    for (let i = 1; i <= PER_BLOCK; i++) {
      const t0 = performance.now();
      step(t, b * PER_BLOCK + i);
      if (b >= WARM_BLOCKS) times[k]!.push(performance.now() - t0);
    }
  });
}
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1]!;
const [r, s] = times.map(median) as [number, number];
console.log(
  `${w}, wasm, ${cpus()[0]?.model ?? 'cpu?'} x${cpus().length}, Node ${process.version}, load ${loadavg()[0]!.toFixed(1)}: ` +
    `step median resident ${r.toFixed(2)} ms, staged ${s.toFixed(2)} ms: staged / resident ${(s / r).toFixed(2)}x ` +
    `(${times[0].length} steps each, blocks of ${PER_BLOCK} alternating)`,
);
