// The three training workloads every engine benchmark times (bench/torch_train.py builds the same ones in PyTorch):
// the tutorial's Fashion-MNIST MLP (784-512-512-10) with SGD or Adam, and a small CNN with Adam; lr 1e-3, random
// 28x28 inputs, four batches cycled. One definition, so the benches and profilers measure the same models.
import { nn, optim, Tensor } from '../lib/index.ts';
import { randn, randint } from '../lib/engine/index.ts';

export type Workload = 'mlp-sgd' | 'mlp-adam' | 'cnn-adam';
export const WORKLOADS: Workload[] = ['mlp-sgd', 'mlp-adam', 'cnn-adam'];

/** The workload's model: the CNN for 'cnn-adam', the MLP otherwise. */
export function benchModel(w: Workload): nn.Module {
  if (w === 'cnn-adam') {
    return new nn.Sequential(
      new nn.Conv2d(1, 16, 5),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(16, 32, 5),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(512, 10),
    );
  }
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );
}

export interface BenchTraining {
  model: nn.Module;
  opt: optim.Optimizer;
  lossFn: nn.CrossEntropyLoss;
  /** Four [input, target] batches; step i uses batches[i % 4]. */
  batches: [Tensor, Tensor][];
}

/** Model, optimizer, loss and input batches of workload `w` (seed the generator first for repeatable numbers). */
export function benchTraining(w: Workload, batch = 64): BenchTraining {
  const model = benchModel(w);
  const params = [...model.parameters()];
  const opt = w === 'mlp-sgd' ? new optim.SGD(params, { lr: 1e-3 }) : new optim.Adam(params, { lr: 1e-3 });
  const batches = Array.from({ length: 4 }, () => [randn([batch, 1, 28, 28]), randint(0, 10, [batch])] as [Tensor, Tensor]);
  return { model, opt, lossFn: new nn.CrossEntropyLoss(), batches };
}
