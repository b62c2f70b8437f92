// Training-step benchmark: the tutorial's MLP (Flatten, Linear(784,512), ReLU, Linear(512,512), ReLU, Linear(512,10))
// with CrossEntropy and SGD lr 1e-3 / Adam, and a small CNN (Conv2d(1,16,5)-ReLU-MaxPool2d(2)-Conv2d(16,32,5)-ReLU-
// MaxPool2d(2)-Flatten-Linear(512,10)) with Adam, batch 64 of 1x28x28 inputs. Prints samples/s and ms per step split
// into forward (model + loss), backward (zeroGrad + backward) and optimizer step.
//
// Baselines in the same run: each workload runs on both sgemm backends ('wasm-simd' and 'js'), and, where
// `/usr/bin/python3 -c 'import torch'` works, bench/torch_train.py runs the same models in PyTorch (out of the box and
// with the malloc tuning the issue describes); the ratios are printed. The reference figures for PyTorch
// 1.13 on this machine are printed alongside for runs without torch.
//
// The machine is shared, so besides wall time each step's CPU time (process.cpuUsage; time.process_time in Python) is
// measured: samples/s are reported on both, and the ratios to PyTorch use CPU time, which excludes time spent preempted.
//
// Run: node --import tsx --conditions=board-source bench/train.bench.ts [--steps N] [--no-torch] [--backend js|wasm-simd]
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '../lib/index.ts';
import { manualSeed } from '../lib/engine/index.ts';
import { gemmBackend, setGemmBackend, type GemmBackend } from '../lib/engine/kernels/index.ts';
import { wasmSimdSupported } from '../lib/engine/kernels/wasm-sgemm.ts';
import { benchTraining, WORKLOADS, type Workload } from './workloads.ts';

const argv = process.argv.slice(2);
const argValue = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const STEPS = Number(argValue('--steps') ?? 30);
const WARMUP = 5;
const BATCH = 64;

/** PyTorch 1.13 (OpenBLAS, one thread) samples/s on this machine, from the issue: [out of the box, best configuration]. */
const TORCH_REFERENCE: Record<Workload, [number, number]> = {
  'mlp-sgd': [25000, 35000],
  'mlp-adam': [5000, 23000],
  'cnn-adam': [3000, 8700],
};

interface Result {
  workload: Workload;
  backend: GemmBackend;
  samplesPerSec: number;
  cpuSamplesPerSec: number;
  fwd: number;
  bwd: number;
  step: number;
  total: number;
  cpu: number;
  firstLoss: number;
  lastLoss: number;
}

