// Padding modules over F.pad: ZeroPad2d, ConstantPad1d/2d/3d, ReflectionPad1d/2d, ReplicationPad1d/2d/3d.
// `padding` is an int (same on every side) or PyTorch's (left, right[, top, bottom[, front, back]]) tuple.
import { Tensor } from '../../engine/index.ts';
import { Module } from '../module.ts';
import * as F from '../functional/index.ts';
import { pyFloat, pyRepr } from '../pyrepr.ts';

abstract class PadNd extends Module {
  declare padding: number[];
  protected abstract readonly mode: 'constant' | 'reflect' | 'replicate';
  protected value = 0;
  constructor(nd: number, padding: number | number[]) {
    super();
    this.padding = typeof padding === 'number' ? new Array<number>(2 * nd).fill(padding) : [...padding];
    if (this.padding.length !== 2 * nd) throw new Error(`padding must be an int or a tuple of ${2 * nd} ints, got ${pyRepr(padding)}`);
  }
  override forward(x: Tensor): Tensor {
    return F.pad(x, this.padding, this.mode, this.value);
  }
  override extraRepr(): string {
    return pyRepr(this.padding);
  }
}

class ConstantPadNd extends PadNd {
  protected readonly mode = 'constant' as const;
  constructor(nd: number, padding: number | number[], value: number) {
    super(nd, padding);
    this.value = value;
  }
  override extraRepr(): string {
    return `padding=${pyRepr(this.padding)}, value=${pyFloat(this.value)}`;
  }
}

export class ConstantPad1d extends ConstantPadNd {
  constructor(padding: number | number[], value: number) {
    super(1, padding, value);
  }
}
export class ConstantPad2d extends ConstantPadNd {
  constructor(padding: number | number[], value: number) {
    super(2, padding, value);
  }
}
export class ConstantPad3d extends ConstantPadNd {
  constructor(padding: number | number[], value: number) {
    super(3, padding, value);
  }
}
export class ZeroPad2d extends ConstantPadNd {
  constructor(padding: number | number[]) {
    super(2, padding, 0);
  }
  override extraRepr(): string {
    return pyRepr(this.padding);
  }
}

export class ReflectionPad1d extends PadNd {
  protected readonly mode = 'reflect' as const;
  constructor(padding: number | number[]) {
    super(1, padding);
  }
}
export class ReflectionPad2d extends PadNd {
  protected readonly mode = 'reflect' as const;
  constructor(padding: number | number[]) {
    super(2, padding);
  }
}
export class ReplicationPad1d extends PadNd {
  protected readonly mode = 'replicate' as const;
  constructor(padding: number | number[]) {
    super(1, padding);
  }
}
export class ReplicationPad2d extends PadNd {
  protected readonly mode = 'replicate' as const;
  constructor(padding: number | number[]) {
    super(2, padding);
  }
}
export class ReplicationPad3d extends PadNd {
  protected readonly mode = 'replicate' as const;
  constructor(padding: number | number[]) {
    super(3, padding);
  }
}
