// Tutorial 6.2.2: the same regression with the library's building blocks. Fit y = 2x + 1 with nn.Linear(1, 1),
// nn.MSELoss and optim.SGD (zeroGrad, backward, step), logging the loss with SummaryWriter.
// Run: npx tsx --conditions=board-source examples/linear-regression-nn.ts [logdir]
import { pathToFileURL } from 'node:url';
import { SummaryWriter, nn, optim, tensor } from 'board';

export interface FitResult {
  w: number;
  b: number;
  losses: number[];
}

export function main(logDir = 'runs/linear-regression-nn', opts: { epochs?: number; log?: (s: string) => void } = {}): FitResult {
  const log = opts.log ?? console.log;
  const epochs = opts.epochs ?? 300;
  tensor.manualSeed(0);
  const x = tensor.linspace(-1, 1, 64).reshape([64, 1]);
  const y = x.mul(2).add(1);
  const model = new nn.Linear(1, 1);
  const lossFn = new nn.MSELoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  const writer = new SummaryWriter(logDir);
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const loss = lossFn.call(model.call(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    const l = Number(loss.item());
    losses.push(l);
    writer.addScalar('Loss/train', l, epoch);
    if (epoch % 100 === 0) log(`epoch ${epoch}: loss ${l.toExponential(3)}`);
  }
  writer.close();
  const result = { w: Number(model.weight.item()), b: Number(model.bias!.item()), losses };
  log(`fitted y = ${result.w.toFixed(4)}x + ${result.b.toFixed(4)} (true: 2x + 1)`);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv[2]);
