// Accuracy of the demo's recipes on the real Fashion-MNIST test set (bench/RESULTS.md, "Fashion-MNIST
// accuracy"). Where PyTorch is installed, the same recipes run in PyTorch in the same run
// (bench/fashion_mnist_torch.py) and both accuracies are printed with their difference.
// Run: npx tsx --conditions=board-source bench/fashion-accuracy.ts [--only mlp-sgd|mlp-adam|cnn-adam] [--limit N] [--seed N]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseDemoArgs } from '../lib/demo/args.ts';
import { trainDemo } from '../lib/demo/train.ts';

interface Recipe {
  name: string;
  model: 'mlp' | 'cnn';
  optimizer: 'adam' | 'sgd';
  epochs: number;
}

const RECIPES: Recipe[] = [
  { name: 'mlp-sgd', model: 'mlp', optimizer: 'sgd', epochs: 5 },
  { name: 'mlp-adam', model: 'mlp', optimizer: 'adam', epochs: 2 },
  { name: 'cnn-adam', model: 'cnn', optimizer: 'adam', epochs: 2 },
];

// Debian's python3-torch lives in the system interpreter, which a pyenv shim on PATH may hide.
const PYTHONS = ['/usr/bin/python3', 'python3'];

function torchPython(): string | null {
  for (const py of PYTHONS) if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  return null;
}

function torchAccuracy(py: string, r: Recipe, limit: number, seed: number): number[] | null {
  const script = resolve(import.meta.dirname, 'fashion_mnist_torch.py');
  const out = execFileSync(
    py,
    [
      script,
      '--model',
      r.model,
      '--optimizer',
      r.optimizer,
      '--epochs',
      String(r.epochs),
      '--limit',
      String(limit),
      '--seed',
      String(seed),
    ],
    { encoding: 'utf8' },
  );
  const m = /^ACCURACIES (.*)$/m.exec(out);
  return m ? (JSON.parse(m[1]) as number[]) : null;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
  const limit = args.includes('--limit') ? Number(args[args.indexOf('--limit') + 1]) : 0;
  const seed = args.includes('--seed') ? Number(args[args.indexOf('--seed') + 1]) : 0;
  const torch = torchPython();
  console.log(
    `machine: ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; PyTorch ${torch ? `found (${torch})` : 'not installed (Board only)'}`,
  );
  const rows: string[] = [];
  for (const r of RECIPES) {
    if (only && r.name !== only) continue;
    const o = parseDemoArgs([
      '--no-serve',
      '--epochs',
      String(r.epochs),
      '--model',
      r.model,
      '--optimizer',
      r.optimizer,
      '--logdir',
      'logs/bench',
      '--limit',
      String(limit),
      '--seed',
      String(seed),
    ]);
    const t0 = performance.now();
    const { results, data } = await trainDemo(o, () => undefined);
    const secs = (performance.now() - t0) / 1000;
    const ours = results.map((e) => e.accuracy);
    const t1 = performance.now();
    const theirs = torch ? torchAccuracy(torch, r, limit, seed) : null;
    const torchSecs = (performance.now() - t1) / 1000;
    const last = ours[ours.length - 1];
    const diff = theirs
      ? ` | ${theirs.map((a) => a.toFixed(4)).join(', ')} | ${((last - theirs[theirs.length - 1]) * 100).toFixed(2)} pt`
      : ' | n/a | n/a';
    const speed = `${secs.toFixed(0)} s (${Math.round(results.reduce((a, e) => a + e.samplesPerSec, 0) / results.length)} samples/s)${theirs ? `; PyTorch ${torchSecs.toFixed(0)} s` : ''}`;
    const row = `| ${r.model.toUpperCase()} | ${r.optimizer === 'sgd' ? 'SGD' : 'Adam'} lr 1e-3, batch 64 | ${r.epochs} | ${ours.map((a) => a.toFixed(4)).join(', ')}${diff} | ${speed} |`;
    console.log(`${r.name} on ${data.source}: ${row}`);
    rows.push(row);
  }
  console.log(
    '\n| model | recipe | epochs | Board test accuracy per epoch | PyTorch test accuracy per epoch | Board - PyTorch (final) | time |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

await main();
