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
// Run: node --import tsx --conditions=board-source bench/native.bench.ts [--steps 30] [--no-torch] [--threads]
// (--threads: only the 2-threads-vs-1 figures, native and wasm backends, see threadsOnly; --backends wasm limits it;
// --pairs N sets the number of paired windows of the interleaved CNN comparison, default 15, see pairedCnnThreads)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '../lib/index.ts';
import { manualSeed } from '../lib/engine/index.ts';
import { setGemmBackend, sgemm, startWasmThreads, wasmThreadStats, type GemmBackend } from '../lib/engine/kernels/index.ts';
import { nativeAddon, openblasCoreChosenByBoard } from '../lib/engine/kernels/native.ts';
import { setNumThreads } from '../lib/engine/kernels/backend.ts';
import { benchTraining, WORKLOADS, type Workload } from './workloads.ts';

const argv = process.argv.slice(2);
const STEPS = Number(argv[argv.indexOf('--steps') + 1] ?? 30) || 30;
// Warm-up until steady state, the same rule on both sides (bench/torch_train.py --stable): at least 30 steps, then
// until the medians of the last three windows of 10 steps' CPU times agree within 5%, at most 400 steps. V8 takes
// well over 20 steps to finish optimising the CNN's code paths (a fixed 20-step warm-up measured it at about half its
// steady-state speed); a training epoch has ~940 steps, so steady state is what a user sees.
const MIN_WARMUP = 30,
  MAX_WARMUP = 400,
  WINDOW = 10,
  BATCH = 64;

/** True once the last three windows' medians agree within 5% (the warm-up rule above). */
function settled(times: number[]): boolean {
  const n = times.length;
  if (n < MIN_WARMUP || n % WINDOW !== 0) return false;
  const meds = [0, 1, 2].map((k) => median(times.slice(n - (k + 1) * WINDOW, n - k * WINDOW)));
  return Math.max(...meds) <= 1.05 * Math.min(...meds);
}
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

interface StepResult {
  warmup: number;
  cpu: number;
  wall: number;
  best: number;
  faults: number;
  loss: number;
  /** Main (JS) thread per step, from /proc/self/task/<pid>/schedstat (Linux; NaN elsewhere): median ms on a CPU and
   * median ms runnable but waiting for one. On a loaded machine, on-CPU time approximates the quiet-machine wall time. */
  mainOnCpu: number;
  mainRunqWait: number;
  /** With threads: how the timed steps' chunks were shared (worker / caller) and, native, the workers' wake-ups. */
  pool: string;
}

/** Chunks run by the workers and by the caller, and (native) worker wake-ups from sleep, so far. */
function poolCounters(backend: GemmBackend): [number, number, number] {
  if (backend === 'native') {
    const s = nativeAddon()!.poolStats();
    const w = s.tasks.slice(1).reduce((a, b) => a + b, 0);
    return [w, s.tasks[0] ?? 0, s.wakeups];
  }
  const s = wasmThreadStats();
  return [s.workerChunks, s.callerChunks, NaN];
}

/** [ns on a CPU, ns waiting on a run queue] of the main thread so far, or NaNs where schedstat is unavailable. */
function mainSchedstat(): [number, number] {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return [run!, wait!];
  } catch {
    return [NaN, NaN];
  }
}

