// Linear, Bilinear, Identity, Flatten, Unflatten, Dropout and Embedding modules.
import { Tensor, noGrad } from '../../engine/index.ts';
import type { DType } from '../../engine/index.ts';
import { Module } from '../module.ts';
import { Parameter, parameterData } from '../parameter.ts';
import * as F from '../functional/index.ts';
import * as init from '../init.ts';
import { pyBool, pyFloat, pyRepr } from '../pyrepr.ts';

export interface FactoryOptions {
  dtype?: DType;
}

export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * reset_parameters of Linear and the ConvNd layers (one rule in PyTorch too): kaiming_uniform_ with a = √5 on the
 * weight, then U(−1/√fan_in, 1/√fan_in) on the bias, drawn in that order.
 */
export function resetKaimingUniform(weight: Parameter, bias: Parameter | null): void {
  init.kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const b = init.biasBound(weight.shape);
    init.uniform_(bias, -b, b);
  }
}

/** y = x Wᵀ + b with W [out, in]; initialised as PyTorch (kaiming_uniform a=√5, bias U(±1/√in)). */
export class Linear extends Module {
  declare inFeatures: number;
  declare outFeatures: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean } & FactoryOptions = {}) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(parameterData([outFeatures, inFeatures], opts.dtype ?? 'float32'));
    if (opts.bias ?? true) this.bias = new Parameter(parameterData([outFeatures], opts.dtype ?? 'float32'));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  resetParameters(): void {
    resetKaimingUniform(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** y_k = x1ᵀ W_k x2 + b_k with W [out, in1, in2]; weights and bias U(±1/√in1). */
export class Bilinear extends Module {
  declare in1Features: number;
  declare in2Features: number;
  declare outFeatures: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, opts: { bias?: boolean } & FactoryOptions = {}) {
    super();
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(parameterData([outFeatures, in1Features, in2Features], dtype));
    if (opts.bias ?? true) this.bias = new Parameter(parameterData([outFeatures], dtype));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]!);
    init.uniform_(this.weight, -bound, bound);
    if (this.bias) init.uniform_(this.bias, -bound, bound);
  }

  override forward(x1: Tensor, x2: Tensor): Tensor {
    return F.bilinear(x1, x2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

export class Flatten extends Module {
  declare startDim: number;
  declare endDim: number;
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }
  override forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

export class Unflatten extends Module {
  declare dim: number;
  declare unflattenedSize: number[];
  constructor(dim: number, unflattenedSize: number[]) {
    super();
    this.dim = dim;
    this.unflattenedSize = [...unflattenedSize];
  }
  override forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyRepr(this.unflattenedSize)}`;
  }
}

class DropoutBase extends Module {
  declare p: number;
  declare inplace: boolean;
  constructor(p = 0.5, inplace = false) {
    super();
    if (p < 0 || p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = inplace;
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

export class Dropout extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
}
export class Dropout1d extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropoutNd(x, this.p, this.training);
  }
}
export class Dropout2d extends Dropout1d {}
export class Dropout3d extends Dropout1d {}

export interface EmbeddingOptions extends FactoryOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
  weight?: Tensor;
}

/** A lookup table [num, dim]; weights N(0, 1) with the paddingIdx row zeroed (and never updated). */
export class Embedding extends Module {
  declare numEmbeddings: number;
  declare embeddingDim: number;
  declare paddingIdx: number | null;
  declare maxNorm: number | null;
  declare normType: number;
  declare weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (pad >= numEmbeddings || pad < -numEmbeddings) throw new Error('Padding_idx must be within num_embeddings');
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    if (opts.weight) {
      if (opts.weight.shape[0] !== numEmbeddings || opts.weight.shape[1] !== embeddingDim) {
        throw new Error('Shape of weight does not match num_embeddings and embedding_dim');
      }
      this.weight = new Parameter(opts.weight);
    } else {
      this.weight = new Parameter(parameterData([numEmbeddings, embeddingDim], opts.dtype ?? 'float32'));
      this.resetParameters();
    }
  }

  /** Builds an Embedding from a [num, dim] tensor (frozen by default, as PyTorch). */
  static fromPretrained(embeddings: Tensor, opts: { freeze?: boolean } & Omit<EmbeddingOptions, 'weight' | 'dtype'> = {}): Embedding {
    const e = new Embedding(embeddings.shape[0]!, embeddings.shape[1]!, { ...opts, weight: embeddings });
    e.weight.requiresGrad_(!(opts.freeze ?? true));
    return e;
  }

  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const pad = this.paddingIdx;
      noGrad(() => this.weight.select(0, pad).fill_(0));
    }
  }

  override forward(x: Tensor): Tensor {
    return F.embedding(x, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    return s;
  }
}
