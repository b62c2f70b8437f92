// Tutorial 4.2.3 and 4.2.5: the Sigmoid module on linspace(-6, 6, 20) (the points of the tutorial's plot, also written
// as a scalar curve with SummaryWriter), and nn.Linear's two cases: one sample with two features, and a batch of three
// samples with five features. Weights are set to fixed values so the outputs are reproducible.
// Run: npx tsx --conditions=board-source examples/nn-layers.ts [logdir]
import { pathToFileURL } from 'node:url';
import { SummaryWriter, nn, tensor } from 'board';

export function main(log: (s: string) => void = console.log, logDir?: string): void {
  // 4.2.3 Sigmoid
  const x = tensor.linspace(-6, 6, 20);
  const sigmoid = new nn.Sigmoid();
  const ys = sigmoid.call(x);
  log(String(ys));
  if (logDir) {
    const w = new SummaryWriter(logDir);
    (x.tolist() as number[]).forEach((xv, i) => w.addScalar('sigmoid', (ys.tolist() as number[])[i]!, i));
    w.close();
    log(
      `wrote ${x.shape[0]} points of sigmoid(x) to ${logDir} (x = ${Number(x.index(0).item()).toFixed(2)} .. ${Number(x.index(-1).item()).toFixed(2)})`,
    );
  }
  // 4.2.5 case one: Linear(2, 1) on one sample [1, 2]
  const model = new nn.Linear(2, 1);
  tensor.noGrad(() => {
    model.weight.copy_(tensor([[-0.495, 0.4673]]));
    model.bias!.copy_(tensor([0.3152]));
  });
  const output = model.call(tensor.Tensor([1, 2]));
  log(`output= ${String(output)}`);
  for (const p of model.parameters()) log(String(p));
  // 4.2.5 case two: a batch of 3 samples with 5 features through Linear(5, 10)
  const X = tensor.Tensor([
    [0.1, 0.2, 0.3, 0.3, 0.3],
    [0.4, 0.5, 0.6, 0.6, 0.6],
    [0.7, 0.8, 0.9, 0.9, 0.9],
  ]);
  const model2 = new nn.Linear(5, 10, { bias: true });
  tensor.noGrad(() => {
    model2.weight.copy_(tensor.arange(50, { dtype: 'float32' }).reshape([10, 5]).div(50).sub(0.5));
    model2.bias!.copy_(tensor.linspace(-0.2, 0.2, 10));
  });
  const out2 = model2.call(X);
  log(`output= ${String(out2)}`);
  for (const p of model2.parameters()) {
    log(String(p));
    log(`torch.Size([${p.shape.join(', ')}])`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(console.log, process.argv[2]);
