// DataLoader throughput: Fashion-MNIST through transforms, loaded on the main thread (numWorkers 0)
// vs in worker threads, and the same with a simulated training step, to show the overlap.
// Run: node --import tsx --conditions=board-source bench/dataloader.bench.ts [--batches N]
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { DataLoader } from '../lib/data/dataloader.ts';
import { Subset } from '../lib/data/dataset.ts';
import { FashionMNIST } from '../lib/vision/datasets/mnist.ts';
import { Compose, Normalize, Resize, ToTensor } from '../lib/vision/transforms/transforms.ts';

const args = process.argv.slice(2);
const batches = args.includes('--batches') ? Number(args[args.indexOf('--batches') + 1]) : 100;
const batchSize = 64;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function open(heavy: boolean): FashionMNIST {
  const transform = heavy
    ? new Compose([new Resize([56, 56]), new ToTensor(), new Normalize([0.286], [0.353])])
    : new Compose([new ToTensor(), new Normalize([0.286], [0.353])]);
  try {
    return new FashionMNIST({ root: 'data', transform });
  } catch {
    return new FashionMNIST({ root: resolve(import.meta.dirname, '../test/fixtures/fashion-mini'), transform, searchSystemDirs: false });
  }
}

async function measure(heavy: boolean, numWorkers: number, stepMs: number): Promise<number> {
  const ds = open(heavy);
  const n = Math.min(ds.length, batches * batchSize);
  const loader = new DataLoader(
    new Subset(
      ds,
      Array.from({ length: n }, (_, i) => i),
    ),
    { batchSize, numWorkers, persistentWorkers: numWorkers > 0 },
  );
  // Warm-up epoch (worker start-up, module loading) is not timed.
  if (numWorkers > 0) for await (const _ of loader) void _;
  const t0 = performance.now();
  let seen = 0;
  for await (const [x] of loader as AsyncIterable<[{ shape: number[] }]>) {
    seen += x.shape[0];
    if (stepMs > 0) Atomics.wait(sleeper, 0, 0, stepMs);
  }
  const secs = (performance.now() - t0) / 1000;
  await loader.close();
  return seen / secs;
}

console.log(
  `machine: ${cpus()[0]?.model} x${cpus().length}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, Node ${process.version}; ${batches} batches of ${batchSize}`,
);
console.log('| pipeline | step | main thread samples/s | 2 workers samples/s | workers / main |');
console.log('|---|---|---|---|---|');
for (const heavy of [false, true]) {
  for (const stepMs of [0, 20]) {
    const main = await measure(heavy, 0, stepMs);
    const workers = await measure(heavy, 2, stepMs);
    const name = heavy ? 'Resize(56) + ToTensor + Normalize' : 'ToTensor + Normalize';
    console.log(
      `| ${name} | ${stepMs ? `${stepMs} ms blocking` : 'none'} | ${Math.round(main)} | ${Math.round(workers)} | ${(workers / main).toFixed(2)}x |`,
    );
  }
}
