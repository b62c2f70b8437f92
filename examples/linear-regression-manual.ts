// Tutorial 5.2.4: backpropagation simulating model training, with the tutorial's program and values. The true
// function is y = 3x + 0.8 over 500 random x; w = rand([1, 1]) and b = 0 require grad; 5000 iterations of
// y_predict = x·w + b, the mean squared error, zeroing the gradients, backward(), and w.data = w.data - lr·w.grad
// with lr = 0.01, printing "w,b,loss" every 1000 iterations. The loss is also logged with SummaryWriter.
// Run: npx tsx --conditions=board-source examples/linear-regression-manual.ts [logdir]
import { pathToFileURL } from 'node:url';
import { SummaryWriter, tensor } from 'board';

export interface FitResult {
  w: number;
  b: number;
  losses: number[];
}

export function main(logDir = 'runs/linear-regression-manual', opts: { epochs?: number; log?: (s: string) => void } = {}): FitResult {
  const log = opts.log ?? console.log;
  tensor.manualSeed(0);
  // 1. Prepare the data: y = 3x + 0.8
  const learningRate = 0.01; // the learning rate
  const x = tensor.rand([500, 1]); // 500 random samples
  const yTrue = x.mul(3).add(0.8); // the true model
  // 2. Define w and b with random initial values
  const w = tensor.rand([1, 1], { requiresGrad: true });
  const b = tensor.tensor(0, { requiresGrad: true, dtype: 'float32' });
  // 3. Loop: forward, backward, update the parameters
  const writer = new SummaryWriter(logDir);
  const losses: number[] = [];
  for (let i = 0; i < (opts.epochs ?? 5000); i++) {
    // 4. The model's prediction
    const yPredict = tensor.matmul(x, w).add(b);
    // 5. The loss (mean squared error)
    const loss = yTrue.sub(yPredict).pow(2).mean();
    if (w.grad !== null) w.grad.data.zero_(); // clear the gradients
    if (b.grad !== null) b.grad.data.zero_();
    loss.backward(); // backpropagate to get the gradients
    w.data = w.data.sub(w.grad!.mul(learningRate));
    b.data = b.data.sub(b.grad!.mul(learningRate));
    const l = Number(loss.item());
    losses.push(l);
    writer.addScalar('Loss/train', l, i);
    // print the parameters every 1000 iterations
    if (i % 1000 === 0) log(`w,b,loss ${Number(w.item())} ${Number(b.item())} ${l}`);
  }
  writer.close();
  return { w: Number(w.item()), b: Number(b.item()), losses };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv[2]);
