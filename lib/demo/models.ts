// The demo's models: the tutorial's MLP (chapter 6, "NeuralNetwork") and a small CNN.
import * as nn from '../nn/index.ts';
import type { Tensor } from '../engine/index.ts';

/** The tutorial's network: Flatten, then Linear(784, 512) ReLU Linear(512, 512) ReLU Linear(512, 10). */
export class NeuralNetwork extends nn.Module {
  declare flatten: nn.Flatten;
  declare linear_relu_stack: nn.Sequential;
  constructor() {
    super();
    this.flatten = new nn.Flatten();
    this.linear_relu_stack = new nn.Sequential(
      new nn.Linear(28 * 28, 512),
      new nn.ReLU(),
      new nn.Linear(512, 512),
      new nn.ReLU(),
      new nn.Linear(512, 10),
    );
  }
  override forward(x: Tensor): Tensor {
    return this.linear_relu_stack.call(this.flatten.call(x));
  }
}

/** Two conv blocks (3x3 conv, ReLU, 2x2 max-pool) and a two-layer classifier: 28x28 -> 14x14 -> 7x7. */
export class SmallCNN extends nn.Module {
  declare features: nn.Sequential;
  declare classifier: nn.Sequential;
  constructor() {
    super();
    this.features = new nn.Sequential(
      new nn.Conv2d(1, 8, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(8, 16, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
    );
    this.classifier = new nn.Sequential(new nn.Flatten(), new nn.Linear(16 * 7 * 7, 128), new nn.ReLU(), new nn.Linear(128, 10));
  }
  override forward(x: Tensor): Tensor {
    return this.classifier.call(this.features.call(x));
  }
}

export function buildModel(kind: 'mlp' | 'cnn'): nn.Module {
  return kind === 'cnn' ? new SmallCNN() : new NeuralNetwork();
}
