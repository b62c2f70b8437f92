// Native-backend benchmark (issue 12), all ratios from ONE run: 512^3 sgemm and the three training steps of
// bench/train.bench.ts (MLP+SGD, MLP+Adam, CNN+Adam, batch 64) on Board's native backend (OpenBLAS addon) and its
// WebAssembly backend, against PyTorch run by this process (bench/torch_matmul.py, bench/torch_train.py) whenever
// `/usr/bin/python3 -c 'import torch'` works. Also: 2 threads vs 1 (setNumThreads) and minor page faults per
// steady-state step (process.resourceUsage().minorPageFault).
//
// PyTorch's configuration is printed: its OpenBLAS threads pinned to 1 (OPENBLAS_NUM_THREADS=1, as torch.set_num_threads
// does not reach Debian's pthread OpenBLAS) and glibc malloc tuned as in the issue (GLIBC_TUNABLES mmap/trim
// thresholds); the OpenBLAS core type is whatever this process's environment says (both sides use the same
// libopenblas, so unset OPENBLAS_CORETYPE for autodetection, or set it, in the command that runs this bench).
//
// The machine is shared: per-step CPU time (process.cpuUsage; time.process_time in Python) is the 1-thread figure,
// which excludes time spent preempted; the 2-thread ratios must use wall time (best of the timed steps) and are
// printed with the load average.
//
// Run: node --import tsx --conditions=board-source bench/native.bench.ts [--steps 30] [--no-torch]
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { nn, optim, Tensor } from '../lib/index.ts';
import { randn, randint, manualSeed } from '../lib/engine/index.ts';
import { setGemmBackend, sgemm, type GemmBackend } from '../lib/engine/kernels/index.ts';
import { nativeAddon } from '../lib/engine/kernels/native.ts';
import { setNumThreads } from '../lib/engine/kernels/backend.ts';

const argv = process.argv.slice(2);
const STEPS = Number(argv[argv.indexOf('--steps') + 1] ?? 30) || 30;
// 20 warm-up steps: V8 needs a few dozen calls to optimise the engine's code paths (a training epoch has ~940 steps).
const WARMUP = 20,
  BATCH = 64;
const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Workload = 'mlp-sgd' | 'mlp-adam' | 'cnn-adam';
const WORKLOADS: Workload[] = ['mlp-sgd', 'mlp-adam', 'cnn-adam'];

function model(w: Workload): nn.Module {
  if (w === 'cnn-adam') {
    return new nn.Sequential(
      new nn.Conv2d(1, 16, 5),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(16, 32, 5),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(512, 10),
    );
  }
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );
}

interface StepResult {
  cpu: number;
  wall: number;
  best: number;
  faults: number;
  loss: number;
}

