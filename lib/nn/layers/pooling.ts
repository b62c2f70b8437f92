// Pooling modules: MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvg/MaxPool1d/2d, MaxUnpool1d/2d.
import { Tensor } from '../../engine/index.ts';
import { Module } from '../module.ts';
import * as F from '../functional/index.ts';
import { ntuple } from '../functional/util.ts';
import { pyBool, pyRepr } from '../pyrepr.ts';

type IntOrTuple = number | number[];

export interface MaxPoolModuleOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  returnIndices?: boolean;
  ceilMode?: boolean;
}

abstract class MaxPoolNd extends Module {
  declare kernelSize: IntOrTuple;
  declare stride: IntOrTuple;
  declare padding: IntOrTuple;
  declare dilation: IntOrTuple;
  declare returnIndices: boolean;
  declare ceilMode: boolean;
  constructor(kernelSize: IntOrTuple, opts: MaxPoolModuleOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.returnIndices = opts.returnIndices ?? false;
    this.ceilMode = opts.ceilMode ?? false;
  }
  protected opts() {
    return {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      ceilMode: this.ceilMode,
      returnIndices: this.returnIndices,
    };
  }
  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}, dilation=${pyRepr(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

export class MaxPool1d extends MaxPoolNd {
  override forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return F.maxPool1d(x, this.kernelSize, this.opts());
  }
}
export class MaxPool2d extends MaxPoolNd {
  override forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return F.maxPool2d(x, this.kernelSize, this.opts());
  }
}
export class MaxPool3d extends MaxPoolNd {
  override forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return F.maxPool3d(x, this.kernelSize, this.opts());
  }
}

export interface AvgPoolModuleOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

abstract class AvgPoolNd extends Module {
  declare kernelSize: IntOrTuple;
  declare stride: IntOrTuple;
  declare padding: IntOrTuple;
  declare ceilMode: boolean;
  declare countIncludePad: boolean;
  declare divisorOverride: number | null;
  constructor(kernelSize: IntOrTuple, opts: AvgPoolModuleOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }
  protected opts() {
    return {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    };
  }
  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`;
  }
}

export class AvgPool1d extends AvgPoolNd {
  constructor(kernelSize: IntOrTuple, opts: Omit<AvgPoolModuleOptions, 'divisorOverride'> = {}) {
    // PyTorch's AvgPool1d stores 1-tuples, which its repr shows: kernel_size=(2,)
    super(ntuple(kernelSize, 1, 'kernel_size'), {
      ...opts,
      stride: ntuple(opts.stride ?? kernelSize, 1, 'stride'),
      padding: ntuple(opts.padding ?? 0, 1, 'padding'),
    });
  }
  override forward(x: Tensor): Tensor {
    return F.avgPool1d(x, this.kernelSize, this.opts());
  }
}
export class AvgPool2d extends AvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.opts());
  }
}
export class AvgPool3d extends AvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.avgPool3d(x, this.kernelSize, this.opts());
  }
}

type OutSize = number | (number | null)[];

export class AdaptiveAvgPool1d extends Module {
  declare outputSize: number | number[];
  constructor(outputSize: number | number[]) {
    super();
    this.outputSize = outputSize;
  }
  override forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool1d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}
export class AdaptiveAvgPool2d extends Module {
  declare outputSize: OutSize;
  constructor(outputSize: OutSize) {
    super();
    this.outputSize = outputSize;
  }
  override forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}
export class AdaptiveMaxPool1d extends Module {
  declare outputSize: number | number[];
  declare returnIndices: boolean;
  constructor(outputSize: number | number[], returnIndices = false) {
    super();
    this.outputSize = outputSize;
    this.returnIndices = returnIndices;
  }
  override forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return F.adaptiveMaxPool1d(x, this.outputSize, this.returnIndices);
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}
export class AdaptiveMaxPool2d extends Module {
  declare outputSize: OutSize;
  declare returnIndices: boolean;
  constructor(outputSize: OutSize, opts: { returnIndices?: boolean } | boolean = false) {
    super();
    this.outputSize = outputSize;
    this.returnIndices = typeof opts === 'boolean' ? opts : (opts.returnIndices ?? false);
  }
  override forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return this.returnIndices ? F.adaptiveMaxPool2d(x, this.outputSize, true) : F.adaptiveMaxPool2d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

export class AdaptiveAvgPool3d extends Module {
  declare outputSize: OutSize;
  constructor(outputSize: OutSize) {
    super();
    this.outputSize = outputSize;
  }
  override forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool3d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}
export class AdaptiveMaxPool3d extends Module {
  declare outputSize: OutSize;
  declare returnIndices: boolean;
  constructor(outputSize: OutSize, opts: { returnIndices?: boolean } | boolean = false) {
    super();
    this.outputSize = outputSize;
    this.returnIndices = typeof opts === 'boolean' ? opts : (opts.returnIndices ?? false);
  }
  override forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return this.returnIndices ? F.adaptiveMaxPool3d(x, this.outputSize, true) : F.adaptiveMaxPool3d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

abstract class MaxUnpoolNd extends Module {
  declare kernelSize: number[];
  declare stride: number[];
  declare padding: number[];
  /** PyTorch stores tuples here (_single/_pair), which its repr shows: kernel_size=(2, 2). */
  constructor(nd: number, kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple } = {}) {
    super();
    this.kernelSize = ntuple(kernelSize, nd, 'kernel_size');
    this.stride = ntuple(opts.stride ?? kernelSize, nd, 'stride');
    this.padding = ntuple(opts.padding ?? 0, nd, 'padding');
  }
  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`;
  }
}
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple } = {}) {
    super(1, kernelSize, opts);
  }
  override forward(x: Tensor, indices: Tensor, outputSize?: number[] | null): Tensor {
    return F.maxUnpool1d(x, indices, this.kernelSize, { stride: this.stride, padding: this.padding, outputSize });
  }
}
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple } = {}) {
    super(2, kernelSize, opts);
  }
  override forward(x: Tensor, indices: Tensor, outputSize?: number[] | null): Tensor {
    return F.maxUnpool2d(x, indices, this.kernelSize, { stride: this.stride, padding: this.padding, outputSize });
  }
}
export class MaxUnpool3d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple } = {}) {
    super(3, kernelSize, opts);
  }
  override forward(x: Tensor, indices: Tensor, outputSize?: number[] | null): Tensor {
    return F.maxUnpool3d(x, indices, this.kernelSize, { stride: this.stride, padding: this.padding, outputSize });
  }
}
