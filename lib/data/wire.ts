// Moves batches between worker threads and the main thread. Structured clone keeps typed arrays
// and plain data but drops classes, so tensors travel as { dtype, shape, data } records and are
// rebuilt on arrival. Fresh buffers are transferred (zero copy) instead of cloned.
import type { TransferListItem } from 'node:worker_threads';
import { Tensor } from '../engine/index.ts';
import type { DType, TypedArray } from '../engine/index.ts';

const TAG = '__boardTensor';

interface WireTensor {
  [TAG]: 1;
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/** Encodes `value` for postMessage. When `transfer` is given, whole-buffer storages are listed for transfer. */
export function encodeValue(value: unknown, transfer: TransferListItem[] | null): unknown {
  if (value instanceof Tensor) {
    let data = value.dataSync();
    const ownsWholeBuffer = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && value.numel() === data.length;
    if (transfer && ownsWholeBuffer && !(data.buffer instanceof SharedArrayBuffer) && !transfer.includes(data.buffer)) {
      transfer.push(data.buffer);
    } else if (!ownsWholeBuffer || transfer) {
      data = data.slice() as TypedArray;
      if (transfer) transfer.push(data.buffer as ArrayBuffer);
    }
    const wire: WireTensor = { [TAG]: 1, dtype: value.dtype, shape: [...value.shape], data };
    return wire;
  }
  if (Array.isArray(value)) return value.map((v) => encodeValue(v, transfer));
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, encodeValue(v, transfer)]));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encodeValue(v, transfer);
    return out;
  }
  return value;
}

export function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, decodeValue(v)]));
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const rec = value as Record<string, unknown>;
    if (rec[TAG] === 1) {
      const w = rec as unknown as WireTensor;
      return Tensor.fromTypedArray(w.data, w.shape, w.dtype);
    }
    if (Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(rec)) out[k] = decodeValue(v);
      return out;
    }
  }
  return value;
}
