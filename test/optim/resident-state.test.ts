// Optimizer state resident in WebAssembly memory (wasm backend): for parameters of at least RESIDENT_MIN_FLOATS,
// Adam's moments and SGD's momentum buffers live in the wasm heap, where the update kernels work on them in place
// (optim's residentZerosState). The parameters here are the user's own tensors, so they and their gradients are not
// resident: the state alone is. The numbers must be bit-identical to the staged path (heap off), and the state must
// behave as ordinary tensors (stateDict, load).
import { afterAll, describe, expect, it } from 'vitest';
import { optim, Tensor } from 'board';
import { manualSeed, randn } from '../../lib/engine/index.ts';
import { deserialize, serialize } from '../../lib/serialize/save.ts';
import { gemmBackend, isResident, setGemmBackend } from '../../lib/engine/kernels/index.ts';
import { setWasmHeapCapMb } from '../../lib/engine/kernels/wasm-heap.ts';
import { wasmSimdSupported } from '../../lib/engine/kernels/wasm-sgemm.ts';

const initial = gemmBackend();
afterAll(() => setGemmBackend(initial));

type Make = (ps: Tensor[]) => optim.Optimizer;
const OPTIMIZERS: [string, Make, string[]][] = [
  ['Adam', (ps) => new optim.Adam(ps, { lr: 1e-2 }), ['expAvg', 'expAvgSq']],
  [
    'Adam amsgrad + weight decay',
    (ps) => new optim.Adam(ps, { lr: 1e-2, amsgrad: true, weightDecay: 0.1 }),
    ['expAvg', 'expAvgSq', 'maxExpAvgSq'],
  ],
  ['AdamW maximize', (ps) => new optim.AdamW(ps, { lr: 1e-2, maximize: true }), ['expAvg', 'expAvgSq']],
  ['SGD momentum', (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.1 }), ['momentumBuffer']],
  ['SGD Nesterov', (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }), ['momentumBuffer']],
];

/** A 300x301 weight (90,300 floats: above the resident threshold, not a multiple of 4) and a bias of 7. */
function params(): Tensor[] {
  manualSeed(11);
  return [randn([300, 301]).requiresGrad_(), randn([7]).requiresGrad_()];
}

/** Five steps with seeded gradients; returns the final parameters and the optimizer. */
function train(make: Make, resident: boolean): { ps: Tensor[]; opt: optim.Optimizer } {
  const saved = setWasmHeapCapMb(resident ? 256 : 0);
  try {
    const ps = params();
    const opt = make(ps);
    manualSeed(5);
    for (let s = 0; s < 5; s++) {
      for (const p of ps) p.grad = randn(p.shape);
      opt.step();
    }
    return { ps, opt };
  } finally {
    setWasmHeapCapMb(saved);
  }
}

const bytes = (t: Tensor) => Buffer.from(Float32Array.from(t.dataSync() as Float32Array).buffer);
/** Bit-equality of two tensors' float32 data (reports the first differing byte, not a 360 kB diff). */
function expectSameBits(a: Tensor, b: Tensor): void {
  const x = bytes(a),
    y = bytes(b);
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  expect({ length: x.length, firstDifference: i < x.length ? i : -1 }).toEqual({ length: y.length, firstDifference: -1 });
}

describe.skipIf(!wasmSimdSupported())('resident optimizer state (wasm)', () => {
  for (const [name, make, keys] of OPTIMIZERS) {
    it(`${name}: bit-identical to the staged path; the state is ordinary tensors in the wasm heap`, () => {
      setGemmBackend('wasm-simd');
      const a = train(make, true),
        b = train(make, false);
      for (let i = 0; i < a.ps.length; i++) expectSameBits(a.ps[i]!, b.ps[i]!);
      const w = a.ps[0]!;
      const stA = a.opt.state.get(w)!,
        stB = b.opt.state.get(b.ps[0]!)!;
      for (const k of keys) {
        const ta = stA[k] as Tensor;
        expect(ta.shape).toEqual([300, 301]);
        expectSameBits(ta, stB[k] as Tensor);
        expect(isResident(ta.storage as Float32Array)).toBe(true);
        expect(isResident((stB[k] as Tensor).storage as Float32Array)).toBe(false);
      }
    });
  }

  it('a resident state survives stateDict, serialize and loadStateDict into a fresh optimizer, which goes on identically', () => {
    setGemmBackend('wasm-simd');
    const make: Make = (ps) => new optim.Adam(ps, { lr: 1e-2 });
    const a = train(make, true);
    const ps2 = a.ps.map((p) => p.detach().clone().requiresGrad_());
    const opt2 = make(ps2);
    // Through the file format too: the resident arrays are views of the heap's memory, and only their bytes are saved.
    const bytes = serialize(a.opt.stateDict());
    expect(bytes.length).toBeLessThan(3 * 90300 * 4 + 64 * 1024);
    opt2.loadStateDict(deserialize(bytes));
    manualSeed(9);
    const grads = a.ps.map((p) => randn(p.shape));
    a.ps.forEach((p, i) => (p.grad = grads[i]!.clone()));
    ps2.forEach((p, i) => (p.grad = grads[i]!.clone()));
    a.opt.step();
    opt2.step();
    for (let i = 0; i < ps2.length; i++) expectSameBits(ps2[i]!, a.ps[i]!);
  });

  it('small parameters keep ordinary state arrays (no heap block per tiny tensor)', () => {
    setGemmBackend('wasm-simd');
    const p = randn([10, 10]).requiresGrad_();
    const opt = new optim.Adam([p]);
    p.grad = randn([10, 10]);
    opt.step();
    expect(isResident((opt.state.get(p)!.expAvg as Tensor).storage as Float32Array)).toBe(false);
  });
});
