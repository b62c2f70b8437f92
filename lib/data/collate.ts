// default_collate: merges a list of samples into a batch, following torch.utils.data.default_collate.
// Works on raw typed arrays (one copy per sample into a preallocated batch buffer), not on tensor ops.
import { Tensor, allocate } from '../engine/index.ts';
import type { DType, TypedArray } from '../engine/index.ts';

export type CollateFn<S = any, B = any> = (samples: S[]) => B;

/** The dtype a raw typed array stands for (the numpy-array case of default_collate). */
export function dtypeOfTypedArray(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  throw new TypeError(`default_collate: unsupported typed array ${a.constructor.name} (use Float32Array, Float64Array, Int32Array or Uint8Array)`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `Tensor(shape=[${v.shape.join(', ')}], dtype=${v.dtype})`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

function stackTensors(batch: Tensor[]): Tensor {
  const first = batch[0];
  const shape = first.shape;
  const numel = first.numel();
  for (let i = 1; i < batch.length; i++) {
    const t = batch[i];
    const same = t.shape.length === shape.length && t.shape.every((d, k) => d === shape[k]);
    if (!same) {
      throw new RangeError(`default_collate: stack expects each tensor to be equal size, but got [${shape.join(', ')}] at entry 0 and [${t.shape.join(', ')}] at entry ${i}`);
    }
    if (t.dtype !== first.dtype) {
      throw new TypeError(`default_collate: tensors in a batch must share a dtype, but got ${first.dtype} at entry 0 and ${t.dtype} at entry ${i}`);
    }
  }
  const out = allocate(first.dtype, numel * batch.length);
  for (let i = 0; i < batch.length; i++) out.set(batch[i].dataSync() as never, i * numel);
  return Tensor.fromTypedArray(out, [batch.length, ...shape], first.dtype);
}

function stackTypedArrays(batch: ArrayBufferView[]): Tensor {
  const dtype = dtypeOfTypedArray(batch[0]);
  const n = (batch[0] as TypedArray).length;
  const out = allocate(dtype, n * batch.length);
  for (let i = 0; i < batch.length; i++) {
    const a = batch[i] as TypedArray;
    if (dtypeOfTypedArray(a) !== dtype || a.length !== n) {
      throw new RangeError(`default_collate: arrays in a batch must share type and length, got ${batch[0].constructor.name}(${n}) at entry 0 and ${a.constructor.name}(${a.length}) at entry ${i}`);
    }
    out.set(a as never, i * n);
  }
  return Tensor.fromTypedArray(out, [batch.length, n], dtype);
}

/**
 * PyTorch's default_collate:
 * - tensors are stacked along a new first dimension;
 * - typed arrays (numpy arrays) become a tensor of the matching dtype;
 * - numbers become an int64 tensor when all are integers, else float64 (JS cannot tell `1` from `1.0`,
 *   so a batch of integral floats collates as int64: pass Float64Array values to force float64);
 * - booleans become a bool tensor, bigints int64;
 * - strings stay a list; objects collate per key; arrays (tuples/lists) collate per position.
 */
export function defaultCollate(batch: readonly unknown[]): any {
  if (batch.length === 0) throw new RangeError('default_collate: the batch is empty');
  const elem = batch[0];
  if (elem instanceof Tensor) {
    for (let i = 1; i < batch.length; i++) if (!(batch[i] instanceof Tensor)) throw new TypeError(`default_collate: entry 0 is a Tensor but entry ${i} is ${describe(batch[i])}`);
    return stackTensors(batch as Tensor[]);
  }
  if (ArrayBuffer.isView(elem) && !(elem instanceof DataView)) return stackTypedArrays(batch as ArrayBufferView[]);
  if (typeof elem === 'number') {
    const nums = batch as number[];
    let allInt = true;
    for (const v of nums) {
      if (typeof v !== 'number') throw new TypeError(`default_collate: entry 0 is a number but found ${describe(v)} in the same batch`);
      if (!Number.isInteger(v)) allInt = false;
    }
    return Tensor.fromTypedArray(Float64Array.from(nums), [nums.length], allInt ? 'int64' : 'float64');
  }
  if (typeof elem === 'boolean') return Tensor.fromTypedArray(Uint8Array.from(batch as boolean[], (b) => (b ? 1 : 0)), [batch.length], 'bool');
  if (typeof elem === 'bigint') return Tensor.fromTypedArray(Float64Array.from(batch as bigint[], (b) => Number(b)), [batch.length], 'int64');
  if (typeof elem === 'string') return batch.slice();
  if (Array.isArray(elem)) {
    const len = elem.length;
    for (let i = 0; i < batch.length; i++) {
      const b = batch[i];
      if (!Array.isArray(b) || b.length !== len) throw new RangeError('default_collate: each element in list of batch should be of equal size');
    }
    const out = new Array(len);
    for (let k = 0; k < len; k++) out[k] = defaultCollate(batch.map((b) => (b as unknown[])[k]));
    return out;
  }
  if (elem instanceof Map) {
    const out = new Map();
    for (const key of elem.keys()) out.set(key, defaultCollate(batch.map((b) => (b as Map<unknown, unknown>).get(key))));
    return out;
  }
  if (elem !== null && typeof elem === 'object' && Object.getPrototypeOf(elem) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(elem)) out[key] = defaultCollate(batch.map((b) => (b as Record<string, unknown>)[key]));
    return out;
  }
  throw new TypeError(`default_collate: batch must contain tensors, typed arrays, numbers, booleans, strings, objects or arrays; found ${describe(elem)}`);
}

/** PyTorch's default_convert (used when batching is disabled): typed arrays become tensors, the rest passes through. */
export function defaultConvert(sample: unknown): any {
  if (sample instanceof Tensor) return sample;
  if (ArrayBuffer.isView(sample) && !(sample instanceof DataView)) {
    const a = sample as TypedArray;
    return Tensor.fromTypedArray(a, [a.length], dtypeOfTypedArray(a));
  }
  if (Array.isArray(sample)) return sample.map(defaultConvert);
  if (sample !== null && typeof sample === 'object' && Object.getPrototypeOf(sample) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(sample)) out[k] = defaultConvert(v);
    return out;
  }
  return sample;
}
