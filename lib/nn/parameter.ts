// nn.Parameter: a Tensor that a Module registers as a parameter when assigned to one of its attributes. It shares
// the given tensor's storage (as torch.nn.Parameter(t) does) and requires grad by default.
import { Tensor, zeros } from '../engine/index.ts';

export class Parameter extends Tensor {
  constructor(data?: Tensor, requiresGrad = true) {
    const d = data ?? zeros([0]);
    super(d.storage, d.shape, d.strides, d.offset, d.dtype, d._version);
    this.requiresGrad_(requiresGrad);
  }

  /** PyTorch prints parameters as `Parameter containing:` and the tensor. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
