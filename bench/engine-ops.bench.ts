// Engine op overhead: Board's elementwise/reduction/indexing ops against a hand-written typed-array function doing the
// same work (arrays passed as arguments, as any library loop gets them), in the same process.
// Ratio = our time / loop time (1.0 means no overhead beyond the arithmetic and the output allocation).
// Run: node --import tsx --conditions=board-source bench/engine-ops.bench.ts
import { randn, tensor, noGrad, Tensor } from '../lib/engine/index.ts';

const R = 256,
  C = 1024,
  N = R * C;
const a = randn([R, C]),
  b = randn([R, C]),
  row = randn([C]);
const A = a.dataSync() as Float32Array,
  B = b.dataSync() as Float32Array,
  ROW = row.dataSync() as Float32Array;

/** Median CPU milliseconds per call over `reps` calls (process CPU time, robust to other load on the machine). */
function time(fn: () => unknown, reps = 30): number {
  for (let i = 0; i < 5; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t0);
    ts.push((d.user + d.system) / 1000);
  }
  ts.sort((x, y) => x - y);
  return ts[ts.length >> 1]!;
}

const out = new Float32Array(N);
// Baselines take their arrays as parameters: a loop over module constants lets V8 drop bounds checks in a way no
// library code (ours or anyone's) gets, which would make the comparison meaningless.
function addLoop(a: Float32Array, b: Float32Array): Float32Array {
  const o = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) o[i] = a[i]! + b[i]!;
  return o;
}
function addRowLoop(a: Float32Array, r: Float32Array, rows: number, cols: number): Float32Array {
  const o = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) o[i * cols + c] = a[i * cols + c]! + r[c]!;
  return o;
}
function scaleLoop(a: Float32Array, s: number): Float32Array {
  const o = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) o[i] = a[i]! * s;
  return o;
}
function reluLoop(a: Float32Array): Float32Array {
  const o = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) o[i] = a[i]! > 0 ? a[i]! : 0;
  return o;
}
function expLoop(a: Float32Array): Float32Array {
  const o = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) o[i] = Math.exp(a[i]!);
  return o;
}
function axpyLoop(a: Float32Array, b: Float32Array, s: number): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + s * b[i]!;
}
const cases: Array<[string, () => unknown, () => unknown]> = [
  ['add same shape', () => a.add(b), () => addLoop(A, B)],
  ['add row broadcast', () => a.add(row), () => addRowLoop(A, ROW, R, C)],
  ['mul scalar', () => a.mul(0.5), () => scaleLoop(A, 0.5)],
  ['relu', () => a.relu(), () => reluLoop(A)],
  ['exp', () => a.exp(), () => expLoop(A)],
  ['add_ in place (no_grad)', () => noGrad(() => a.add_(b, { alpha: 1e-9 })), () => axpyLoop(A, B, 1e-9)],
  [
    'transpose + contiguous',
    () => a.T.contiguous(),
    () => {
      const o = new Float32Array(N);
      for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) o[c * R + r] = A[r * C + c]!;
      return o;
    },
  ],
  [
    'sum(dim 0)',
    () => a.sum(0),
    () => {
      const o = new Float64Array(C);
      for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) o[c] += A[r * C + c]!;
      return Float32Array.from(o);
    },
  ],
  [
    'sum(dim 1)',
    () => a.sum(1),
    () => {
      const o = new Float32Array(R);
      for (let r = 0; r < R; r++) {
        let s = 0;
        for (let c = 0; c < C; c++) s += A[r * C + c]!;
        o[r] = s;
      }
      return o;
    },
  ],
  [
    'softmax(dim 1)',
    () => a.softmax(1),
    () => {
      for (let r = 0; r < R; r++) {
        let m = -Infinity;
        for (let c = 0; c < C; c++) m = Math.max(m, A[r * C + c]!);
        let s = 0;
        for (let c = 0; c < C; c++) s += Math.exp(A[r * C + c]! - m);
        for (let c = 0; c < C; c++) out[r * C + c] = Math.exp(A[r * C + c]! - m) / s;
      }
      return out;
    },
  ],
  [
    'gather(dim 1)',
    (() => {
      const idx = tensor(Array.from({ length: R }, (_, r) => [r % C, (r * 7) % C]));
      return () => a.gather(1, idx);
    })(),
    () => {
      const o = new Float32Array(2 * R);
      for (let r = 0; r < R; r++) {
        o[2 * r] = A[r * C + (r % C)]!;
        o[2 * r + 1] = A[r * C + ((r * 7) % C)]!;
      }
      return o;
    },
  ],
];

console.log(`engine ops on float32 [${R}, ${C}] (${(N / 1e6).toFixed(2)} M elements), median CPU ms per call`);
console.log('| op | Board ms | typed-array loop ms | ratio |');
console.log('|---|---|---|---|');
for (const [name, ours, base] of cases) {
  const tb = time(base),
    to = time(ours);
  console.log(`| ${name} | ${to.toFixed(3)} | ${tb.toFixed(3)} | ${(to / tb).toFixed(2)} |`);
}
// Autograd overhead: forward + backward of a small graph, per node.
const x = randn([64, 128], { requiresGrad: true }),
  w = randn([128, 64], { requiresGrad: true });
const step = () => {
  const y = x.matmul(w).relu().mul(2).sum();
  y.backward();
  x.grad = null;
  w.grad = null;
};
console.log(`\nautograd: 64x128 @ 128x64 -> relu -> mul -> sum, forward + backward: ${time(step, 50).toFixed(3)} ms CPU per step`);
void Tensor;
