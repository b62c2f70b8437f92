// BatchNorm1d/2d/3d, LayerNorm, GroupNorm modules. BatchNorm keeps running statistics as PyTorch does: biased batch
// variance to normalise, unbiased to update running_var, momentum null = cumulative average, num_batches_tracked int64.
import { Tensor, zeros, ones, tensor, noGrad } from '../../engine/index.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';
import * as F from '../functional/index.ts';
import * as init from '../init.ts';
import { pyBool, pyFloat, pyRepr } from '../pyrepr.ts';
import type { FactoryOptions } from './basic.ts';

export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  declare numFeatures: number;
  declare eps: number;
  declare momentum: number | null;
  declare affine: boolean;
  declare trackRunningStats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    const dtype = opts.dtype ?? 'float32';
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    if (this.affine) {
      this.weight = new Parameter(ones([numFeatures], { dtype }));
      this.bias = new Parameter(zeros([numFeatures], { dtype }));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    // PyTorch's buffer names (running_mean, ...) are used in the state dict; the JS attributes are camelCase.
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], { dtype }));
      this.registerBuffer('running_var', ones([numFeatures], { dtype }));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int64' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  get runningMean(): Tensor | null {
    return this._buffers.get('running_mean') ?? null;
  }
  get runningVar(): Tensor | null {
    return this._buffers.get('running_var') ?? null;
  }
  get numBatchesTracked(): Tensor | null {
    return this._buffers.get('num_batches_tracked') ?? null;
  }

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.runningMean!.zero_();
      this.runningVar!.fill_(1);
      this.numBatchesTracked!.zero_();
    });
  }

  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }

  protected abstract checkInputDim(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      noGrad(() => this.numBatchesTracked!.add_(1));
      factor = this.momentum === null ? 1 / Number(this.numBatchesTracked.item()) : this.momentum;
    }
    const useBatchStats = this.training || this.runningMean === null;
    return F.batchNorm(x, {
      runningMean: !this.training || this.trackRunningStats ? this.runningMean : null,
      runningVar: !this.training || this.trackRunningStats ? this.runningVar : null,
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.dim() !== 2 && x.dim() !== 3) throw new Error(`expected 2D or 3D input (got ${x.dim()}D input)`);
  }
}
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.dim() !== 4) throw new Error(`expected 4D input (got ${x.dim()}D input)`);
  }
}
export class BatchNorm3d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.dim() !== 5) throw new Error(`expected 5D input (got ${x.dim()}D input)`);
  }
}

export class LayerNorm extends Module {
  declare normalizedShape: number[];
  declare eps: number;
  declare elementwiseAffine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(normalizedShape: number | number[], opts: { eps?: number; elementwiseAffine?: boolean } & FactoryOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const dtype = opts.dtype ?? 'float32';
    if (this.elementwiseAffine) {
      this.weight = new Parameter(ones(this.normalizedShape, { dtype }));
      this.bias = new Parameter(zeros(this.normalizedShape, { dtype }));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
  }

  override forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${pyRepr(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

export class GroupNorm extends Module {
  declare numGroups: number;
  declare numChannels: number;
  declare eps: number;
  declare affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: { eps?: number; affine?: boolean } & FactoryOptions = {}) {
    super();
    if (numChannels % numGroups !== 0) throw new Error('num_channels must be divisible by num_groups');
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    const dtype = opts.dtype ?? 'float32';
    if (this.affine) {
      this.weight = new Parameter(ones([numChannels], { dtype }));
      this.bias = new Parameter(zeros([numChannels], { dtype }));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
  }

  override forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}