function trainSteps(w: Workload, backend: GemmBackend, threads: number): StepResult {
  setGemmBackend(backend);
  setNumThreads(threads);
  if (backend === 'wasm-simd') startWasmThreads();
  manualSeed(0);
  const { model: m, opt, lossFn, batches } = benchTraining(w, BATCH);
  const cpu: number[] = [],
    wall: number[] = [],
    onCpu: number[] = [],
    runq: number[] = [];
  let faults = 0,
    loss = NaN,
    warmup = -1;
  let p0: [number, number, number] = [0, 0, 0];
  const warmTimes: number[] = [];
  for (let i = 0; warmup < 0 || i < warmup + STEPS; i++) {
    const [x, y] = batches[i % batches.length]!;
    const f0 = process.resourceUsage().minorPageFault,
      s0 = mainSchedstat(),
      c0 = cpuMs(),
      t0 = performance.now();
    const l = lossFn.call(m.call(x), y) as Tensor;
    opt.zeroGrad();
    l.backward();
    opt.step();
    const t1 = performance.now(),
      c1 = cpuMs(),
      s1 = mainSchedstat();
    if (warmup >= 0) {
      cpu.push(c1 - c0);
      wall.push(t1 - t0);
      onCpu.push((s1[0] - s0[0]) / 1e6);
      runq.push((s1[1] - s0[1]) / 1e6);
      faults += process.resourceUsage().minorPageFault - f0;
    } else {
      warmTimes.push(c1 - c0);
      if (settled(warmTimes) || warmTimes.length >= MAX_WARMUP) {
        warmup = warmTimes.length;
        p0 = poolCounters(backend);
      }
    }
    loss = Number(l.item());
  }
  const p1 = poolCounters(backend);
  const pool =
    threads > 1
      ? `chunks worker/caller ${p1[0] - p0[0]}/${p1[1] - p0[1]}` + (backend === 'native' ? `, wake-ups ${p1[2] - p0[2]}` : '')
      : '';
  setNumThreads(1);
  return {
    warmup,
    cpu: median(cpu),
    wall: median(wall),
    best: Math.min(...wall),
    faults: faults / STEPS,
    loss,
    mainOnCpu: median(onCpu),
    mainRunqWait: median(runq),
    pool,
  };
}

