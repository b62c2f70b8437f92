// Activation modules (thin wrappers over nn.functional).
import { Tensor } from '../../engine/index.ts';
import { Module } from '../module.ts';
import * as F from '../functional/index.ts';
import { pyFloat, pyRepr } from '../pyrepr.ts';

class InplaceFlag extends Module {
  declare inplace: boolean;
  constructor(inplace = false) {
    super();
    this.inplace = inplace;
  }
  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/** max(x, 0); with inplace = true it overwrites its input (PyTorch's nn.ReLU(inplace=True)). */
export class ReLU extends InplaceFlag {
  override forward(x: Tensor): Tensor {
    return F.relu(x, this.inplace);
  }
}
export class ReLU6 extends InplaceFlag {
  override forward(x: Tensor): Tensor {
    return F.relu6(x);
  }
}
export class SELU extends InplaceFlag {
  override forward(x: Tensor): Tensor {
    return F.selu(x);
  }
}
export class SiLU extends InplaceFlag {
  override forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}
export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}
export class LogSigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return F.logsigmoid(x);
  }
}

export class LeakyReLU extends Module {
  declare negativeSlope: number;
  declare inplace: boolean;
  constructor(negativeSlope = 0.01, inplace = false) {
    super();
    this.negativeSlope = negativeSlope;
    this.inplace = inplace;
  }
  override forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export class ELU extends Module {
  declare alpha: number;
  declare inplace: boolean;
  constructor(alpha = 1.0, inplace = false) {
    super();
    this.alpha = alpha;
    this.inplace = inplace;
  }
  override forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export class Hardtanh extends Module {
  declare minVal: number;
  declare maxVal: number;
  constructor(minVal = -1, maxVal = 1) {
    super();
    this.minVal = minVal;
    this.maxVal = maxVal;
  }
  override forward(x: Tensor): Tensor {
    return F.hardtanh(x, this.minVal, this.maxVal);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}

export class Softplus extends Module {
  declare beta: number;
  declare threshold: number;
  constructor(beta = 1, threshold = 20) {
    super();
    this.beta = beta;
    this.threshold = threshold;
  }
  override forward(x: Tensor): Tensor {
    return F.softplus(x, this.beta, this.threshold);
  }
  override extraRepr(): string {
    // PyTorch's defaults are the ints 1 and 20; other values are almost always given as floats (2.0 prints '2.0').
    return `beta=${this.beta === 1 ? '1' : pyFloat(this.beta)}, threshold=${this.threshold === 20 ? '20' : pyFloat(this.threshold)}`;
  }
}

export class GELU extends Module {
  declare approximate: 'none' | 'tanh';
  constructor(approximate: 'none' | 'tanh' = 'none') {
    super();
    this.approximate = approximate;
  }
  override forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }
  override extraRepr(): string {
    return `approximate=${pyRepr(this.approximate)}`;
  }
}

export class Softmax extends Module {
  declare dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
  override forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${pyRepr(this.dim)}`;
  }
}

export class LogSoftmax extends Module {
  declare dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
  override forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${pyRepr(this.dim)}`;
  }
}
