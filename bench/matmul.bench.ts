// Matmul benchmark: GFLOP/s of sgemm per backend at the issue's sizes, each plain and in both transposed forms
// (A^T B and A B^T, the products autograd's backward needs), with ratios to a naive triple loop run in this process
// and, when `/usr/bin/python3 -c 'import torch'` works, to PyTorch (bench/torch_matmul.py) in the same run.
//
// Run: node --import tsx --conditions=board-source bench/matmul.bench.ts [--passes=2] [--no-torch] [--fma-only]
// Rates are per core, from the median CPU time per call (process.cpuUsage), because the shared machine is often
// loaded by other work: wall-time medians and bests are printed too. The naive loop runs only at the two small sizes; for 512^3 and 1024^3 its
// per-flop rate at 256^3 is extrapolated (it only gets slower as B stops fitting in cache, so the ratio is a
// conservative lower bound). Results are recorded in bench/RESULTS.md ("Matmul kernels").

import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gemmInfo, setGemmBackend, sgemm, SMALL_FLOPS, type GemmBackend } from '../lib/engine/kernels/index.ts';
import { gemmBlocked, gemmSmall } from '../lib/engine/kernels/js-gemm.ts';
import { WasmSgemm, wasmRelaxedSimdSupported } from '../lib/engine/kernels/wasm-sgemm.ts';

type Form = 'AB' | 'AtB' | 'ABt';
const FORMS: Form[] = ['AB', 'AtB', 'ABt'];
/** (M, K, N): C[M,N] = op(A) op(B). 64x784x512 is an MNIST MLP's first layer at batch 64. */
const SIZES: Array<[number, number, number]> = [
  [64, 784, 512],
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
];

const args = new Set(process.argv.slice(2));

interface Operands {
  tA: boolean;
  tB: boolean;
  M: number;
  N: number;
  K: number;
  A: Float32Array;
  lda: number;
  B: Float32Array;
  ldb: number;
  C: Float32Array;
}

function operands(form: Form, M: number, K: number, N: number): Operands {
  const A = new Float32Array(M * K),
    B = new Float32Array(K * N),
    C = new Float32Array(M * N);
  for (let i = 0; i < A.length; i++) A[i] = Math.random() - 0.5;
  for (let i = 0; i < B.length; i++) B[i] = Math.random() - 0.5;
  const tA = form === 'AtB',
    tB = form === 'ABt';
  return { tA, tB, M, N, K, A, lda: tA ? M : K, B, ldb: tB ? K : N, C };
}

type Runner = (o: Operands) => void;
const viaSgemm =
  (be: GemmBackend): Runner =>
  (o) => {
    setGemmBackend(be);
    sgemm(o.tA, o.tB, o.M, o.N, o.K, 1, o.A, 0, o.lda, o.B, 0, o.ldb, 0, o.C, 0, o.N);
  };

