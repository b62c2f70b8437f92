// Engine A/B: this checkout's engine against the engine of another git revision. Small tensors, so per-op overhead
// (method dispatch, type promotion, graph recording) dominates rather than the arithmetic: a structural change to the
// engine should read ~1.00. Ratio = this checkout / baseline (below 1 is faster).
//
// Each side runs in its own process, alternating over 7 rounds, so load drift on a shared machine hits both alike;
// the table gives the best round (other load only ever adds time) and the median round. Two engines in ONE process measured HEAD against itself at 0.74 to 1.13 depending
// on load order (they share V8 state), hence the processes. Both load a copy of lib/ from the same temp dir.
// Run: node --import tsx --conditions=board-source bench/engine-ab.bench.ts [--base <git rev>]   (default HEAD)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type * as EngineModule from '../lib/engine/index.ts';

type Engine = typeof EngineModule;

const WORKLOADS: Array<[string, (E: Engine) => () => void]> = [
  [
    'autograd step: 64x128 @ 128x64 -> relu -> mul -> sum, backward',
    (E) => {
      const a = E.randn([64, 128]).requiresGrad_(),
        b = E.randn([128, 64]).requiresGrad_();
      return () => {
        a.grad = null;
        b.grad = null;
        a.matmul(b).relu().mul(2).sum().backward();
      };
    },
  ],
  [
    '600 small ops on [8, 8] (add, mul, sub, exp, sum, neg) x 100',
    (E) => {
      const x = E.randn([8, 8]),
        y = E.randn([8, 8]);
      return () => {
        for (let i = 0; i < 100; i++) x.add(y).mul(y).sub(1).exp().sum(1).neg();
      };
    },
  ],
  [
    'small MLP step with grad: [16, 32] -> tanh -> [32, 4] -> logSoftmax -> mean',
    (E) => {
      const x = E.randn([16, 32]),
        w1 = E.randn([32, 32]).requiresGrad_(),
        w2 = E.randn([32, 4]).requiresGrad_();
      return () => {
        w1.grad = null;
        w2.grad = null;
        x.matmul(w1).tanh().matmul(w2).logSoftmax(1).mean().backward();
      };
    },
  ],
];

/** Median CPU ms per call over `reps` calls. */
function time(fn: () => void, reps = 300): number {
  for (let i = 0; i < 30; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t0);
    ts.push((d.user + d.system) / 1000);
  }
  return median(ts);
}
function median(xs: number[]): number {
  return [...xs].sort((p, q) => p - q)[xs.length >> 1]!;
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const E = (await import(join(argv[1]!, 'lib/engine/index.ts'))) as Engine;
  console.log(JSON.stringify(WORKLOADS.map(([, make]) => time(make(E)))));
} else {
  const base = argv.includes('--base') ? argv[argv.indexOf('--base') + 1]! : 'HEAD';
  const repo = resolve(import.meta.dirname, '..');
  const dir = mkdtempSync(join(tmpdir(), 'board-engine-ab-'));
  try {
    const tar = execFileSync('git', ['-C', repo, 'archive', '--prefix=base/', base, 'lib'], { maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    cpSync(join(repo, 'lib'), join(dir, 'current/lib'), { recursive: true });
    const run = (side: string): number[] =>
      JSON.parse(
        execFileSync(process.execPath, [...process.execArgv, import.meta.filename, '--child', join(dir, side)], { encoding: 'utf8' }),
      ) as number[];
    const b: number[][] = [],
      c: number[][] = [];
    for (let round = 0; round < 7; round++) {
      if (round % 2) {
        c.push(run('current'));
        b.push(run('base'));
      } else {
        b.push(run('base'));
        c.push(run('current'));
      }
    }
    console.log(
      `engine A/B: this checkout vs ${base}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, median CPU ms per call`,
    );
    console.log('| workload | baseline ms (best / median round) | this checkout ms (best / median) | ratio best | ratio median |');
    console.log('|---|---|---|---|---|');
    WORKLOADS.forEach(([name], i) => {
      const rb = b.map((r) => r[i]!),
        rc = c.map((r) => r[i]!);
      const [bb, bm, cb, cm] = [Math.min(...rb), median(rb), Math.min(...rc), median(rc)];
      console.log(
        `| ${name} | ${bb.toFixed(3)} / ${bm.toFixed(3)} | ${cb.toFixed(3)} / ${cm.toFixed(3)} | ${(cb / bb).toFixed(2)} | ${(cm / bm).toFixed(2)} |`,
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
