// Loss modules. Class weights and pos_weight are registered as buffers (they appear in state_dict, as PyTorch).
import { Tensor } from '../../engine/index.ts';
import { Module } from '../module.ts';
import * as F from '../functional/index.ts';
import type { Reduction } from '../functional/loss.ts';

abstract class Loss extends Module {
  declare reduction: Reduction;
  constructor(reduction: Reduction = 'mean') {
    super();
    if (!['none', 'mean', 'sum'].includes(reduction)) throw new Error(`${reduction} is not a valid value for reduction`);
    this.reduction = reduction;
  }
}

abstract class WeightedLoss extends Loss {
  constructor(weight: Tensor | null | undefined, reduction: Reduction = 'mean') {
    super(reduction);
    this.registerBuffer('weight', weight ?? null);
  }
  get weight(): Tensor | null {
    return this._buffers.get('weight') ?? null;
  }
}

export class MSELoss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts.reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, this.reduction);
  }
}

export class L1Loss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts.reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, this.reduction);
  }
}

export class SmoothL1Loss extends Loss {
  declare beta: number;
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super(opts.reduction);
    this.beta = opts.beta ?? 1.0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, this.reduction, this.beta);
  }
}

export class HuberLoss extends Loss {
  declare delta: number;
  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super(opts.reduction);
    this.delta = opts.delta ?? 1.0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, this.reduction, this.delta);
  }
}

export class NLLLoss extends WeightedLoss {
  declare ignoreIndex: number;
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) {
    super(opts.weight, opts.reduction);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Log-softmax + NLL fused into one node; also takes class-probability targets and label smoothing. */
export class CrossEntropyLoss extends WeightedLoss {
  declare ignoreIndex: number;
  declare labelSmoothing: number;
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {}) {
    super(opts.weight, opts.reduction);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

export class BCELoss extends WeightedLoss {
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(opts.weight, opts.reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, this.weight, this.reduction);
  }
}

export class BCEWithLogitsLoss extends Loss {
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null } = {}) {
    super(opts.reduction);
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }
  get weight(): Tensor | null {
    return this._buffers.get('weight') ?? null;
  }
  get posWeight(): Tensor | null {
    return this._buffers.get('pos_weight') ?? null;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

export class KLDivLoss extends Module {
  declare reduction: Reduction | 'batchmean';
  declare logTarget: boolean;
  constructor(opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
    this.logTarget = opts.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, this.reduction, this.logTarget);
  }
}

export class MarginRankingLoss extends Loss {
  declare margin: number;
  constructor(opts: { margin?: number; reduction?: Reduction } = {}) {
    super(opts.reduction);
    this.margin = opts.margin ?? 0;
  }
  override forward(x1: Tensor, x2: Tensor, y: Tensor): Tensor {
    return F.marginRankingLoss(x1, x2, y, this.margin, this.reduction);
  }
}

export class HingeEmbeddingLoss extends Loss {
  declare margin: number;
  constructor(opts: { margin?: number; reduction?: Reduction } = {}) {
    super(opts.reduction);
    this.margin = opts.margin ?? 1.0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.hingeEmbeddingLoss(input, target, this.margin, this.reduction);
  }
}

export class SoftMarginLoss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts.reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.softMarginLoss(input, target, this.reduction);
  }
}

export class CosineEmbeddingLoss extends Loss {
  declare margin: number;
  constructor(opts: { margin?: number; reduction?: Reduction } = {}) {
    super(opts.reduction);
    this.margin = opts.margin ?? 0;
  }
  override forward(x1: Tensor, x2: Tensor, y: Tensor): Tensor {
    return F.cosineEmbeddingLoss(x1, x2, y, this.margin, this.reduction);
  }
}

export class TripletMarginLoss extends Loss {
  declare margin: number;
  declare p: number;
  declare eps: number;
  declare swap: boolean;
  constructor(opts: { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction } = {}) {
    super(opts.reduction);
    this.margin = opts.margin ?? 1.0;
    this.p = opts.p ?? 2;
    this.eps = opts.eps ?? 1e-6;
    this.swap = opts.swap ?? false;
  }
  override forward(a: Tensor, p: Tensor, n: Tensor): Tensor {
    return F.tripletMarginLoss(a, p, n, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}

export class PoissonNLLLoss extends Loss {
  declare logInput: boolean;
  declare full: boolean;
  declare eps: number;
  constructor(opts: { logInput?: boolean; full?: boolean; eps?: number; reduction?: Reduction } = {}) {
    super(opts.reduction);
    this.logInput = opts.logInput ?? true;
    this.full = opts.full ?? false;
    this.eps = opts.eps ?? 1e-8;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.poissonNllLoss(input, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction });
  }
}