/** 512^3 sgemm (C = A B): GFLOP/s from the median CPU time and from the best wall time per call. */
function sgemm512(backend: GemmBackend, threads: number): { cpu: number; best: number } {
  setGemmBackend(backend);
  setNumThreads(threads);
  if (backend === 'wasm-simd') startWasmThreads();
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

/** PyTorch's CPU ms per step for one workload, warmed up by the same rule as Board (--stable). */
function torchTrain(w: Workload): { ms: number; wall: number; warmup: number } | null {
  const script = fileURLToPath(new URL('./torch_train.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, '--steps', String(STEPS), '--stable', '--workloads', w], {
    encoding: 'utf8',
    env: torchEnv(),
  });
  if (r.status !== 0) {
    console.log(`torch_train.py failed: ${r.stderr.slice(0, 300)}`);
    return null;
  }
  const row = (JSON.parse(r.stdout) as Array<{ workload: Workload; cpuSamplesPerSec: number; samplesPerSec: number; warmup: number }>)[0]!;
  return { ms: (BATCH * 1000) / row.cpuSamplesPerSec, wall: (BATCH * 1000) / row.samplesPerSec, warmup: row.warmup };
}

function main(): void {
  const addon = nativeAddon();
  if (!addon && argv.includes('--threads')) return threadsOnly();
  if (!addon) {
    console.log('native addon not built: nothing to compare (npm run build:native)');
    return;
  }
  const info = addon.blasInfo();
  console.log(
    `native.bench ${new Date().toISOString()}: ${cpus()[0]?.model ?? '?'} x${cpus().length}, Node ${process.version}, ` +
      `load ${load()}; OpenBLAS core ${info.core} (OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? 'unset'}${openblasCoreChosenByBoard() !== null ? ' from the CPU flags, PyTorch given the same' : ''}, ` +
      `OPENBLAS_L2_SIZE=${process.env.OPENBLAS_L2_SIZE ?? 'unset'}); ${STEPS} timed steps after a warm-up to steady ` +
      `state (${MIN_WARMUP}-${MAX_WARMUP} steps, 3 windows of ${WINDOW} within 5%), medians`,
  );
  if (argv.includes('--threads')) return threadsOnly();
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

  // --- training steps, interleaved: PyTorch then Board's backends, workload by workload
  // Process CPU time includes V8's garbage-collector helper threads (and OpenBLAS's spinning workers with 2 threads),
  // which PyTorch's 1-thread run does not have, so on a quiet machine the wall-clock median ratio is the fairer one;
  // on a loaded machine CPU time is, since it leaves out time spent preempted. Both are printed.
  const torch = {} as Record<Workload, { ms: number; wall: number; warmup: number } | null>;
  console.log(
    '\nworkload   backend        warm-up  CPU ms/step  wall med  wall best  faults/step  loss     vs PyTorch: CPU time | wall median',
  );
  const rows: Array<[Workload, string, StepResult]> = [];
  for (const w of WORKLOADS) {
    torch[w] = haveTorch ? torchTrain(w) : null;
    for (const [be, label] of [
      ['native', 'native'],
      ['wasm-simd', 'wasm'],
    ] as const)
      rows.push([w, label, trainSteps(w, be, 1)]);
    if (w === 'cnn-adam') rows.push([w, 'native 2thr', trainSteps(w, 'native', 2)]);
  }
  for (const [w, label, r] of rows) {
    const t = torch[w];
    const ratio = t
      ? `${fmt(t.ms / r.cpu)}x | ${fmt(t.wall / r.wall)}x (PyTorch ${fmt(t.ms)} | ${fmt(t.wall)} ms, warm-up ${t.warmup})`
      : '-';
    console.log(
      `${w.padEnd(10)} ${label.padEnd(14)} ${String(r.warmup).padStart(7)} ${fmt(r.cpu).padStart(11)} ${fmt(r.wall).padStart(9)} ${fmt(r.best).padStart(10)} ` +
        `${fmt(r.faults, 1).padStart(12)}  ${fmt(r.loss, 3).padEnd(8)} ${label.includes('2thr') ? '' : ratio}`,
    );
  }
  const c1 = rows.find((r) => r[0] === 'cnn-adam' && r[1] === 'native')![2],
    c2 = rows.find((r) => r[1] === 'native 2thr')![2];
  console.log(`  CNN step, native 2 threads / 1 thread (best wall): ${fmt(c1.best / c2.best)}x`);
  console.log(`\nload average at end ${load()}`);
}

/** `--threads`: only the 2-threads-vs-1 figures (512^3 sgemm and the CNN step, best wall times) on the native backend
 * (OpenBLAS threads) and the wasm backend (worker threads over shared WebAssembly memory), alternated three times so
 * a burst of load from other processes hits both thread counts alike. `--backends wasm` (or `native`) limits it. */
function threadsOnly(): void {
  const arg = argv[argv.indexOf('--backends') + 1];
  const want = argv.includes('--backends') && arg ? arg.split(',') : ['native', 'wasm'];
  const backends = (
    [
      ['native', 'native'],
      ['wasm', 'wasm-simd'],
    ] as const
  ).filter(([name]) => want.includes(name) && (name !== 'native' || nativeAddon()));
  console.log(`threads bench ${new Date().toISOString()}: Node ${process.version}, ${cpus().length} cores, load ${load()}`);
  for (const [name, be] of backends) {
    const mm: number[] = [],
      cnn: number[] = [],
      cnnMed: number[] = [],
      cnnMain: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const a1 = sgemm512(be, 1),
        a2 = sgemm512(be, 2);
      mm.push(a2.best / a1.best);
      const c1 = trainSteps('cnn-adam', be, 1),
        c2 = trainSteps('cnn-adam', be, 2);
      cnn.push(c1.best / c2.best);
      cnnMed.push(c1.wall / c2.wall);
      cnnMain.push(c1.mainOnCpu / c2.mainOnCpu);
      console.log(
        `${name} rep ${rep + 1}: 512^3 sgemm best wall ${fmt(a1.best, 1)} -> ${fmt(a2.best, 1)} GFLOP/s (${fmt(mm[rep]!)}x); ` +
          `CNN+Adam step best wall ${fmt(c1.best)} -> ${fmt(c2.best)} ms (${fmt(cnn[rep]!)}x), median wall ` +
          `${fmt(c1.wall)} -> ${fmt(c2.wall)} ms (${fmt(cnnMed[rep]!)}x), main thread on-CPU ${fmt(c1.mainOnCpu)} -> ` +
          `${fmt(c2.mainOnCpu)} ms (${fmt(cnnMain[rep]!)}x; waiting for a CPU ${fmt(c1.mainRunqWait)} / ${fmt(c2.mainRunqWait)} ms); ` +
          `loss ${fmt(c1.loss, 4)} | ${fmt(c2.loss, 4)}; 2-thread ${c2.pool}; load ${load()}`,
      );
    }
    console.log(
      `${name}: 2 threads / 1 thread, median of 3: sgemm ${fmt(median(mm))}x (goal 1.6x), CNN step ${fmt(median(cnn))}x best wall ` +
        `(goal 1.3x), ${fmt(median(cnnMed))}x median wall, ${fmt(median(cnnMain))}x main-thread on-CPU time; load ${load()}`,
    );
    const p = pairedCnnThreads(be);
    console.log(
      `${name}: CNN step, 2 threads / 1, paired: median ${fmt(p.median)}x (quartiles ${fmt(p.q1)}-${fmt(p.q3)}x) over ` +
        `${p.ratios.length} pairs of ${PAIR_STEPS}-step windows; ${p.atGoal} of ${p.ratios.length} pairs >= 1.3x; ` +
        `1-thread window medians ${fmt(p.range1[0])}-${fmt(p.range1[1])} ms; load ${load()}`,
    );
  }
}