/** The textbook loop: C[i][j] = sum_k op(A)[i][k] op(B)[k][j], float32 storage, no blocking. */
function naive(o: Operands): void {
  const { tA, tB, M, N, K, A, lda, B, ldb, C } = o;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (tA ? A[k * lda + i]! : A[i * lda + k]!) * (tB ? B[j * ldb + k]! : B[k * ldb + j]!);
      C[i * N + j] = s;
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** CPU time of this process in ms (user + system): unlike wall time, it does not advance while we are preempted. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Rate {
  cpu: number;
  wall: number;
  best: number;
}

/**
 * Times each runner in its own block of calls (so one runner's working set does not evict another's between
 * calls). Returns GFLOP/s from the median CPU time per call (the per-core rate: it does not count time spent
 * preempted, so it stays meaningful when other processes load the machine), from the median wall time, and from
 * the best wall time (the least-disturbed call).
 */
function measure(o: Operands, runners: Record<string, Runner>, targetMs = 1500): Record<string, Rate> {
  const flops = 2 * o.M * o.N * o.K;
  const out: Record<string, Rate> = {};
  for (const [name, run] of Object.entries(runners)) {
    // Warm-up: JIT tiers, wasm tier-up, scratch growth, caches, and the concurrent GC work that allocating this
    // size's operands started (its background CPU time would otherwise be charged to the first timed calls).
    const warmStart = performance.now();
    for (let i = 0; i < 2 || performance.now() - warmStart < 200; i++) run(o);
    const wall: number[] = [],
      cpu: number[] = [];
    const start = performance.now();
    while (wall.length < 5 || (performance.now() - start < targetMs / Object.keys(runners).length && wall.length < 60)) {
      const c = cpuMs(),
        t = performance.now();
      run(o);
      wall.push(performance.now() - t);
      cpu.push(cpuMs() - c);
    }
    out[name] = { cpu: flops / median(cpu) / 1e6, wall: flops / median(wall) / 1e6, best: flops / Math.min(...wall) / 1e6 };
  }
  return out;
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function header(): void {
  const info = gemmInfo();
  console.log(`# matmul bench ${new Date().toISOString()}`);
  console.log(
    `node ${process.version}, ${cpus()[0]?.model ?? 'cpu?'} x${cpus().length}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`default backend ${info.backend}; wasm tile ${info.tile}, relaxed-SIMD FMA ${info.fma ? 'on' : 'off'}\n`);
}

/** Only the wasm kernel with relaxed-SIMD FMA (run in a child node with --experimental-wasm-relaxed-simd). */
function fmaOnly(): void {
  if (!wasmRelaxedSimdSupported()) {
    console.log('relaxed SIMD not available');
    return;
  }
  const fma = new WasmSgemm({ fma: true }),
    plain = new WasmSgemm();
  const run =
    (w: WasmSgemm): Runner =>
    (o) =>
      w.gemm(o.tA, o.tB, o.M, o.N, o.K, 1, o.A, 0, o.lda, o.B, 0, o.ldb, 0, o.C, 0, o.N);
  const rows: Array<{ M: number; K: number; N: number; form: Form; fma: Rate; mulAdd: Rate }> = [];
  for (let pass = 0; pass < 2; pass++) {
    // best of 2 passes, as the main table
    for (const [M, K, N] of SIZES) {
      for (const form of FORMS) {
        const r = measure(operands(form, M, K, N), { fma: run(fma), mulAdd: run(plain) }, 1000);
        const prev = rows.find((x) => x.M === M && x.K === K && x.N === N && x.form === form);
        if (!prev) rows.push({ M, K, N, form, fma: r.fma!, mulAdd: r.mulAdd! });
        else {
          if (r.fma!.cpu > prev.fma.cpu) prev.fma = r.fma!;
          if (r.mulAdd!.cpu > prev.mulAdd.cpu) prev.mulAdd = r.mulAdd!;
        }
      }
    }
  }
  console.log(JSON.stringify(rows));
}

function torchRows(
  coretype: string | undefined,
): Array<{ M: number; K: number; N: number; form: Form; cpu: number; wall: number; best: number }> | undefined {
  const ok = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  if (!ok) return undefined;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  env.OPENBLAS_NUM_THREADS = '1'; // one core, like us (torch.set_num_threads does not reach a generic BLAS)
  env.OMP_NUM_THREADS = '1';
  const script = fileURLToPath(new URL('./torch_matmul.py', import.meta.url));
  const out = execFileSync('/usr/bin/python3', [script], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out).rows;
}

function main(): void {
  if (args.has('--fma-only')) return fmaOnly();
  header();
  const backends: GemmBackend[] = gemmInfo().simd ? ['wasm-simd', 'js'] : ['js'];
  const results: Array<{ M: number; K: number; N: number; form: Form; r: Record<string, Rate> }> = [];
  let naiveRate256: Record<Form, number> | undefined;
  // Global warm-up so the first rows do not pay for JIT tiering (wasm starts in Liftoff and tiers up after a
  // budget; JS functions reach TurboFan after some calls). That compilation runs on background threads whose CPU
  // time process.cpuUsage() would charge to the kernel being timed, so let it finish first.
  const warmEnd = performance.now() + 3000;
  const warm = FORMS.map((f) => operands(f, 64, 784, 512));
  const warmNaive = FORMS.map((f) => operands(f, 16, 16, 16));
  while (performance.now() < warmEnd) {
    for (const o of warm) for (const b of backends) viaSgemm(b)(o);
    for (const o of warmNaive) naive(o);
  }

  // Each cell is measured in `passes` passes over the whole table, minutes apart, keeping the pass with the best
  // CPU-time median: transient contention from other processes (memory bandwidth, shared caches) then rarely
  // decides a cell.
  const passes = Number(process.argv.find((a) => a.startsWith('--passes='))?.slice(9) ?? 2);
  for (let pass = 0; pass < passes; pass++) {
    for (const [M, K, N] of SIZES) {
      for (const form of FORMS) {
        const o = operands(form, M, K, N);
        const runners: Record<string, Runner> = Object.fromEntries(backends.map((b) => [b, viaSgemm(b)]));
        if (M * N * K <= 64 * 784 * 512) runners.naive = naive;
        const r = measure(o, runners, M * N * K >= 512 ** 3 ? 3000 : 1500);
        const prev = results.find((x) => x.M === M && x.K === K && x.N === N && x.form === form);
        if (!prev) results.push({ M, K, N, form, r });
        else for (const name of Object.keys(r)) if (r[name]!.cpu > prev.r[name]!.cpu) prev.r[name] = r[name]!;
      }
    }
  }

  console.log(
    `GFLOP/s per core: median CPU time per call [median wall time, best wall time], best of ${passes} passes; ` +
      'ratios use the CPU-time rates',
  );
  console.log(
    'size (MxKxN)      form | wasm-simd               | js                      | naive                   | wasm/naive | js/naive',
  );
  for (const { M, K, N, form, r } of results) {
    const small = r.naive !== undefined;
    if (M === 256) naiveRate256 = { ...(naiveRate256 ?? ({} as Record<Form, number>)), [form]: r.naive!.cpu };
    const naiveRate = small ? r.naive!.cpu : naiveRate256![form];
    const cell = (x?: Rate) => (x ? `${fmt(x.cpu)} [${fmt(x.wall)}, ${fmt(x.best)}]` : '-').padEnd(23);
    const extra = small ? '' : ' (naive extrapolated from 256^3)';
    console.log(
      `${`${M}x${K}x${N}`.padEnd(17)} ${form.padEnd(4)} | ${cell(r['wasm-simd'])} | ${cell(r.js)}| ` +
        `${small ? cell(r.naive) : `~${fmt(naiveRate)}`.padEnd(23)} | ${fmt((r['wasm-simd']?.cpu ?? 0) / naiveRate).padEnd(10)} | ` +
        `${fmt(r.js!.cpu / naiveRate)}${extra}`,
    );
  }

  // Small products: where the unblocked loop beats packing (sets SMALL_FLOPS in lib/engine/kernels/index.ts).
  console.log(`\nsmall products, GFLOP/s (index.ts sends M*N*K < ${SMALL_FLOPS} to the unblocked loop)`);
  const w = new WasmSgemm();
  for (const n of [4, 8, 12, 16, 20, 24, 32, 48, 64]) {
    const o = operands('AB', n, n, n);
    const call =
      (f: typeof gemmSmall): Runner =>
      (x) =>
        f(x.tA, x.tB, x.M, x.N, x.K, 1, x.A, 0, x.lda, x.B, 0, x.ldb, 0, x.C, 0, x.N);
    const reps = Math.max(1, Math.round(2e5 / (n * n * n)));
    const loop =
      (f: Runner): Runner =>
      (x) => {
        for (let i = 0; i < reps; i++) f(x);
      };
    const r = measure(
      o,
      {
        small: loop(call(gemmSmall)),
        blocked: loop(call(gemmBlocked)),
        wasm: loop((x) => w.gemm(x.tA, x.tB, x.M, x.N, x.K, 1, x.A, 0, x.lda, x.B, 0, x.ldb, 0, x.C, 0, x.N)),
      },
      300,
    );
    console.log(
      `  ${n}^3 (M*N*K=${n ** 3}): small ${fmt(r.small!.cpu * reps)}, js blocked ${fmt(r.blocked!.cpu * reps)}, wasm ${fmt(r.wasm!.cpu * reps)}`,
    );
  }

  // Steady state: minor page faults per call once scratch buffers have grown (the issue asks for ~0).
  const o = operands('AtB', 512, 512, 512);
  setGemmBackend('wasm-simd');
  for (let i = 0; i < 3; i++) sgemm(o.tA, o.tB, 512, 512, 512, 1, o.A, 0, o.lda, o.B, 0, o.ldb, 0, o.C, 0, 512);
  const before = process.resourceUsage().minorPageFault;
  for (let i = 0; i < 20; i++) sgemm(o.tA, o.tB, 512, 512, 512, 1, o.A, 0, o.lda, o.B, 0, o.ldb, 0, o.C, 0, 512);
  console.log(
    `\nsteady state: ${((process.resourceUsage().minorPageFault - before) / 20).toFixed(1)} minor page faults per 512^3 wasm-simd call`,
  );

  // FMA through relaxed SIMD: not shipped in Node 20's V8, so measure it in a child with the flag.
  if (!gemmInfo().fma && gemmInfo().simd) {
    const child = spawnSync(
      process.execPath,
      ['--experimental-wasm-relaxed-simd', ...process.execArgv, fileURLToPath(import.meta.url), '--fma-only'],
      { encoding: 'utf8' },
    );
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (line.startsWith('[')) {
      console.log(
        '\nwasm-simd with f32x4.relaxed_madd (the default wherever relaxed SIMD validates; this run had BOARD_GEMM_FMA=0), GFLOP/s per core (CPU time) [best wall]',
      );
      for (const x of JSON.parse(line) as Array<{ M: number; K: number; N: number; form: string; fma: Rate; mulAdd: Rate }>) {
        console.log(
          `  ${`${x.M}x${x.K}x${x.N}`.padEnd(16)} ${x.form.padEnd(4)} fma ${fmt(x.fma.cpu)} [${fmt(x.fma.best)}]   mul+add ${fmt(x.mulAdd.cpu)} [${fmt(x.mulAdd.best)}]`,
        );
      }
    } else {
      console.log(`\nrelaxed-SIMD child run failed: ${child.stderr.slice(0, 300)}`);
    }
  }

  if (!args.has('--no-torch')) {
    for (const coretype of [undefined, 'SkylakeX']) {
      const rows = torchRows(coretype);
      if (!rows) {
        console.log('\nPyTorch: /usr/bin/python3 cannot import torch; skipped');
        break;
      }
      console.log(
        `\nPyTorch 1 thread (OPENBLAS_CORETYPE=${coretype ?? 'unset: OpenBLAS autodetects'}), GFLOP/s per core (CPU time) [best wall]; ratio = ours / torch, CPU-time rates`,
      );
      for (const t of rows) {
        const ours = results.find((x) => x.M === t.M && x.K === t.K && x.N === t.N && x.form === t.form)?.r['wasm-simd']?.cpu ?? NaN;
        console.log(
          `  ${`${t.M}x${t.K}x${t.N}`.padEnd(16)} ${t.form.padEnd(4)} torch ${fmt(t.cpu)} [${fmt(t.best)}]  wasm-simd ${fmt(ours)}  ratio ${(ours / t.cpu).toFixed(2)}`,
        );
      }
    }
  }
  console.log(
    `\nload average at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main();
