// Conv1d/2d/3d and ConvTranspose1d/2d/3d modules (weights kaiming_uniform a=√5, bias U(±1/√fan_in), as PyTorch).
import { Tensor } from '../../engine/index.ts';
import { Module } from '../module.ts';
import { Parameter, parameterData } from '../parameter.ts';
import * as F from '../functional/index.ts';
import { ntuple } from '../functional/util.ts';
import { pyRepr } from '../pyrepr.ts';
import { resetKaimingUniform, type FactoryOptions } from './basic.ts';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface ConvModuleOptions extends FactoryOptions {
  stride?: number | number[];
  padding?: number | number[] | 'same' | 'valid';
  dilation?: number | number[];
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
}

export interface ConvTransposeModuleOptions extends FactoryOptions {
  stride?: number | number[];
  padding?: number | number[];
  outputPadding?: number | number[];
  dilation?: number | number[];
  groups?: number;
  bias?: boolean;
  paddingMode?: 'zeros';
}

abstract class ConvNd extends Module {
  declare inChannels: number;
  declare outChannels: number;
  declare kernelSize: number[];
  declare stride: number[];
  declare padding: number[] | 'same' | 'valid';
  declare dilation: number[];
  declare outputPadding: number[];
  declare groups: number;
  declare paddingMode: PaddingMode;
  declare transposed: boolean;
  declare weight: Parameter;
  declare bias: Parameter | null;

  protected constructor(
    nd: number,
    transposed: boolean,
    inChannels: number,
    outChannels: number,
    kernelSize: number | number[],
    o: ConvModuleOptions & { outputPadding?: number | number[] },
  ) {
    super();
    const groups = o.groups ?? 1;
    if (groups <= 0) throw new Error('groups must be a positive integer');
    if (inChannels % groups !== 0) throw new Error('in_channels must be divisible by groups');
    if (outChannels % groups !== 0) throw new Error('out_channels must be divisible by groups');
    const paddingMode = o.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(paddingMode)) {
      throw new Error(`padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${paddingMode}'`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = ntuple(kernelSize, nd, 'kernel_size');
    this.stride = ntuple(o.stride ?? 1, nd, 'stride');
    const pad = o.padding ?? 0;
    if (typeof pad === 'string') {
      if (pad !== 'same' && pad !== 'valid') throw new Error(`Invalid padding string '${pad}', should be one of ['valid', 'same']`);
      if (pad === 'same' && this.stride.some((s) => s !== 1)) throw new Error("padding='same' is not supported for strided convolutions");
      this.padding = pad;
    } else {
      this.padding = ntuple(pad, nd, 'padding');
    }
    this.dilation = ntuple(o.dilation ?? 1, nd, 'dilation');
    this.outputPadding = ntuple(o.outputPadding ?? 0, nd, 'output_padding');
    this.groups = groups;
    this.paddingMode = paddingMode;
    this.transposed = transposed;
    const dtype = o.dtype ?? 'float32';
    const wShape = transposed
      ? [inChannels, outChannels / groups, ...this.kernelSize]
      : [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = new Parameter(parameterData(wShape, dtype));
    if (o.bias ?? true) this.bias = new Parameter(parameterData([outChannels], dtype));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  resetParameters(): void {
    resetKaimingUniform(this.weight, this.bias);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyRepr(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyRepr(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyRepr(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** (before, after) pads for F.pad, last dim first, for the explicit padding modes. */
function explicitPad(padding: number[] | 'same' | 'valid', kernel: number[], dilation: number[]): number[] {
  const out: number[] = [];
  for (let i = kernel.length - 1; i >= 0; i--) {
    if (padding === 'valid') out.push(0, 0);
    else if (padding === 'same') {
      const total = dilation[i]! * (kernel[i]! - 1);
      const left = Math.floor(total / 2);
      out.push(left, total - left);
    } else out.push(padding[i]!, padding[i]!);
  }
  return out;
}

abstract class Conv extends ConvNd {
  protected abstract readonly nd: number;
  protected convFn(x: Tensor, padding: number[] | 'same' | 'valid'): Tensor {
    const opts = { stride: this.stride, padding, dilation: this.dilation, groups: this.groups };
    if (this.nd === 1) return F.conv1d(x, this.weight, this.bias, opts);
    if (this.nd === 2) return F.conv2d(x, this.weight, this.bias, opts);
    return F.conv3d(x, this.weight, this.bias, opts);
  }
  override forward(x: Tensor): Tensor {
    if (this.paddingMode !== 'zeros') {
      const padded = F.pad(x, explicitPad(this.padding, this.kernelSize, this.dilation), this.paddingMode);
      return this.convFn(padded, 'valid');
    }
    return this.convFn(x, this.padding);
  }
}

export class Conv1d extends Conv {
  protected readonly nd = 1;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvModuleOptions = {}) {
    super(1, false, inChannels, outChannels, kernelSize, opts);
  }
}
export class Conv2d extends Conv {
  protected readonly nd = 2;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvModuleOptions = {}) {
    super(2, false, inChannels, outChannels, kernelSize, opts);
  }
}
export class Conv3d extends Conv {
  protected readonly nd = 3;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvModuleOptions = {}) {
    super(3, false, inChannels, outChannels, kernelSize, opts);
  }
}

abstract class ConvTranspose extends ConvNd {
  protected abstract readonly nd: number;
  /** outputSize (optional) picks output_padding so the output has that spatial size, as PyTorch. */
  override forward(x: Tensor, outputSize?: number[] | null): Tensor {
    let outputPadding = this.outputPadding;
    if (outputSize) {
      const sizes = outputSize.slice(outputSize.length - this.nd);
      const spatial = x.shape.slice(x.dim() - this.nd);
      const pad = this.padding as number[];
      outputPadding = sizes.map((want, i) => {
        const min = (spatial[i]! - 1) * this.stride[i]! - 2 * pad[i]! + this.dilation[i]! * (this.kernelSize[i]! - 1) + 1;
        const op = want - min;
        if (op < 0 || op >= Math.max(this.stride[i]!, this.dilation[i]!)) {
          throw new Error(
            `requested an output size of ${pyRepr(sizes)}, but valid sizes range from ${min} to ${min + this.stride[i]! - 1} (for an input of ${pyRepr(spatial)})`,
          );
        }
        return op;
      });
    }
    const opts = { stride: this.stride, padding: this.padding as number[], outputPadding, dilation: this.dilation, groups: this.groups };
    if (this.nd === 1) return F.convTranspose1d(x, this.weight, this.bias, opts);
    if (this.nd === 2) return F.convTranspose2d(x, this.weight, this.bias, opts);
    return F.convTranspose3d(x, this.weight, this.bias, opts);
  }
}

function checkTransposePadding(o: ConvTransposeModuleOptions): void {
  if ((o.paddingMode ?? 'zeros') !== 'zeros') throw new Error('Only "zeros" padding mode is supported for ConvTranspose');
}

export class ConvTranspose1d extends ConvTranspose {
  protected readonly nd = 1;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvTransposeModuleOptions = {}) {
    checkTransposePadding(opts);
    super(1, true, inChannels, outChannels, kernelSize, opts);
  }
}
export class ConvTranspose2d extends ConvTranspose {
  protected readonly nd = 2;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvTransposeModuleOptions = {}) {
    checkTransposePadding(opts);
    super(2, true, inChannels, outChannels, kernelSize, opts);
  }
}
export class ConvTranspose3d extends ConvTranspose {
  protected readonly nd = 3;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvTransposeModuleOptions = {}) {
    checkTransposePadding(opts);
    super(3, true, inChannels, outChannels, kernelSize, opts);
  }
}
