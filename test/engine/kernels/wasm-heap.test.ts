// The wasm heap (kernels/wasm-heap.ts): parameters, gradients and optimizer state of the wasm backend live in blocks of
// one shared WebAssembly memory, where the kernels read and write them in place. Checked here: the allocator (blocks
// never overlap, survive the memory growing, come back zeroed), that a model's parameters, gradients and Adam state
// are resident, that training gives the same bits as without the heap, that starting the worker pool later leaves
// resident data alone, and (in a child with --expose-gc) that dropped blocks are reused and pinned subarrays kept.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nn, optim, type Tensor } from 'board';
import { manualSeed, randn } from '../../../lib/engine/index.ts';
import { gemmBackend, isResident, setGemmBackend } from '../../../lib/engine/kernels/index.ts';
import { setNumThreads } from '../../../lib/engine/kernels/backend.ts';
import { WasmHeap, existingWasmHeap, setWasmHeapCapMb } from '../../../lib/engine/kernels/wasm-heap.ts';
import { wasmSimdSupported } from '../../../lib/engine/kernels/wasm-sgemm.ts';
import { nativeAddon } from '../../../lib/engine/kernels/native.ts';

const initial = gemmBackend();
afterAll(() => {
  setGemmBackend(initial);
  setNumThreads(1);
});

describe('WasmHeap allocator', () => {
  it('hands out zeroed, non-overlapping blocks that stay valid while the memory grows', () => {
    const heap = new WasmHeap();
    const sizes = [5, 4096, 1, 100_000, 17, 3_000_000]; // the last one grows the memory past its first buffer
    const views = sizes.map((n) => heap.alloc(n)!);
    views.forEach((v, i) => {
      expect(v.length).toBe(sizes[i]);
      expect(v.every((x) => x === 0)).toBe(true);
      expect(heap.offsetOf(v)).toBe(v.byteOffset / 4);
      expect(heap.offsetOf(v) % 16).toBe(0);
      v.fill(i + 1);
    });
    expect(views[0]!.buffer).not.toBe(views[5]!.buffer); // the memory grew: a new SharedArrayBuffer object
    const spans = views.map((v) => [v.byteOffset / 4, v.byteOffset / 4 + v.length]).sort((a, b) => a[0]! - b[0]!);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]!);
    views.forEach((v, i) => expect(v.every((x) => x === i + 1)).toBe(true)); // the early views still read the memory
    expect(heap.reservedFloats).toBeGreaterThanOrEqual(spans[spans.length - 1]![1]!);
    expect(heap.offsetOf(new Float32Array(8))).toBe(-1);
  });

  it('random alloc/free: live blocks never overlap, free blocks are coalesced, a free tail shrinks the heap', () => {
    const heap = new WasmHeap();
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const live: Float32Array[] = [];
    for (let i = 0; i < 3000; i++) {
      if (live.length > 0 && rand() < 0.45) {
        const k = Math.floor(rand() * live.length);
        heap.free(live[k]!);
        live.splice(k, 1);
      } else {
        const a = heap.alloc(1 + Math.floor(rand() ** 3 * 20_000))!;
        expect(a.every((x) => x === 0)).toBe(true); // reused blocks come back zeroed
        a.fill(i + 1);
        live.push(a);
      }
      if (i % 100 !== 99) continue;
      const spans = live.map((v) => [v.byteOffset / 4, v.byteOffset / 4 + Math.ceil(v.length / 16) * 16] as const);
      const free = heap.freeBlocks();
      const all = [...spans, ...free.map(([at, n]) => [at, at + n] as const)].sort((p, q) => p[0] - q[0]);
      for (let j = 1; j < all.length; j++) expect(all[j]![0]).toBeGreaterThanOrEqual(all[j - 1]![1]);
      for (let j = 1; j < free.length; j++) expect(free[j]![0]).toBeGreaterThan(free[j - 1]![0] + free[j - 1]![1]); // coalesced
      const top = Math.max(0, ...spans.map((s) => s[1]));
      expect(heap.reservedFloats).toBe(top); // no free block at the end
    }
    for (const a of live) expect(new Set(a).size).toBe(1); // each array kept its own fill
    for (const a of live.splice(0)) heap.free(a);
    expect(heap.reservedFloats).toBe(0);
    expect(heap.freeBlocks()).toEqual([]);
    expect(() => heap.free(new Float32Array(4))).toThrow(/not an array from alloc/);
  });

  it('scratch keeps one region, moved only when it must grow, outside the blocks', () => {
    const heap = new WasmHeap();
    const a = heap.alloc(1000)!;
    const s1 = heap.scratch(500);
    const s2 = heap.scratch(400);
    expect(s2.byteOffset).toBe(s1.byteOffset);
    const b = heap.alloc(1000)!;
    const s3 = heap.scratch(5000);
    for (const [x, y] of [
      [a, s3],
      [b, s3],
      [a, b],
    ] as const) {
      const [x0, x1, y0, y1] = [x.byteOffset, x.byteOffset + 4 * x.length, y.byteOffset, y.byteOffset + 4 * y.length];
      expect(x1 <= y0 || y1 <= x0).toBe(true);
    }
  });

  it('refuses blocks beyond the cap (callers then use ordinary arrays)', () => {
    const heap = new WasmHeap();
    const old = setWasmHeapCapMb(1);
    try {
      expect(heap.alloc(200_000)).not.toBeNull(); // 0.76 MiB
      expect(heap.alloc(200_000)).toBeNull();
      expect(heap.stats.refused).toBe(1);
    } finally {
      setWasmHeapCapMb(old);
    }
  });
});

