// Uninitialised float buffers for kernel outputs that are overwritten in full (convolution, pooling, ReLU and
// linear outputs, GEMM results with beta = 0), and the caching allocator behind them.
//
// `new Float32Array(n)` asks the system for zeroed memory (calloc): for a few MB that is a fresh mapping whose pages
// fault in, or a memset, on every call — measured 2-3 ms of CPU per 2.4 MB buffer on this machine, i.e. most of a
// small CNN's training step. Node's Buffer.allocUnsafe takes plain malloc memory, which stays mapped between steps
// when malloc keeps freed blocks: the native addon's mallopt tuning (native/src/board_native.c) or, without the
// addon, the glibc threshold nudge below. Small arrays (and runtimes without Buffer, e.g. a browser bundle) use the
// ordinary zeroed constructor. Callers must write every element before reading any.
//
// Caching allocator (PyTorch keeps freed blocks for reuse; JavaScript has no reference counts, so only buffers whose
// last use is known are returned): the backward pass (engine/autograd.ts runGraph) counts its own references to the
// gradient buffers allocated here during that pass and hands each back with releaseBuffer() once the node that
// consumed it has run and no pending gradient shares it. The next allocation of the same byte size takes it from the
// free list instead of malloc: no new backing store, no external-memory accounting in V8 (which is what triggers most
// of a training step's scavenges), no first-touch page faults. The cache holds at most BOARD_ALLOC_CACHE_MB
// (default 256, 0 disables it) and is dropped by emptyCache().
import type { FloatArray } from './im2col.ts';
import { nativeKernels } from './index.ts';

const NodeBuffer = (globalThis as { Buffer?: { allocUnsafe(size: number): Uint8Array; allocUnsafeSlow?(size: number): Uint8Array } })
  .Buffer;
/** Below this many bytes Node serves allocUnsafe from a shared pool; zeroed allocation is cheap there anyway. */
const MIN_BYTES = 64 * 1024;

let nudged = false;
const NUDGE_BYTES = 31 * 1024 * 1024;
/**
 * glibc's malloc serves blocks above its mmap threshold (128 KiB at start) with a fresh mapping, and trims the heap
 * when more than twice that threshold is free at its top: either way a tensor-sized buffer faults its pages in anew on
 * every step (measured without the addon: 40 faults per MLP step, 508 per CNN step). glibc raises both thresholds
 * when a mapped block is freed (to that block's size, at most 32 MiB; trim at twice it), so one 31 MiB block allocated
 * and dropped here, freed by the next garbage collection, gives the whole process 31 / 62 MiB thresholds. The native
 * addon sets larger ones with mallopt (which turns this adjustment off, making the nudge a no-op); this serves the
 * wasm and js backends when the addon is absent. Other allocators just see one short-lived 31 MiB buffer.
 * BOARD_MALLOC_CACHE=0 turns it off, as it turns off the addon's tuning.
 */
function nudgeMallocThresholds(): void {
  nudged = true;
  if (typeof process === 'object' && process.env?.BOARD_MALLOC_CACHE === '0') return; // glibc's defaults, as the addon
  // On the native backend the addon has already fixed larger thresholds (mallopt): a 31 MiB block would only sit in
  // the heap.
  if (nativeKernels()?.mallocCache()) return;
  NodeBuffer?.allocUnsafeSlow?.(NUDGE_BYTES);
}

const cacheLimit = (() => {
  const env = typeof process === 'object' ? process.env?.BOARD_ALLOC_CACHE_MB : undefined;
  const mb = env !== undefined && env !== '' ? Number(env) : 256;
  return Number.isFinite(mb) && mb >= 0 ? mb * 1024 * 1024 : 256 * 1024 * 1024;
})();
/** Free lists by exact byte length (a training step asks for the same sizes every step). */
const freeLists = new Map<number, ArrayBuffer[]>();
let cachedBytes = 0;
let hits = 0,
  misses = 0;
/** Buffers allocated while a backward pass tracks them (see trackAllocations). */
let tracked: Set<ArrayBuffer> | null = null;

function rawBuffer(bytes: number): ArrayBuffer {
  const list = freeLists.get(bytes);
  if (list !== undefined && list.length > 0) {
    hits++;
    cachedBytes -= bytes;
    const b = list.pop()!;
    if (tracked) tracked.add(b);
    return b;
  }
  misses++;
  if (!nudged) nudgeMallocThresholds();
  let b: ArrayBuffer | null = null;
  if (NodeBuffer) {
    const u = NodeBuffer.allocUnsafe(bytes);
    // Above Node's pool size allocUnsafe gives a buffer of its own; anything else is not ours to recycle.
    if (u.byteOffset === 0 && u.buffer.byteLength === bytes) b = u.buffer as ArrayBuffer;
  }
  b ??= new ArrayBuffer(bytes);
  if (tracked) tracked.add(b);
  return b;
}

/**
 * Returns a buffer allocated by this module to the cache. The caller guarantees nothing reads or writes it any more
 * (no typed array over it is reachable). Buffers of other origin, detached ones and those beyond the cache limit are
 * ignored (left to the garbage collector).
 */
export function releaseBuffer(b: ArrayBuffer): void {
  const bytes = b.byteLength;
  if (bytes < MIN_BYTES || cachedBytes + bytes > cacheLimit) return;
  let list = freeLists.get(bytes);
  if (list === undefined) freeLists.set(bytes, (list = []));
  if (list.includes(b)) throw new Error('releaseBuffer: buffer released twice');
  list.push(b);
  cachedBytes += bytes;
}

/**
 * Starts recording the buffers this module hands out (for one backward pass); returns the set, which the caller owns
 * until stopTracking(). Nested calls return null (the outer pass keeps its set).
 */
export function trackAllocations(): Set<ArrayBuffer> | null {
  if (tracked) return null;
  tracked = new Set();
  return tracked;
}

export function stopTracking(set: Set<ArrayBuffer> | null): void {
  if (set !== null && tracked === set) tracked = null;
}

/** The allocation escapes the tracking pass (e.g. becomes a parameter's .grad): it will never be released by it. */
export function untrack(b: ArrayBufferLike): void {
  tracked?.delete(b as ArrayBuffer);
}

/** torch.cuda.empty_cache's counterpart: drops every cached buffer (the garbage collector frees them). */
export function emptyCache(): void {
  freeLists.clear();
  cachedBytes = 0;
}

/** Cache statistics: bytes held, allocations served from the cache (hits) and from the system (misses). */
export function allocCacheStats(): { cachedBytes: number; hits: number; misses: number; limit: number } {
  return { cachedBytes, hits, misses, limit: cacheLimit };
}

/** A Float32Array of n elements whose contents are unspecified. */
export function uninitFloat32(n: number): Float32Array {
  if (NodeBuffer && n * 4 >= MIN_BYTES) return new Float32Array(rawBuffer(n * 4), 0, n);
  return new Float32Array(n);
}

/** An Int32Array of n elements whose contents are unspecified (pooling indices). */
export function uninitInt32(n: number): Int32Array {
  if (NodeBuffer && n * 4 >= MIN_BYTES) return new Int32Array(rawBuffer(n * 4), 0, n);
  return new Int32Array(n);
}

/** An uninitialised array of `like`'s element type (float32 or float64). */
export function uninitLike(like: FloatArray, n: number): FloatArray {
  if (like instanceof Float32Array) return uninitFloat32(n);
  if (NodeBuffer && n * 8 >= MIN_BYTES) return new Float64Array(rawBuffer(n * 8), 0, n);
  return new Float64Array(n);
}
