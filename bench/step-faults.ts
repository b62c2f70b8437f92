// Minor page faults per training step (issue 12 item 4): one of bench/native.bench.ts's workloads (batch 64) on one
// backend, `warm` steps, then `steps` more with process.resourceUsage().minorPageFault read every `block` steps.
// Prints the average and the per-block figures, the caching allocator's statistics (kernels/alloc.ts) and
// CLOCK_MONOTONIC markers (ns) around the measured steps, to cut a `perf record -k CLOCK_MONOTONIC -e page-faults -g`
// trace to them. `wasm-simd` runs without loading the native addon (nor its malloc tuning): the portable setup.
//   node --import tsx --conditions=board-source bench/step-faults.ts mlp-sgd|mlp-adam|cnn-adam native|wasm-simd [warm] [steps] [block]
import type { Tensor } from '../lib/index.ts';
import { manualSeed } from '../lib/engine/index.ts';
import { setGemmBackend, type GemmBackend } from '../lib/engine/kernels/index.ts';
import { allocCacheStats } from '../lib/engine/kernels/alloc.ts';
import { benchTraining, type Workload } from './workloads.ts';

const [w = 'mlp-sgd', be = 'native', warmArg = '200', stepsArg = '600', blockArg = '100'] = process.argv.slice(2);
setGemmBackend(be as GemmBackend);
manualSeed(0);
const { model: m, opt, lossFn, batches } = benchTraining(w as Workload);
const step = (i: number) => {
  const [x, y] = batches[i % 4]!;
  const l = lossFn.call(m.call(x), y) as Tensor;
  opt.zeroGrad();
  l.backward();
  opt.step();
};
const WARM = Number(warmArg),
  STEPS = Number(stepsArg),
  BLOCK = Number(blockArg);
for (let i = 0; i < WARM; i++) step(i);
console.log(`MARK ${process.hrtime.bigint()}`);
const f0 = process.resourceUsage().minorPageFault;
const t0 = performance.now();
let fb = f0;
const blocks: number[] = [];
for (let i = 0; i < STEPS; i++) {
  step(WARM + i);
  if ((i + 1) % BLOCK === 0) {
    const f = process.resourceUsage().minorPageFault;
    blocks.push((f - fb) / BLOCK);
    fb = f;
  }
}
const total = process.resourceUsage().minorPageFault - f0;
console.log(`END ${process.hrtime.bigint()}`);
console.log(
  `${w} ${be}: ${(total / STEPS).toFixed(2)} faults/step over ${STEPS} steps after ${WARM} warm-up (blocks: ${blocks.map((b) => b.toFixed(1)).join(' ')}), ${((performance.now() - t0) / STEPS).toFixed(2)} ms/step wall`,
);
console.log(JSON.stringify(allocCacheStats()));
