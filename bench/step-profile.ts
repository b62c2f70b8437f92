// Profiling driver (not a benchmark): runs one of bench/native.bench.ts's training steps N times on one backend and
// prints per-phase CPU-time medians and minor page faults per step after the first 20, for `node --cpu-prof`. Usage:
//   node --import tsx --conditions=board-source bench/step-profile.ts mlp-sgd|mlp-adam|cnn-adam native|wasm-simd|js [steps] [threads]
// (threads: setNumThreads, default 1; the wall-time median is printed too, since CPU time sums the threads)
import type { Tensor } from '../lib/index.ts';
import { manualSeed } from '../lib/engine/index.ts';
import { setGemmBackend, type GemmBackend } from '../lib/engine/kernels/index.ts';
import { setNumThreads } from '../lib/engine/kernels/backend.ts';
import { benchTraining, type Workload } from './workloads.ts';

const [w = 'mlp-sgd', be = 'native', stepsArg = '200', threadsArg = '1'] = process.argv.slice(2);
const STEPS = Number(stepsArg);
setGemmBackend(be as GemmBackend);
setNumThreads(Number(threadsArg));
manualSeed(0);
const { model: m, opt, lossFn, batches } = benchTraining(w as Workload);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let faults = 0;
const f: number[] = [],
  b: number[] = [],
  o: number[] = [],
  t: number[] = [],
  wall: number[] = [];
for (let i = 0; i < STEPS; i++) {
  const [x, y] = batches[i % 4]!;
  const f0 = process.resourceUsage().minorPageFault;
  const c0 = cpu(),
    w0 = performance.now();
  const l = lossFn.call(m.call(x), y) as Tensor;
  const c1 = cpu();
  opt.zeroGrad();
  l.backward();
  const c2 = cpu();
  opt.step();
  const c3 = cpu(),
    w3 = performance.now();
  if (i >= 20) {
    wall.push(w3 - w0);
    f.push(c1 - c0);
    b.push(c2 - c1);
    o.push(c3 - c2);
    t.push(c3 - c0);
    faults += process.resourceUsage().minorPageFault - f0;
  }
}
const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1]!.toFixed(2);
console.log(
  `${w} ${be} ${threadsArg} thread(s): step ${med(t)} ms CPU (fwd ${med(f)} + bwd ${med(b)} + opt ${med(o)}), wall ${med(wall)} ms, ${(faults / t.length).toFixed(1)} minor page faults/step, load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`,
);
