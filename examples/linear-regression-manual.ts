// Tutorial 5.2.4: linear regression by hand (backpropagation simulating training). Fit y = 3x + 0.8 with two tensors that require grad, computing the MSE
// loss, calling backward(), and stepping against the gradient inside noGrad (no optimizer). The loss is logged with
// SummaryWriter; view it with `npx board --logdir runs`.
// Run: npx tsx --conditions=board-source examples/linear-regression-manual.ts [logdir]
import { pathToFileURL } from 'node:url';
import { SummaryWriter, noGrad, tensor } from 'board';

export interface FitResult {
  w: number;
  b: number;
  losses: number[];
}

export function main(logDir = 'runs/linear-regression-manual', opts: { epochs?: number; log?: (s: string) => void } = {}): FitResult {
  const log = opts.log ?? console.log;
  const epochs = opts.epochs ?? 200;
  tensor.manualSeed(0);
  // 100 points on y = 3x + 0.8 with a little noise
  const x = tensor.rand([100, 1]);
  const y = x
    .mul(3)
    .add(0.8)
    .add(tensor.randn([100, 1]).mul(0.01));
  const w = tensor.randn([1], { requiresGrad: true });
  const b = tensor.zeros([1], { requiresGrad: true });
  const lr = 0.5;
  const writer = new SummaryWriter(logDir);
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const pred = x.mul(w).add(b);
    const loss = pred.sub(y).pow(2).mean();
    loss.backward();
    noGrad(() => {
      w.sub_(w.grad!.mul(lr));
      b.sub_(b.grad!.mul(lr));
    });
    w.grad!.zero_();
    b.grad!.zero_();
    const l = Number(loss.item());
    losses.push(l);
    writer.addScalar('Loss/train', l, epoch);
    if (epoch % 50 === 0) log(`epoch ${epoch}: loss ${l.toFixed(6)}  w ${Number(w.item()).toFixed(4)}  b ${Number(b.item()).toFixed(4)}`);
  }
  writer.close();
  const result = { w: Number(w.item()), b: Number(b.item()), losses };
  log(`fitted y = ${result.w.toFixed(3)}x + ${result.b.toFixed(3)} (true: 3x + 0.8)`);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv[2]);
