// Small helpers shared by the functional ops: argument expansion, raw data access and shape checks.
import { Tensor } from '../../engine/index.ts';
import type { FloatArray } from '../../engine/kernels/index.ts';

/** Expands an int or tuple argument to n values (PyTorch's _single/_pair/_triple). */
export function ntuple(v: number | readonly number[], n: number, what: string): number[] {
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (v.length === 1 && n > 1) return new Array<number>(n).fill(v[0]!);
  if (v.length !== n) throw new Error(`${what} must be an int or a tuple of ${n} ints, got [${v.join(', ')}]`);
  return [...v];
}

/** Throws, naming op, unless t is float32 or float64. */
export function checkFloat(t: Tensor, op: string): void {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new TypeError(`${op}: expected a floating point tensor, got ${t.dtype}`);
}

/** The row-major values of a floating tensor (read-only unless the caller owns it). */
export function floatData(t: Tensor, op: string): FloatArray {
  checkFloat(t, op);
  return t.dataSync() as FloatArray;
}

/** Wraps a result array as a tensor of the given shape and dtype. */
export function wrap(arr: FloatArray, shape: readonly number[]): Tensor {
  return Tensor.fromTypedArray(arr, shape, arr instanceof Float32Array ? 'float32' : 'float64');
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameDtype(op: string, ...ts: (Tensor | null | undefined)[]): void {
  const first = ts.find((t) => t)!;
  for (const t of ts) {
    if (t && t.dtype !== first.dtype) throw new TypeError(`${op}: expected all tensors to have dtype ${first.dtype}, but got ${t.dtype}`);
  }
}

export function prod(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}