/** Timed steps per window of the paired comparison, and steps run (untimed) after each switch of thread count. */
const PAIR_STEPS = 20,
  PAIR_SETTLE = 5,
  PAIRS = Number(argv[argv.indexOf('--pairs') + 1] ?? 15) || 15;

/**
 * The CNN step at 1 and at 2 threads measured in alternating windows of PAIR_STEPS steps on ONE model (order 1-2,
 * 2-1, 1-2, ...), each window's median wall time set against its neighbour's. On this shared VM the speed of both
 * vCPUs drifts by up to 2x over minutes (the per-rep medians above swing from 0.9 to 2x), so separate runs of a
 * minute each compare different machines; windows a second apart see the same one. The ratio per pair is the figure;
 * its median and quartiles are reported. PAIR_SETTLE untimed steps after each switch let a new worker pool start and
 * warm up (setNumThreads stops the workers; compiled wasm modules are shared, so a new worker is ready within a
 * few steps).
 */
function pairedCnnThreads(backend: GemmBackend): {
  median: number;
  q1: number;
  q3: number;
  ratios: number[];
  atGoal: number;
  range1: [number, number];
} {
  setGemmBackend(backend);
  setNumThreads(1);
  manualSeed(0);
  const { model: m, opt, lossFn, batches } = benchTraining('cnn-adam', BATCH);
  let i = 0;
  const step = (): number => {
    const [x, y] = batches[i++ % batches.length]!;
    const t0 = performance.now();
    const l = lossFn.call(m.call(x), y) as Tensor;
    opt.zeroGrad();
    l.backward();
    opt.step();
    return performance.now() - t0;
  };
  const timeWindow = (threads: number): number => {
    setNumThreads(threads);
    if (backend === 'wasm-simd') startWasmThreads();
    for (let k = 0; k < PAIR_SETTLE; k++) step();
    const w: number[] = [];
    for (let k = 0; k < PAIR_STEPS; k++) w.push(step());
    return median(w);
  };
  // Warm both configurations to steady state (V8 optimises the CNN's paths over the first ~100 steps).
  const warm: number[] = [];
  while (!settled(warm) && warm.length < MAX_WARMUP) warm.push(step());
  timeWindow(2);
  timeWindow(1);
  const ratios: number[] = [],
    ones: number[] = [];
  for (let p = 0; p < PAIRS; p++) {
    const first = p % 2 === 0 ? 1 : 2;
    const a = timeWindow(first),
      b = timeWindow(3 - first);
    const [one, two] = first === 1 ? [a, b] : [b, a];
    ratios.push(one / two);
    ones.push(one);
  }
  setNumThreads(1);
  const sorted = [...ratios].sort((x, y) => x - y);
  const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.round(f * (sorted.length - 1)))]!;
  return {
    median: median(ratios),
    q1: q(0.25),
    q3: q(0.75),
    ratios,
    atGoal: ratios.filter((r) => r >= 1.3).length,
    range1: [Math.min(...ones), Math.max(...ones)],
  };
}

main();
