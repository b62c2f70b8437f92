// Tutorial 6.2.2 (its opening problem): an optimizer minimizes any differentiable function, not only a model's loss.
// Starting at x = 4, minimize (x - 5)^2 over a single parameter x with optim.SGD, logging the objective and x with SummaryWriter.
// Run: npx tsx --conditions=board-source examples/minimize-quadratic.ts [logdir]
import { pathToFileURL } from 'node:url';
import { SummaryWriter, nn, optim, tensor } from 'board';

export function main(
  logDir = 'runs/minimize-quadratic',
  opts: { steps?: number; log?: (s: string) => void } = {},
): { x: number; values: number[] } {
  const log = opts.log ?? console.log;
  const steps = opts.steps ?? 100;
  const x = new nn.Parameter(tensor([4.0], { dtype: 'float32' }));
  const optimizer = new optim.SGD([x], { lr: 0.1 });
  const writer = new SummaryWriter(logDir);
  const values: number[] = [];
  for (let step = 0; step < steps; step++) {
    optimizer.zeroGrad();
    const f = x.sub(5).pow(2).sum();
    f.backward();
    optimizer.step();
    values.push(Number(f.item()));
    writer.addScalar('objective', Number(f.item()), step);
    writer.addScalar('x', Number(x.item()), step);
    if (step % 20 === 0) log(`step ${step}: x = ${Number(x.item()).toFixed(5)}, (x - 5)^2 = ${Number(f.item()).toExponential(3)}`);
  }
  writer.close();
  log(`minimum found at x = ${Number(x.item()).toFixed(5)} (exact: 5)`);
  return { x: Number(x.item()), values };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv[2]);
