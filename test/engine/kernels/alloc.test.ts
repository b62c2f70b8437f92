// The caching allocator (lib/engine/kernels/alloc.ts): free lists by byte size, and the backward pass handing its own
// gradient buffers back once consumed. The safety cases: gradients that escape the pass (retainGrad, hooks,
// autograd.grad, parameter .grad) must keep their values after later passes reuse the cache.
import { describe, expect, it } from 'vitest';
import { nn, Tensor } from '../../../lib/index.ts';
import { grad, manualSeed, randn, randint } from '../../../lib/engine/index.ts';
import { allocCacheStats, emptyCache, releaseBuffer, uninitFloat32, uninitInt32, uninitLike } from '../../../lib/engine/kernels/alloc.ts';

const BIG = 64 * 1024; // elements: 256 KiB as float32, above the cache's 64 KiB floor

describe('caching allocator: free lists', () => {
  it('gives a released buffer back for the same byte size, a fresh one otherwise', () => {
    emptyCache();
    const a = uninitFloat32(BIG);
    expect(a.length).toBe(BIG);
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(BIG * 4);
    releaseBuffer(a.buffer as ArrayBuffer);
    expect(allocCacheStats().cachedBytes).toBe(BIG * 4);
    const h0 = allocCacheStats().hits;
    const other = uninitFloat32(BIG + 16); // another size: not served from the cache
    expect(other.buffer).not.toBe(a.buffer);
    const b = uninitInt32(BIG); // same byte size, another element type: the same buffer
    expect(b.buffer).toBe(a.buffer);
    expect(b).toBeInstanceOf(Int32Array);
    expect(allocCacheStats().hits).toBe(h0 + 1);
    expect(allocCacheStats().cachedBytes).toBe(0);
    const d = uninitLike(new Float64Array(0), BIG / 2);
    expect(d).toBeInstanceOf(Float64Array);
    expect(d.length).toBe(BIG / 2);
  });

  it('refuses a double release and ignores small buffers; emptyCache drops everything', () => {
    emptyCache();
    const a = uninitFloat32(BIG);
    releaseBuffer(a.buffer as ArrayBuffer);
    expect(() => releaseBuffer(a.buffer as ArrayBuffer)).toThrow(/twice/);
    releaseBuffer(new ArrayBuffer(1024)); // below the floor: left to the garbage collector
    expect(allocCacheStats().cachedBytes).toBe(BIG * 4);
    emptyCache();
    expect(allocCacheStats().cachedBytes).toBe(0);
    expect(uninitFloat32(BIG).buffer).not.toBe(a.buffer);
  });

  it('small arrays are ordinary zeroed arrays', () => {
    const s = uninitFloat32(100);
    expect(s.buffer.byteLength).toBe(400);
    expect([...s].every((v) => v === 0)).toBe(true);
  });
});

function mlp(): nn.Sequential {
  manualSeed(1);
  return new nn.Sequential(new nn.Linear(300, 256), new nn.ReLU(), new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10));
}
const snapshot = (ts: (Tensor | null)[]) => ts.map((t) => Array.from(t!.contiguous().storage as Float32Array).slice(0, 4096));

describe('caching allocator: backward recycles its gradients', () => {
  it('reuses gradient buffers across steps with unchanged results', () => {
    emptyCache();
    const m = mlp();
    const lossFn = new nn.CrossEntropyLoss();
    const x = [randn([128, 300]), randn([128, 300])];
    const y = [randint(0, 10, [128]), randint(0, 10, [128])];
    const run = (i: number) => {
      m.zeroGrad();
      (lossFn.call(m.call(x[i]!), y[i]!) as Tensor).backward();
      return snapshot([...m.parameters()].map((p) => p.grad));
    };
    const first = run(0);
    const h0 = allocCacheStats().hits;
    run(1);
    const again = run(0);
    expect(allocCacheStats().hits).toBeGreaterThan(h0); // the second and third passes took cached buffers
    expect(again).toEqual(first); // bit-identical gradients
  });

  it('keeps gradients that escape: retainGrad, hooks, autograd.grad, parameter .grad', () => {
    emptyCache();
    const m = mlp();
    const [l0, r1, l2, r3, l4] = [...m.children()] as nn.Module[];
    const x = randn([128, 300]);
    const h1 = r1!.call(l0!.call(x)) as Tensor; // ReLU output, 128 x 256
    h1.retainGrad();
    let hooked: Tensor | null = null;
    const h2 = r3!.call(l2!.call(h1)) as Tensor;
    h2.registerHook((g) => {
      hooked = g;
    });
    (l4!.call(h2) as Tensor).sum().backward();
    const kept = snapshot([h1.grad, hooked, ...[...m.parameters()].map((p) => p.grad)]);
    // autograd.grad's results belong to the caller
    const z = randn([128, 300], { requiresGrad: true });
    const [gz] = grad((m.call(z) as Tensor).pow(2).sum(), [z]);
    const keptGz = snapshot([gz!]);
    // More passes that allocate and release buffers of the same sizes
    for (let i = 0; i < 3; i++) {
      m.zeroGrad();
      (m.call(randn([128, 300])) as Tensor).sum().backward();
    }
    expect(allocCacheStats().hits).toBeGreaterThan(0);
    expect(snapshot([h1.grad, hooked])).toEqual(kept.slice(0, 2));
    expect(snapshot([gz!])).toEqual(keptGz);
  });

  it('a gradient sent to two consumers is released only after both ran', () => {
    emptyCache();
    manualSeed(2);
    const [linA, linB, linC] = [new nn.Linear(256, 256), new nn.Linear(256, 256), new nn.Linear(256, 256)];
    const params = [linA, linB, linC].flatMap((l) => [...l.parameters()]);
    const a = randn([128, 256], { requiresGrad: true });
    const F = nn.functional;
    const run = () => {
      a.grad = null;
      for (const p of params) p.grad = null;
      // AddBackward hands linB's input gradient (a cached 128 x 256 buffer) to both ReLU nodes; between them linA's
      // backward allocates a 128 x 256 gradient for a, which must not get that buffer.
      const loss = () => {
        const s = F.relu(linA.call(a) as Tensor).add(F.relu(linC.call(a) as Tensor));
        return F.relu(linB.call(s) as Tensor).sum();
      };
      loss().backward();
      // autograd.grad does not recycle (its results go to the caller): the reference
      return [snapshot([a.grad, ...params.map((p) => p.grad)]), snapshot(grad(loss(), [a, ...params]))];
    };
    for (let i = 0; i < 3; i++) {
      const [viaBackward, viaGrad] = run();
      expect(viaBackward).toEqual(viaGrad);
    }
  });
});
