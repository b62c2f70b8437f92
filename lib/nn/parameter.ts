// nn.Parameter: a Tensor that a Module registers as a parameter when assigned to one of its attributes. It shares
// the given tensor's storage (as torch.nn.Parameter(t) does) and requires grad by default.
import { Tensor, empty, zeros, type DType } from '../engine/index.ts';
import { residentFloat32 } from '../engine/kernels/index.ts';
import { numelOf } from '../engine/layout.ts';

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

/**
 * A new tensor (zero-filled) for a module to make a parameter of, as `empty(shape)` in PyTorch's layers: on the wasm
 * backend a large float32 one lives in the wasm heap (kernels/wasm-heap.ts), where the matrix products and the
 * optimizer read and write it in place instead of copying it into wasm memory on every use. Only for storage the
 * module creates itself: a Parameter wrapped around a user's tensor keeps sharing that tensor's storage.
 */
export function parameterData(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  if (dtype === 'float32') {
    const data = residentFloat32(numelOf(shape));
    if (data) return Tensor.fromTypedArray(data, shape, 'float32');
  }
  return empty(shape, { dtype });
}