/** CPU time of this process in ms (user + system). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function run(workload: Workload, backend: GemmBackend): Result {
  setGemmBackend(backend);
  manualSeed(0);
  // A few fixed batches, cycled, so data generation is outside the timed loop.
  const { model, opt, lossFn, batches } = benchTraining(workload, BATCH);
  const fwd: number[] = [],
    bwd: number[] = [],
    stp: number[] = [],
    tot: number[] = [],
    cpu: number[] = [];
  let firstLoss = NaN,
    lastLoss = NaN;
  for (let i = 0; i < WARMUP + STEPS; i++) {
    const [x, y] = batches[i % batches.length]!;
    const c0 = cpuMs();
    const t0 = performance.now();
    const loss = lossFn.call(model.call(x), y) as Tensor;
    const t1 = performance.now();
    opt.zeroGrad();
    loss.backward();
    const t2 = performance.now();
    opt.step();
    const t3 = performance.now();
    const c1 = cpuMs();
    if (i === 0) firstLoss = Number(loss.item());
    lastLoss = Number(loss.item());
    if (i >= WARMUP) {
      fwd.push(t1 - t0);
      bwd.push(t2 - t1);
      stp.push(t3 - t2);
      tot.push(t3 - t0);
      cpu.push(c1 - c0);
    }
  }
  const total = median(tot);
  const cpuStep = median(cpu);
  return {
    workload,
    backend,
    samplesPerSec: (BATCH * 1000) / total,
    cpuSamplesPerSec: (BATCH * 1000) / cpuStep,
    fwd: median(fwd),
    bwd: median(bwd),
    step: median(stp),
    total,
    cpu: cpuStep,
    firstLoss,
    lastLoss,
  };
}

interface TorchResult {
  workload: Workload;
  mode: string;
  samplesPerSec: number;
  cpuSamplesPerSec: number;
  fwd: number;
  bwd: number;
  step: number;
}

function runTorch(): TorchResult[] | null {
  if (argv.includes('--no-torch')) return null;
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const script = fileURLToPath(new URL('./torch_train.py', import.meta.url));
  const out: TorchResult[] = [];
  const tuned = 'glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824';
  for (const [mode, env] of [
    ['out of the box', {}],
    ['malloc tuned', { GLIBC_TUNABLES: tuned }],
  ] as const) {
    // OpenBLAS (Debian's pthread build) ignores torch.set_num_threads(1): pin it to one thread like our single-threaded side.
    const r = spawnSync('/usr/bin/python3', [script, '--steps', String(STEPS)], {
      encoding: 'utf8',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', ...env },
    });
    if (r.status !== 0) {
      console.log(`torch_train.py failed (${mode}): ${r.stderr.slice(0, 500)}`);
      return null;
    }
    for (const row of JSON.parse(r.stdout) as Array<Omit<TorchResult, 'mode'>>) out.push({ ...row, mode });
  }
  return out;
}

const fmt = (x: number, d = 2) => x.toFixed(d);

function main(): void {
  const forced = argValue('--backend') as GemmBackend | undefined;
  const backends: GemmBackend[] = forced ? [forced] : wasmSimdSupported() ? ['wasm-simd', 'js'] : ['js'];
  const before = gemmBackend();
  console.log(
    `train.bench: batch ${BATCH}, ${STEPS} timed steps after ${WARMUP} warmup (medians), ${cpus()[0]?.model ?? '?'}, ` +
      `${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, Node ${process.version}`,
  );
  const results: Result[] = [];
  for (const w of WORKLOADS) {
    for (const b of backends) {
      const r = run(w, b);
      results.push(r);
      console.log(
        `${w.padEnd(9)} ${b.padEnd(9)} ${fmt(r.samplesPerSec, 0).padStart(7)} samples/s wall, ${fmt(r.cpuSamplesPerSec, 0).padStart(6)} on CPU time (${fmt(r.cpu)} ms)  ` +
          `step ${fmt(r.total)} ms = fwd ${fmt(r.fwd)} + bwd ${fmt(r.bwd)} + opt ${fmt(r.step)}   loss ${fmt(r.firstLoss, 3)} -> ${fmt(r.lastLoss, 3)}`,
      );
    }
    const [a, b] = results.filter((r) => r.workload === w);
    if (a && b) console.log(`${''.padEnd(9)} ratio ${a.backend}/${b.backend}: ${fmt(a.samplesPerSec / b.samplesPerSec)}x`);
    const best = Math.max(...results.filter((r) => r.workload === w).map((r) => r.cpuSamplesPerSec));
    const [ootb, tuned] = TORCH_REFERENCE[w];
    console.log(
      `${''.padEnd(9)} CPU-time rate vs issue's PyTorch reference: ${fmt(best / ootb)}x out of the box (${ootb}/s), ${fmt(best / tuned)}x best config (${tuned}/s)`,
    );
  }
  setGemmBackend(before);
  const torch = runTorch();
  if (!torch) {
    console.log(
      'PyTorch: not available in this environment (python3 -c "import torch" fails); ratios above use the issue\'s reference figures.',
    );
    return;
  }
  for (const t of torch) {
    const ours = Math.max(...results.filter((r) => r.workload === t.workload).map((r) => r.cpuSamplesPerSec));
    console.log(
      `torch ${t.workload.padEnd(9)} ${t.mode.padEnd(15)} ${fmt(t.samplesPerSec, 0).padStart(7)} samples/s wall, ${fmt(t.cpuSamplesPerSec, 0).padStart(6)} on CPU time (fwd ${fmt(t.fwd)} bwd ${fmt(t.bwd)} opt ${fmt(t.step)} ms)  Board/PyTorch (CPU time) ${fmt(ours / t.cpuSamplesPerSec)}x`,
    );
  }
}

main();
