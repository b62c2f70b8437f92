// The native backend (N-API addon over OpenBLAS, native/): every fused C kernel against the TypeScript path it
// replaces, through the public API, on awkward shapes; plus backend selection and the addon's own argument checks.
// Skips (saying so) where the addon was not built, e.g. without libopenblas-dev; the WebAssembly path is then used.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nn, optim, Tensor } from '../../../lib/index.ts';
import { manualSeed, randn, randint } from '../../../lib/engine/index.ts';
import { gemmBackend, setGemmBackend, im2col, col2im, type ConvGeom } from '../../../lib/engine/kernels/index.ts';
import {
  availableBackends,
  describeBackend,
  getBackend,
  getNumThreads,
  setBackend,
  setNumThreads,
} from '../../../lib/engine/kernels/backend.ts';
import { nativeAddon, nativeLoadError } from '../../../lib/engine/kernels/native.ts';

const F = nn.functional;
const addon = nativeAddon();
const initial = gemmBackend();
afterAll(() => setGemmBackend(initial));

if (!addon) {
  console.warn(`native backend tests skipped: ${nativeLoadError()}`);
}

/** Runs fn on the TypeScript/wasm path and on the native path from the same seed; returns both results. */
function both<T>(fn: () => T): { ref: T; nat: T } {
  setGemmBackend('wasm-simd');
  manualSeed(7);
  const ref = fn();
  setGemmBackend('native');
  manualSeed(7);
  const nat = fn();
  setGemmBackend(initial);
  return { ref, nat };
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!,
      y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) throw new Error(`${what}[${i}]: native ${x}, reference ${y}`);
  }
}
const data = (t: Tensor | null) => Array.from(t!.dataSync() as Float32Array);

