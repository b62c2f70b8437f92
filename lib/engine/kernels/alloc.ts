// Uninitialised float buffers for kernel outputs that are overwritten in full (convolution, pooling, ReLU and
// linear outputs, GEMM results with beta = 0). `new Float32Array(n)` asks the system for zeroed memory (calloc):
// for a few MB that is a fresh mapping whose pages fault in, or a memset, on every call — measured 2-3 ms of CPU per
// 2.4 MB buffer on this machine, i.e. most of a small CNN's training step. Node's Buffer.allocUnsafe takes plain
// malloc memory, which the native addon's malloc tuning keeps mapped between steps (the caching allocator, see
// native/src/board_native.c): 0.15 ms for the same buffer. Small arrays (and runtimes without Buffer, e.g. a
// browser bundle) use the ordinary zeroed constructor. Callers must write every element before reading any.
import type { FloatArray } from './im2col.ts';

const NodeBuffer = (globalThis as { Buffer?: { allocUnsafe(size: number): Uint8Array } }).Buffer;
/** Below this many bytes Node serves allocUnsafe from a shared pool; zeroed allocation is cheap there anyway. */
const MIN_BYTES = 64 * 1024;

/** A Float32Array of n elements whose contents are unspecified. */
export function uninitFloat32(n: number): Float32Array {
  if (NodeBuffer && n * 4 >= MIN_BYTES) {
    const b = NodeBuffer.allocUnsafe(n * 4);
    if (b.byteOffset % 4 === 0) return new Float32Array(b.buffer, b.byteOffset, n);
  }
  return new Float32Array(n);
}

/** An Int32Array of n elements whose contents are unspecified (pooling indices). */
export function uninitInt32(n: number): Int32Array {
  if (NodeBuffer && n * 4 >= MIN_BYTES) {
    const b = NodeBuffer.allocUnsafe(n * 4);
    if (b.byteOffset % 4 === 0) return new Int32Array(b.buffer, b.byteOffset, n);
  }
  return new Int32Array(n);
}

/** An uninitialised array of `like`'s element type (float32 or float64). */
export function uninitLike(like: FloatArray, n: number): FloatArray {
  if (like instanceof Float32Array) return uninitFloat32(n);
  if (NodeBuffer && n * 8 >= MIN_BYTES) {
    const b = NodeBuffer.allocUnsafe(n * 8);
    if (b.byteOffset % 8 === 0) return new Float64Array(b.buffer, b.byteOffset, n);
  }
  return new Float64Array(n);
}
