// Child process for page-faults.test.ts: trains a small MLP (batch 128, 784 -> 512 -> 512 -> 10, SGD) on one backend
// for `warm` steps, then counts minor page faults over `steps` more and prints one JSON line. Run in its own process so
// the backend choice decides whether the native addon (and its malloc tuning) is loaded at all.
//   node --import tsx --conditions=board-source test/engine/kernels/page-faults-child.ts native|wasm-simd warm steps
import { nn, optim, Tensor } from '../../../lib/index.ts';
import { manualSeed, randn, randint } from '../../../lib/engine/index.ts';
import { setGemmBackend, type GemmBackend } from '../../../lib/engine/kernels/index.ts';
import { allocCacheStats } from '../../../lib/engine/kernels/alloc.ts';
import { nativeAddon } from '../../../lib/engine/kernels/native.ts';

const [backend = 'wasm-simd', warm = '300', steps = '300'] = process.argv.slice(2);
setGemmBackend(backend as GemmBackend);
manualSeed(0);
const m = new nn.Sequential(new nn.Linear(784, 512), new nn.ReLU(), new nn.Linear(512, 512), new nn.ReLU(), new nn.Linear(512, 10));
const opt = new optim.SGD([...m.parameters()], { lr: 1e-3, momentum: 0.9 });
const lossFn = new nn.CrossEntropyLoss();
const batches = Array.from({ length: 2 }, () => [randn([128, 784]), randint(0, 10, [128])] as [Tensor, Tensor]);
const step = (i: number): number => {
  const [x, y] = batches[i % 2]!;
  const l = lossFn.call(m.call(x), y) as Tensor;
  opt.zeroGrad();
  l.backward();
  opt.step();
  return Number(l.item());
};
for (let i = 0; i < Number(warm); i++) step(i);
const f0 = process.resourceUsage().minorPageFault;
let loss = 0;
for (let i = 0; i < Number(steps); i++) loss = step(i);
const faults = process.resourceUsage().minorPageFault - f0;
// nativeAddon() loads the addon when it is absent from the process: ask only on the native backend.
const addonLoaded = backend === 'native' ? nativeAddon() !== null : false;
console.log(JSON.stringify({ backend, faultsPerStep: faults / Number(steps), loss, addonLoaded, cache: allocCacheStats() }));