describe.skipIf(!addon)('native backend kernels match the TypeScript path', () => {
  it('im2col / col2im: strides, padding, dilation, 1-D/2-D/3-D geometry, batch-wide column offsets', () => {
    const geoms: ConvGeom[] = [
      {
        C: 3,
        inD: 1,
        inH: 7,
        inW: 9,
        kD: 1,
        kH: 3,
        kW: 2,
        sD: 1,
        sH: 2,
        sW: 1,
        pD: 0,
        pH: 1,
        pW: 2,
        dD: 1,
        dH: 1,
        dW: 2,
        oD: 1,
        oH: 4,
        oW: 10,
      },
      {
        C: 2,
        inD: 3,
        inH: 4,
        inW: 5,
        kD: 2,
        kH: 2,
        kW: 3,
        sD: 1,
        sH: 1,
        sW: 2,
        pD: 1,
        pH: 0,
        pW: 1,
        dD: 1,
        dH: 2,
        dW: 1,
        oD: 4,
        oH: 2,
        oW: 3,
      },
      {
        C: 1,
        inD: 1,
        inH: 1,
        inW: 11,
        kD: 1,
        kH: 1,
        kW: 4,
        sD: 1,
        sH: 1,
        sW: 3,
        pD: 0,
        pH: 0,
        pW: 0,
        dD: 1,
        dH: 1,
        dW: 1,
        oD: 1,
        oH: 1,
        oW: 3,
      },
    ];
    for (const g of geoms) {
      const plane = g.C * g.inD * g.inH * g.inW,
        rows = g.C * g.kD * g.kH * g.kW,
        L = g.oD * g.oH * g.oW;
      const x = Float32Array.from({ length: plane + 5 }, (_, i) => Math.sin(i * 1.7));
      const ld = 2 * L + 1,
        colOff = 3;
      const run = (be: 'wasm-simd' | 'native') => {
        setGemmBackend(be);
        const col = new Float32Array(colOff + rows * ld).fill(-9);
        im2col(x, 5, g, col, colOff, ld);
        const dx = new Float32Array(plane + 4).fill(0.5);
        col2im(col, g, dx, 4, colOff, ld);
        return { col, dx };
      };
      const r = run('wasm-simd'),
        n = run('native');
      expect(Array.from(n.col)).toEqual(Array.from(r.col));
      close(n.dx, r.dx, 1e-6, 1e-6, 'col2im');
    }
    setGemmBackend('native');
    expect(() => im2col(new Float32Array(3), 0, geoms[0]!, new Float32Array(10))).toThrow(
      /im2col: input needs 189 values at offset 0, but has length 3/,
    );
    setGemmBackend(initial);
  });

  it('conv2d + relu + max_pool2d forward and backward (the CNN benchmark layers, plus padding/stride/groups)', () => {
    for (const [cin, cout, k, opts] of [
      [1, 16, 5, {}],
      [16, 32, 5, {}],
      [4, 6, 3, { padding: 1, stride: 2, groups: 2 }],
      // more rows than output positions (the kernel's im2row layout) with padding, dilation, stride and groups
      [8, 4, 3, { padding: 2, dilation: 2, stride: [1, 2] as number[], groups: 2 }],
      // im2row / row2im have bodies specialised for kernel widths 3, 5 and 7 and a generic one: each, with and
      // without padding (receptive fields partly outside the input take the per-element path)
      [32, 8, 3, {}],
      [10, 5, 5, { padding: 2 }],
      [16, 8, 7, { padding: 3 }],
      [12, 6, [3, 4] as number[], { padding: [1, 2] as number[] }],
      [12, 6, [2, 6] as number[], {}],
    ] as const) {
      const { ref, nat } = both(() => {
        const x = randn([3, cin, 13, 12]).requiresGrad_();
        const conv = new nn.Conv2d(cin, cout, k, opts);
        const y = F.maxPool2d(F.relu(conv.call(x) as Tensor), 2);
        y.mul(randn(y.shape)).sum().backward();
        return [y, x.grad, conv.weight.grad, conv.bias!.grad] as Array<Tensor | null>;
      });
      ['y', 'dx', 'dw', 'db'].forEach((name, i) => close(data(nat[i]!), data(ref[i]!), 2e-5, 2e-5, `conv ${cin}->${cout} ${name}`));
    }
  });

  it('conv1d / conv3d through the whole-convolution kernel, both column layouts, no bias, input without grad', () => {
    const { ref, nat } = both(() => {
      const out: Array<Tensor | null> = [];
      const x1 = randn([2, 6, 11]).requiresGrad_();
      const c1 = new nn.Conv1d(6, 4, 3, { padding: 1, dilation: 2, bias: false });
      const y1 = c1.call(x1) as Tensor;
      y1.mul(randn(y1.shape)).sum().backward();
      out.push(y1, x1.grad, c1.weight.grad);
      const x3 = randn([2, 3, 4, 5, 6]); // no grad: only the weight and bias gradients are computed
      const c3 = new nn.Conv3d(3, 5, [2, 3, 2], { stride: [1, 2, 1], padding: [1, 0, 1] });
      const y3 = c3.call(x3) as Tensor;
      y3.mul(randn(y3.shape)).sum().backward();
      out.push(y3, c3.weight.grad, c3.bias!.grad);
      return out;
    });
    ['y1', 'dx1', 'dw1', 'y3', 'dw3', 'db3'].forEach((name, i) => close(data(nat[i]!), data(ref[i]!), 2e-5, 2e-5, name));
  });

  it('relu keeps PyTorch semantics (0 at 0, NaN input gives 0 as the TypeScript kernel), max pool NaN wins, first index on ties', () => {
    const vals = [NaN, -1, 0, 2, 2, -3, 5, 5, 1, 1, 1, 1, -0.5, 7, NaN, 3];
    const { ref, nat } = both(() => {
      const x = Tensor.fromTypedArray(Float32Array.from(vals), [1, 1, 4, 4], 'float32').requiresGrad_();
      const r = F.relu(x);
      const [p, idx] = F.maxPool2d(x, 2, { returnIndices: true });
      r.sum().add(p.sum()).backward();
      return [r, p, idx, x.grad];
    });
    for (let i = 0; i < 4; i++) expect(data(nat[i]!)).toEqual(data(ref[i]!));
  });

  it('cross-entropy (log-softmax fused): mean/sum/none, class weights, ignore_index, spatial targets', () => {
    const cases = [
      { shape: [64, 10], opts: {} },
      { shape: [5, 4], opts: { reduction: 'sum' as const, ignoreIndex: 2 } },
      { shape: [3, 6, 2, 3], opts: { reduction: 'none' as const } },
      { shape: [7, 3], opts: { weight: true, reduction: 'mean' as const } },
    ];
    for (const c of cases) {
      const { ref, nat } = both(() => {
        const x = randn(c.shape).mul(3).requiresGrad_();
        const t = randint(0, c.shape[1]!, [c.shape[0]!, ...c.shape.slice(2)]);
        const weight = 'weight' in c ? Tensor.fromTypedArray(Float32Array.from([0.2, 1, 3]), [3], 'float32') : undefined;
        const loss = F.crossEntropy(x, t, { ...c.opts, weight });
        (loss.dim() === 0 ? loss : loss.mul(randn(loss.shape)).sum()).backward();
        return [loss, x.grad];
      });
      close(data(nat[0]!), data(ref[0]!), 1e-5, 1e-6, `loss ${JSON.stringify(c)}`);
      close(data(nat[1]!), data(ref[1]!), 1e-5, 1e-7, `dx ${JSON.stringify(c)}`);
    }
  });

  it('SGD (plain, momentum, dampening, nesterov, weight decay, maximize) and Adam/AdamW (+amsgrad) over 5 steps', () => {
    const makers: Array<[string, (ps: Tensor[]) => optim.Optimizer]> = [
      ['sgd', (ps) => new optim.SGD(ps, { lr: 0.1 })],
      ['sgd wd', (ps) => new optim.SGD(ps, { lr: 0.1, weightDecay: 0.01 })],
      ['sgd momentum', (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.001 })],
      ['sgd nesterov maximize', (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true })],
      ['adam', (ps) => new optim.Adam(ps, { lr: 0.01 })],
      ['adam amsgrad wd', (ps) => new optim.Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.1, maximize: true })],
      ['adamw', (ps) => new optim.AdamW(ps, { lr: 0.01 })],
    ];
    for (const [name, make] of makers) {
      const { ref, nat } = both(() => {
        const lin = new nn.Linear(13, 7);
        const opt = make([...lin.parameters()]);
        const x = randn([9, 13]);
        for (let s = 0; s < 5; s++) {
          opt.zeroGrad();
          (lin.call(x) as Tensor).pow(2).sum().backward();
          opt.step();
        }
        return [lin.weight.detach(), lin.bias!.detach()];
      });
      close(data(nat[0]!), data(ref[0]!), 1e-5, 1e-6, `${name} weight`);
      close(data(nat[1]!), data(ref[1]!), 1e-5, 1e-6, `${name} bias`);
    }
  });

  it('trains the benchmark MLP to the same losses on both backends', () => {
    const { ref, nat } = both(() => {
      const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
      const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
      const x = randn([32, 1, 28, 28]),
        y = randint(0, 10, [32]);
      const losses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const loss = F.crossEntropy(model.call(x) as Tensor, y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        losses.push(Number(loss.item()));
      }
      return losses;
    });
    close(nat, ref, 1e-4, 1e-5, 'losses');
    expect(nat[9]!).toBeLessThan(nat[0]!);
  });

  it('numerics do not depend on the thread count: the benchmark CNN trained 3 Adam steps on 1 and on 2 threads', () => {
    const run = (threads: number) => {
      const was = getNumThreads();
      setGemmBackend('native');
      setNumThreads(threads);
      manualSeed(11);
      const m = new nn.Sequential(
        new nn.Conv2d(1, 16, 5),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Conv2d(16, 32, 5),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Linear(512, 10),
      );
      const opt = new optim.Adam([...m.parameters()], { lr: 1e-3 });
      const x = randn([64, 1, 28, 28]),
        y = randint(0, 10, [64]);
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) {
        opt.zeroGrad();
        const l = new nn.CrossEntropyLoss().call(m.call(x), y) as Tensor;
        l.backward();
        opt.step();
        losses.push(Number(l.item()));
      }
      const grads = [...m.parameters()].flatMap((p) => data(p.grad));
      setNumThreads(was);
      setGemmBackend(initial);
      return { losses, grads };
    };
    const one = run(1),
      two = run(2);
    close(two.losses, one.losses, 1e-5, 1e-6, 'loss');
    close(two.grads, one.grads, 1e-4, 1e-6, 'grad');
  });

  it('the thread pool: 2-thread conv forward/backward, ReLU and pooling match 1 thread on odd batch sizes', () => {
    // Shapes above the addon's grain size (PAR_MIN_MACS, PAR_MIN_ELEMS), so 2 threads really split the batch: both
    // column layouts (cols: L >= R; rows: R > L), groups and stride; batches 1, 3 and 7 give uneven shares.
    const run = (threads: number, N: number, cin: number, cout: number, hw: number, opts: object) => {
      const was = getNumThreads();
      setGemmBackend('native');
      setNumThreads(threads);
      manualSeed(5);
      const x = randn([N, cin, hw, hw]).requiresGrad_();
      const conv = new nn.Conv2d(cin, cout, 3, opts);
      const y = F.maxPool2d(F.relu(conv.call(x) as Tensor), 2);
      y.mul(randn(y.shape)).sum().backward();
      const out = [y, x.grad, conv.weight.grad, conv.bias!.grad].map(data);
      const workers = addon!.poolThreads();
      setNumThreads(was);
      setGemmBackend(initial);
      return { out, workers };
    };
    for (const N of [1, 3, 7])
      for (const [cin, cout, hw, opts] of [
        [8, 16, 16, {}],
        [32, 16, 8, { padding: 1 }],
        [8, 16, 17, { groups: 2, stride: 1 }],
      ] as const) {
        const one = run(1, N, cin, cout, hw, opts),
          two = run(2, N, cin, cout, hw, opts);
        if (N > 1) expect(two.workers, 'a worker thread ran').toBe(1);
        ['y', 'dx', 'dw', 'db'].forEach((name, i) =>
          close(two.out[i]!, one.out[i]!, 1e-4, 1e-6, `N=${N} conv ${cin}->${cout} ${hw}x${hw} ${name}`),
        );
        // The same thread count gives the same bits (fixed ranges, partial gradients summed in a fixed order).
        expect(run(2, N, cin, cout, hw, opts).out).toEqual(two.out);
      }
    // ReLU and pooling alone, large enough to be split: results do not depend on the split at all.
    const big = (threads: number) => {
      const was = getNumThreads();
      setGemmBackend('native');
      setNumThreads(threads);
      manualSeed(6);
      const x = randn([7, 16, 32, 32]).requiresGrad_();
      const y = F.maxPool2d(F.relu(x), 2);
      y.mul(randn(y.shape)).sum().backward();
      const out = [y, x.grad].map(data);
      setNumThreads(was);
      setGemmBackend(initial);
      return out;
    };
    expect(big(2)).toEqual(big(1));
  });

  it("poolStats() counts parallel jobs, the tasks each thread ran and the workers' wake-ups", () => {
    const was = getNumThreads();
    setGemmBackend('native');
    setNumThreads(2);
    const s0 = addon!.poolStats();
    manualSeed(7);
    const x = randn([8, 16, 24, 24]);
    for (let i = 0; i < 3; i++) F.maxPool2d(F.relu(new nn.Conv2d(16, 16, 3).call(x) as Tensor), 2);
    const s1 = addon!.poolStats();
    setNumThreads(was);
    setGemmBackend(initial);
    expect(s1.jobs).toBeGreaterThan(s0.jobs);
    expect(s1.tasks.length).toBeGreaterThanOrEqual(2);
    const ran = s1.tasks.reduce((a, b) => a + b, 0) - s0.tasks.reduce((a, b) => a + b, 0);
    expect(ran).toBeGreaterThanOrEqual(2 * (s1.jobs - s0.jobs)); // every parallel job has at least 2 tasks
    expect(s1.wakeups).toBeGreaterThanOrEqual(s0.wakeups);
  });

  it('the thread pool is torn down cleanly: a process that used 2 threads exits by itself', () => {
    // A child process: starts the pool, resizes it (workers joined and restarted), and returns from its script
    // without exiting explicitly; the addon's env cleanup hook joins the workers. A hang would hit the timeout.
    const addonPath = fileURLToPath(new URL('../../../native/build/Release/board_native.node', import.meta.url));
    const script = `
      const a = require(${JSON.stringify(addonPath)});
      const geom = Int32Array.of(8, 1, 16, 16, 1, 3, 3, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 14, 14);
      const N = 5, x = new Float32Array(N * 8 * 256).fill(0.5), w = new Float32Array(16 * 72).fill(0.25);
      const y = new Float32Array(N * 16 * 196);
      const conv = () => a.convForward(x, w, null, y, geom, Int32Array.of(N, 16, 1));
      if (a.poolThreads() !== 0) throw new Error('pool started before use');
      a.setNumThreads(2); conv();
      if (a.poolThreads() !== 1) throw new Error('expected 1 worker, got ' + a.poolThreads());
      a.setNumThreads(3);
      if (a.poolThreads() !== 0) throw new Error('resizing did not stop the workers');
      conv();
      if (a.poolThreads() !== 2) throw new Error('expected 2 workers, got ' + a.poolThreads());
      if (Math.abs(y[0] - 9) > 1e-6) throw new Error('wrong value ' + y[0]);
      process.stdout.write('ok');
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.error, 'child did not time out').toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
    expect(r.status).toBe(0);
  });

  it("the addon's own checks: wrong array types and out-of-range views throw instead of touching memory", () => {
    const a = addon!;
    expect(() =>
      a.sgemm(false, false, 2, 2, 2, 1, new Float32Array(3), 0, 2, new Float32Array(4), 0, 2, 0, new Float32Array(4), 0, 2),
    ).toThrow(/board_native.sgemm: A is too small/);
    expect(() => a.reluForward(new Float32Array(3), new Float32Array(2))).toThrow(/same length/);
    expect(() => a.reluForward(new Float64Array(2) as unknown as Float32Array, new Float32Array(2))).toThrow(/expected a Float32Array/);
    expect(() => a.maxPool2d(new Float32Array(4), new Float32Array(1), new Int32Array(1), 1, 2, 2, 2, 2, 2, 2, 2, 2)).toThrow(
      /output or indices smaller/,
    );
    expect(() => a.scatterByIndex(new Float32Array(1), Int32Array.of(9), new Float32Array(4), 1, 1, 4, false)).toThrow(
      /index outside the input plane/,
    );
    expect(() =>
      a.adamUpdate(
        new Float32Array(2),
        new Float32Array(2),
        new Float32Array(1),
        new Float32Array(2),
        null,
        1,
        0,
        0.9,
        0.999,
        1e-3,
        1,
        1e-8,
      ),
    ).toThrow(/lengths differ/);
    expect(() => a.setNumThreads(0)).toThrow(/between 1 and 1024/);
  });
});

describe('backend selection', () => {
  it('lists what can run, describes the backend in one line, and switches', () => {
    const avail = availableBackends();
    expect(avail).toContain('js');
    expect(avail.includes('native')).toBe(addon !== null);
    const was = getBackend();
    setBackend('js');
    expect(gemmBackend()).toBe('js');
    expect(describeBackend()).toMatch(/^backend: js \(TypeScript\); native not used: /);
    setBackend('wasm');
    expect(gemmBackend()).toBe('wasm-simd');
    // FMA by default wherever relaxed SIMD can be turned on (Node 20 behind a V8 flag that index.ts sets), unless
    // BOARD_GEMM_FMA=0.
    const fma = process.env.BOARD_GEMM_FMA !== '0';
    expect(describeBackend()).toMatch(
      fma ? /^backend: wasm \(WebAssembly SIMD with FMA\); native not used: / : /^backend: wasm \(WebAssembly SIMD\); /,
    );
    if (addon) {
      setBackend('native');
      expect(describeBackend()).toMatch(/^backend: native \(OpenBLAS core \w+( from the CPU flags)?, \d+ threads?\)$/);
    } else {
      expect(() => setBackend('native')).toThrow(/native backend is not available/);
    }
    expect(() => setBackend('gpu' as 'js')).toThrow(/unknown backend 'gpu'/);
    setBackend(was);
  });

  it('setNumThreads / getNumThreads as torch, with a clear error for bad counts', () => {
    const was = getNumThreads();
    setNumThreads(2);
    expect(getNumThreads()).toBe(2);
    if (addon) expect(addon.getNumThreads()).toBe(2);
    setNumThreads(was);
    expect(() => setNumThreads(0)).toThrow(/positive integer, got 0/);
    expect(() => setNumThreads(1.5)).toThrow(/positive integer, got 1.5/);
  });
});
