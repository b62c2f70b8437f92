// Tutorial 6.2.2 (fitting a linear function), with the tutorial's program and values: x = 0..10 as an (11, 1)
// float32 array, y = 2x + 1, a LinearRegression module around nn.Linear(1, 1) moved to the device (the CPU here),
// optim.SGD with lr = 0.01, nn.MSELoss, 100 epochs of zeroGrad/backward/step over fromNumpy inputs, then the
// predictions printed next to the targets. The loss is also logged with SummaryWriter.
// Run: npx tsx --conditions=board-source examples/linear-regression-nn.ts [logdir]
import { pathToFileURL } from 'node:url';
import { SummaryWriter, nn, optim, tensor } from 'board';
import type { Tensor } from 'board';

export interface FitResult {
  w: number;
  b: number;
  losses: number[];
  predicted: Tensor;
}

// Linear regression is a fully connected layer without an activation.
class LinearRegression extends nn.Module {
  declare linear: nn.Linear;
  constructor() {
    super();
    this.linear = new nn.Linear(1, 1);
  }
  override forward(x: Tensor): Tensor {
    return this.linear.call(x);
  }
}

export function main(logDir = 'runs/linear-regression-nn', opts: { epochs?: number; log?: (s: string) => void } = {}): FitResult {
  const log = opts.log ?? console.log;
  tensor.manualSeed(0);
  const xValues = Array.from({ length: 11 }, (_, i) => i);
  const xTrain = { data: Float32Array.from(xValues), shape: [11, 1] }; // np.array(x_values, dtype=np.float32).reshape(-1, 1)
  const yTrain = { data: Float32Array.from(xValues, (i) => 2 * i + 1), shape: [11, 1] };
  // Train on the GPU when there is one (a CPU-only build has none)
  const device = tensor.device(tensor.cuda.isAvailable() ? 'cuda:0' : 'cpu');
  // The model and its optimizer
  const model = new LinearRegression();
  model.to(device);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
  // The loss function
  const criterion = new nn.MSELoss();
  const writer = new SummaryWriter(logDir);
  const losses: number[] = [];
  let targets = tensor.fromNumpy(yTrain).to(device);
  for (let epoch = 0; epoch < (opts.epochs ?? 100); epoch++) {
    const inputs = tensor.fromNumpy(xTrain).to(device);
    targets = tensor.fromNumpy(yTrain).to(device);
    // forward
    const outputs = model.call(inputs);
    const loss = criterion.call(outputs, targets);
    // backward and the optimizer's update: clear the gradients every iteration
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    const l = Number(loss.item());
    losses.push(l);
    writer.addScalar('Loss/train', l, epoch);
    if ((epoch + 1) % 10 === 0) log(`epoch ${epoch + 1}, loss ${l}`);
  }
  writer.close();
  const predicted = tensor.noGrad(() => model.call(tensor.fromNumpy(xTrain).to(device)));
  log(String(predicted));
  log(String(targets));
  return { w: Number(model.linear.weight.item()), b: Number(model.linear.bias!.item()), losses, predicted };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv[2]);