describe.skipIf(!wasmSimdSupported())('resident training on the wasm backend', () => {
  function mlp(): nn.Sequential {
    return new nn.Sequential(new nn.Linear(300, 130), new nn.ReLU(), new nn.Linear(130, 64), new nn.ReLU(), new nn.Linear(64, 10));
  }

  function train(make: (ps: Tensor[]) => optim.Optimizer, resident: boolean, threads = 1): { weights: Float32Array; resident: boolean[] } {
    setGemmBackend('wasm-simd');
    setNumThreads(threads);
    const old = setWasmHeapCapMb(resident ? 1024 : 0);
    try {
      manualSeed(21);
      const m = mlp();
      const ps = [...m.parameters()];
      const opt = make(ps);
      const lossFn = new nn.CrossEntropyLoss();
      const x = randn([32, 300]),
        y = randn([32, 10]).argmax(1);
      for (let i = 0; i < 4; i++) {
        const l = lossFn.call(m.call(x), y) as Tensor;
        opt.zeroGrad();
        l.backward();
        opt.step();
      }
      const state = [...opt.state.values()].flatMap((s) =>
        Object.values(s).filter((v): v is Tensor => typeof v === 'object' && v !== null && 'storage' in v && (v as Tensor).numel() >= 4096),
      );
      const residency = [ps[0]!, ps[0]!.grad!, ...state].map((t) => isResident(t.storage as Float32Array));
      return { weights: Float32Array.from(ps.flatMap((p) => Array.from(p.dataSync() as Float32Array))), resident: residency };
    } finally {
      setWasmHeapCapMb(old);
      setNumThreads(1);
    }
  }

  const OPTIMIZERS: [string, (ps: Tensor[]) => optim.Optimizer][] = [
    ['Adam', (ps) => new optim.Adam(ps, { lr: 1e-2 })],
    ['AdamW amsgrad', (ps) => new optim.AdamW(ps, { lr: 1e-2, amsgrad: true })],
    ['SGD', (ps) => new optim.SGD(ps, { lr: 0.1 })],
    ['SGD momentum + weight decay', (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 })],
  ];

  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: parameters, gradients and state resident; same bits as without the heap`, () => {
      const withHeap = train(make, true);
      const without = train(make, false);
      expect(withHeap.resident.every(Boolean)).toBe(true);
      expect(without.resident.some(Boolean)).toBe(false);
      expect(Buffer.from(withHeap.weights.buffer).equals(Buffer.from(without.weights.buffer))).toBe(true);
    });
  }

  it('zeroGrad({ setToNone: true }) every step does not take a heap block per step (one resident gradient per leaf)', () => {
    setGemmBackend('wasm-simd');
    manualSeed(8);
    const m = mlp();
    const opt = new optim.SGD([...m.parameters()], { lr: 0.01 });
    const x = randn([16, 300]);
    const step = () => {
      opt.zeroGrad({ setToNone: true });
      (m.call(x) as Tensor).square().mean().backward();
      opt.step();
    };
    step();
    const heap = existingWasmHeap()!;
    expect(isResident([...m.parameters()][0]!.grad!.storage as Float32Array)).toBe(true);
    const blocks = heap.stats.blocks;
    for (let i = 0; i < 20; i++) step(); // synchronous: no finalizer runs in between
    expect(heap.stats.blocks).toBe(blocks);
    expect(isResident([...m.parameters()][0]!.grad!.storage as Float32Array)).toBe(false); // later gradients are ordinary
  });

  it('zero_() of a resident slice zeroes exactly that slice (kernel for whole vectors, fill for the tail)', () => {
    setGemmBackend('wasm-simd');
    const lin = new nn.Linear(41, 200, { bias: false }); // weight [200, 41]: 8,200 floats, resident
    expect(isResident(lin.weight.storage as Float32Array)).toBe(true);
    const w = lin.weight.detach();
    w.fill_(1);
    w.narrow(0, 1, 100).zero_(); // 4,100 floats from float offset 41: unaligned start, a tail of 0 mod 4 is not assumed
    const d = w.dataSync() as Float32Array;
    const bad = d.findIndex((v, i) => v !== (i >= 41 && i < 41 + 4100 ? 0 : 1));
    expect(bad).toBe(-1);
  });

  it('2 threads read resident parameters in place: same bits as 1 thread', { timeout: 60_000 }, () => {
    const one = train(OPTIMIZERS[0]![1], true, 1);
    const two = train(OPTIMIZERS[0]![1], true, 2);
    expect(Buffer.from(two.weights.buffer).equals(Buffer.from(one.weights.buffer))).toBe(true);
  });

  it('starting a new worker pool leaves resident data alone (its kernels warm up after the blocks)', () => {
    setGemmBackend('wasm-simd');
    manualSeed(2);
    const lin = new nn.Linear(128, 64);
    expect(isResident(lin.weight.storage as Float32Array)).toBe(true);
    const before = Float32Array.from(lin.weight.dataSync() as Float32Array);
    setNumThreads(2); // a new pool: new kernels over the heap's memory, warmed up there
    lin.call(randn([4, 128]));
    setNumThreads(1);
    lin.call(randn([4, 128]));
    expect(Buffer.from(Float32Array.from(lin.weight.dataSync() as Float32Array).buffer).equals(Buffer.from(before.buffer))).toBe(true);
  });

  it.skipIf(!nativeAddon())('a model made on wasm (resident) trains on the native backend as on the js one', () => {
    const out: number[][] = [];
    for (const be of ['js', 'native'] as const) {
      setGemmBackend('wasm-simd');
      manualSeed(4);
      const lin = new nn.Linear(256, 32);
      const opt = new optim.Adam([...lin.parameters()], { lr: 1e-2 }); // state resident too
      expect(isResident(lin.weight.storage as Float32Array)).toBe(true);
      const x = randn([8, 256]);
      setGemmBackend(be);
      for (let i = 0; i < 3; i++) {
        opt.zeroGrad();
        (lin.call(x) as Tensor).square().mean().backward();
        opt.step();
      }
      out.push(Array.from(lin.weight.dataSync() as Float32Array));
    }
    out[1]!.forEach((v, i) => expect(v).toBeCloseTo(out[0]![i]!, 4));
  });
});

describe.skipIf(!wasmSimdSupported())('wasm heap lifetimes (child process with --expose-gc)', () => {
  it('dropped parameters give their blocks back; a pinned subarray keeps its block', { timeout: 120_000 }, () => {
    const child = fileURLToPath(new URL('./wasm-heap-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=board-source', child], {
      encoding: 'utf8',
      timeout: 100_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
    // 200 layers of 1 MiB (+ gradients) made and dropped: reuse keeps the heap to a few rounds' worth.
    expect(res.maxEndMiB).toBeLessThan(40);
    expect(res.pinnedResident).toBe(true);
    expect(res.pinnedIntact).toBe(true);
  });
});
