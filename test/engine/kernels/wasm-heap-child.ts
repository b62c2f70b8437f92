// Child of wasm-heap.test.ts, run with --expose-gc: blocks of the wasm heap go back to its free list when their arrays
// are collected, so a loop that makes and drops parameters (yielding between rounds, as training loops with awaits
// do) keeps the heap's size bounded; and a subarray handed out by dataSync() keeps its block alive.
import { setTimeout as sleep } from 'node:timers/promises';
import { nn, type Tensor } from 'board';
import { manualSeed } from '../../../lib/engine/index.ts';
import { setGemmBackend } from '../../../lib/engine/kernels/index.ts';
import { existingWasmHeap } from '../../../lib/engine/kernels/wasm-heap.ts';

const gc = (globalThis as { gc?: () => void }).gc!;
setGemmBackend('wasm-simd');
manualSeed(0);

async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(5); // finalizers run between tasks
  }
}

// 1. Models made and dropped: 200 rounds of a 512 x 512 layer (1 MiB each): without reuse the heap would reach 200 MiB.
let maxEnd = 0;
for (let round = 0; round < 200; round++) {
  const lin = new nn.Linear(512, 512);
  (lin.call(nn.functional.relu(lin.weight)) as Tensor).sum().backward();
  maxEnd = Math.max(maxEnd, existingWasmHeap()!.reservedFloats);
  if (round % 10 === 9) await collect();
}
await collect();
const heap = existingWasmHeap()!;

// 2. A pinned subarray: the layer is dropped, its subarray must keep its values while new layers take blocks.
let sub: Float32Array | null = (() => {
  const lin = new nn.Linear(256, 256, { bias: false });
  lin.weight.detach().fill_(7);
  return lin.weight.detach().narrow(0, 10, 5).dataSync() as Float32Array;
})();
const keep: nn.Linear[] = [];
for (let i = 0; i < 4; i++) {
  await collect();
  const l = new nn.Linear(256, 256, { bias: false });
  l.weight.detach().fill_(-1);
  keep.push(l);
}
const pinnedIntact = sub.every((v) => v === 7);
const pinnedResident = heap.offsetOf(sub) >= 0;
sub = null;

console.log(
  JSON.stringify({ maxEndMiB: (maxEnd * 4) / 2 ** 20, blocksAfter: heap.stats.blocks, pinnedIntact, pinnedResident, kept: keep.length }),
);