function trainSteps(w: Workload, backend: GemmBackend, threads: number): StepResult {
  setGemmBackend(backend);
  setNumThreads(threads);
  manualSeed(0);
  const m = model(w);
  const params = [...m.parameters()];
  const opt = w === 'mlp-sgd' ? new optim.SGD(params, { lr: 1e-3 }) : new optim.Adam(params, { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const batches = Array.from({ length: 4 }, () => [randn([BATCH, 1, 28, 28]), randint(0, 10, [BATCH])] as [Tensor, Tensor]);
  const cpu: number[] = [],
    wall: number[] = [];
  let faults = 0,
    loss = NaN;
  for (let i = 0; i < WARMUP + STEPS; i++) {
    const [x, y] = batches[i % batches.length]!;
    const f0 = process.resourceUsage().minorPageFault,
      c0 = cpuMs(),
      t0 = performance.now();
    const l = lossFn.call(m.call(x), y) as Tensor;
    opt.zeroGrad();
    l.backward();
    opt.step();
    const t1 = performance.now(),
      c1 = cpuMs();
    if (i >= WARMUP) {
      cpu.push(c1 - c0);
      wall.push(t1 - t0);
      faults += process.resourceUsage().minorPageFault - f0;
    }
    loss = Number(l.item());
  }
  setNumThreads(1);
  return { cpu: median(cpu), wall: median(wall), best: Math.min(...wall), faults: faults / STEPS, loss };
}

/** 512^3 sgemm (C = A B): GFLOP/s from the median CPU time and from the best wall time per call. */
function sgemm512(backend: GemmBackend, threads: number): { cpu: number; best: number } {
  setGemmBackend(backend);
  setNumThreads(threads);
  const n = 512,
    A = new Float32Array(n * n).map(() => Math.random() - 0.5),
    B = new Float32Array(n * n).map(() => Math.random() - 0.5);
  const C = new Float32Array(n * n);
  const run = () => sgemm(false, false, n, n, n, 1, A, 0, n, B, 0, n, 0, C, 0, n);
  for (let i = 0; i < 5; i++) run();
  const cpu: number[] = [],
    wall: number[] = [];
  const start = performance.now();
  while (wall.length < 10 || (performance.now() - start < 2000 && wall.length < 200)) {
    const c = cpuMs(),
      t = performance.now();
    run();
    wall.push(performance.now() - t);
    cpu.push(cpuMs() - c);
  }
  setNumThreads(1);
  const flops = 2 * n * n * n;
  return { cpu: flops / median(cpu) / 1e6, best: flops / Math.min(...wall) / 1e6 };
}

const TUNED = 'glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824';

function torchEnv(): NodeJS.ProcessEnv {
  return { ...process.env, OPENBLAS_NUM_THREADS: '1', GLIBC_TUNABLES: TUNED };
}

function torchAvailable(): boolean {
  return !argv.includes('--no-torch') && spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function torchMatmul512(): number | null {
  const r = spawnSync('/usr/bin/python3', [fileURLToPath(new URL('./torch_matmul.py', import.meta.url))], {
    encoding: 'utf8',
    env: torchEnv(),
  });
  if (r.status !== 0) {
    console.log(`torch_matmul.py failed: ${r.stderr.slice(0, 300)}`);
    return null;
  }
  const rows = (JSON.parse(r.stdout) as { rows: Array<{ M: number; K: number; N: number; form: string; cpu: number }> }).rows;
  return rows.find((x) => x.M === 512 && x.K === 512 && x.N === 512 && x.form === 'AB')?.cpu ?? null;
}

function torchTrain(): Record<Workload, number> | null {
  const r = spawnSync('/usr/bin/python3', [fileURLToPath(new URL('./torch_train.py', import.meta.url)), '--steps', String(STEPS)], {
    encoding: 'utf8',
    env: torchEnv(),
  });
  if (r.status !== 0) {
    console.log(`torch_train.py failed: ${r.stderr.slice(0, 300)}`);
    return null;
  }
  const out = {} as Record<Workload, number>;
  for (const row of JSON.parse(r.stdout) as Array<{ workload: Workload; cpuSamplesPerSec: number }>)
    out[row.workload] = (BATCH * 1000) / row.cpuSamplesPerSec;
  return out;
}

function main(): void {
  const addon = nativeAddon();
  if (!addon) {
    console.log('native addon not built: nothing to compare (npm run build:native)');
    return;
  }
  const info = addon.blasInfo();
  console.log(
    `native.bench ${new Date().toISOString()}: ${cpus()[0]?.model ?? '?'} x${cpus().length}, Node ${process.version}, ` +
      `load ${load()}; OpenBLAS core ${info.core} (OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? 'unset'}, ` +
      `OPENBLAS_L2_SIZE=${process.env.OPENBLAS_L2_SIZE ?? 'unset'}); ${STEPS} timed steps after ${WARMUP} warm-up, medians`,
  );
  const haveTorch = torchAvailable();
  if (haveTorch)
    console.log(`PyTorch: /usr/bin/python3 torch, OPENBLAS_NUM_THREADS=1, GLIBC_TUNABLES=${TUNED}, same OpenBLAS env as above`);

  // --- 512^3 sgemm
  const n1 = sgemm512('native', 1),
    n2 = sgemm512('native', 2),
    w1 = sgemm512('wasm-simd', 1);
  const t512 = haveTorch ? torchMatmul512() : null;
  console.log(
    `\n512^3 sgemm GFLOP/s (CPU-time median | best wall): native 1 thread ${fmt(n1.cpu, 1)} | ${fmt(n1.best, 1)}, ` +
      `native 2 threads - | ${fmt(n2.best, 1)}, wasm-simd ${fmt(w1.cpu, 1)} | ${fmt(w1.best, 1)}` +
      (t512 ? `, PyTorch ${fmt(t512, 1)}` : ''),
  );
  if (t512) console.log(`  native / PyTorch (CPU time): ${fmt(n1.cpu / t512)}x   wasm / PyTorch: ${fmt(w1.cpu / t512)}x`);
  console.log(`  native 2 threads / 1 thread (best wall): ${fmt(n2.best / n1.best)}x   (load ${load()})`);

  // --- training steps
  const torch = haveTorch ? torchTrain() : null;
  console.log('\nworkload   backend        CPU ms/step  wall med  wall best  faults/step  loss     vs PyTorch (CPU time)');
  const rows: Array<[Workload, string, StepResult]> = [];
  for (const w of WORKLOADS) {
    for (const [be, label] of [
      ['native', 'native'],
      ['wasm-simd', 'wasm'],
    ] as const)
      rows.push([w, label, trainSteps(w, be, 1)]);
    if (w === 'cnn-adam') rows.push([w, 'native 2thr', trainSteps(w, 'native', 2)]);
  }
  for (const [w, label, r] of rows) {
    const ratio = torch ? `${fmt(torch[w] / r.cpu)}x (PyTorch ${fmt(torch[w])} ms)` : '-';
    console.log(
      `${w.padEnd(10)} ${label.padEnd(14)} ${fmt(r.cpu).padStart(11)} ${fmt(r.wall).padStart(9)} ${fmt(r.best).padStart(10)} ` +
        `${fmt(r.faults, 1).padStart(12)}  ${fmt(r.loss, 3).padEnd(8)} ${label.includes('2thr') ? '' : ratio}`,
    );
  }
  const c1 = rows.find((r) => r[0] === 'cnn-adam' && r[1] === 'native')![2],
    c2 = rows.find((r) => r[1] === 'native 2thr')![2];
  console.log(`  CNN step, native 2 threads / 1 thread (best wall): ${fmt(c1.best / c2.best)}x`);
  console.log(`\nload average at end ${load()}`);
}

main();
