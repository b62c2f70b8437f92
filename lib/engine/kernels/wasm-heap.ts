// The wasm backend's heap: one shared WebAssembly memory whose first part holds long-lived float32 arrays —
// parameters, their gradients and optimizer state — in blocks, so the generated kernels read and write them in place.
// Without it every product copies each weight into wasm memory twice per step (forward and backward), copies each
// weight gradient out, and the optimizer copies weights and gradients in and out again: ~16 MB of copies per step of
// the benchmark MLP.
//
// Why a shared memory: growing an ordinary WebAssembly memory detaches its ArrayBuffer, and with it every typed array
// handed out over it. Growing a shared one leaves the old SharedArrayBuffer valid (the new one is only longer), so a
// parameter's storage stays usable for its whole life. The worker pool (wasm-threads.ts) runs over this same memory,
// so with threads the workers read resident operands in place too; its per-call layouts start after the blocks
// (reservedFloats).
//
// Lifetimes: a block is returned to the free list when the typed array handed out for it is garbage collected
// (FinalizationRegistry). Tensors share their storage object, so a block lives as long as any tensor over it. A
// subarray handed to user code (Tensor.dataSync, numpy) pins its parent through tensor.ts's pinSubarray. Finalizers
// run only between tasks, so a synchronous loop that creates models without ever yielding reclaims nothing until it
// yields: the heap is capped (BOARD_WASM_HEAP_MB, default 256) and alloc() returns null beyond it, and callers then
// use ordinary arrays (slower, never wrong).

import { SHARED_MAX_PAGES } from './wasm-sgemm.ts';

const PAGE = 65536;
/** Block granularity in floats (64 bytes): every block ends on a 4-float boundary, so vector tails stay inside it. */
const ALIGN = 16;

/**
 * Default cap: parameters, gradients and Adam state of a model of ~16M parameters. A synchronous loop that builds
 * models without yielding fills the heap up to the cap before anything is reclaimed, so the cap bounds that.
 */
const DEFAULT_CAP_MB = 256;
let heapCapFloats = (() => {
  const env = typeof process === 'object' ? process.env?.BOARD_WASM_HEAP_MB : undefined;
  const mb = env !== undefined && env !== '' ? Number(env) : DEFAULT_CAP_MB;
  return (Number.isFinite(mb) && mb >= 0 ? mb : DEFAULT_CAP_MB) * 262144;
})();

/** @internal Sets the cap in MB (0: nothing is made resident), as BOARD_WASM_HEAP_MB does at start; returns the old one. */
export function setWasmHeapCapMb(mb: number): number {
  const old = heapCapFloats / 262144;
  heapCapFloats = mb * 262144;
  return old;
}

interface Block {
  at: number;
  size: number;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** Floats from the start of the memory covered by blocks (used or free): per-call layouts go after this. */
  private end = 0;
  /** Free blocks below `end`, sorted by offset, never adjacent (coalesced). */
  private readonly freeList: Block[] = [];
  /** The SharedArrayBuffer objects views were made on (the memory hands out a longer one after each grow). */
  private readonly buffers = new Set<ArrayBufferLike>();
  private readonly registry = new FinalizationRegistry<Block>((b) => this.release(b));
  private scratchBlock: Block | null = null;
  /** The block of each array alloc() handed out (weakly held: for free()). */
  private readonly blocks = new WeakMap<Float32Array, Block>();
  /** Blocks handed out and not yet released, and their floats: tests and reports read them. */
  readonly stats = { blocks: 0, floats: 0, refused: 0 };

  constructor(maximumPages = SHARED_MAX_PAGES) {
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: maximumPages, shared: true });
  }

  /** Floats at the start of the memory held by blocks: the kernels' per-call layouts start after them. */
  get reservedFloats(): number {
    return this.end;
  }

  /**
   * A zero-filled array of n floats in its own block, released when the array is garbage collected; null when the
   * heap would exceed its cap or the memory cannot grow.
   */
  alloc(n: number): Float32Array | null {
    const b = this.take(n);
    if (b === null) return null;
    const view = this.view(b.at, n);
    view.fill(0);
    this.registry.register(view, b, b);
    this.blocks.set(view, b);
    this.stats.blocks++;
    this.stats.floats += b.size;
    return view;
  }

  /**
   * A scratch of `floats` floats that stays put while the kernels run (a convolution's column matrix: im2col writes
   * it and the GEMMs read it in place). Its contents last until the next scratch() call, which may move it.
   */
  scratch(floats: number): Float32Array {
    if (this.scratchBlock === null || this.scratchBlock.size < floats) {
      if (this.scratchBlock !== null) this.release(this.scratchBlock);
      this.scratchBlock = this.take(floats, true);
    }
    return this.view(this.scratchBlock!.at, floats);
  }

  /**
   * @internal Returns an array from alloc() to the free list now, instead of when it is collected. The caller
   * guarantees that nothing uses the array or a view of it any more (tests of the allocator use this).
   */
  free(view: Float32Array): void {
    const b = this.blocks.get(view);
    if (b === undefined) throw new Error('WasmHeap.free: not an array from alloc(), or already freed');
    this.blocks.delete(view);
    this.registry.unregister(b);
    this.release(b);
  }

  /** Free blocks below reservedFloats, as [offset, floats] pairs in offset order (allocator tests check them). */
  freeBlocks(): [number, number][] {
    return this.freeList.map((f) => [f.at, f.size]);
  }

  /** X's float offset in the memory when X is a view of it (a block, a scratch or a subarray of one), else -1. */
  offsetOf(X: Float32Array): number {
    return this.buffers.has(X.buffer) ? X.byteOffset >> 2 : -1;
  }

  private view(at: number, n: number): Float32Array {
    const buf = this.memory.buffer;
    this.buffers.add(buf);
    return new Float32Array(buf, at * 4, n);
  }

  /** First fit among the free blocks, else a new block at the end (growing the memory). */
  private take(n: number, uncapped = false): Block | null {
    const size = Math.max(ALIGN, Math.ceil(n / ALIGN) * ALIGN);
    const free = this.freeList;
    for (let i = 0; i < free.length; i++) {
      const f = free[i]!;
      if (f.size < size) continue;
      const b = { at: f.at, size };
      if (f.size === size) free.splice(i, 1);
      else {
        f.at += size;
        f.size -= size;
      }
      return b;
    }
    if (!uncapped && this.stats.floats + size > heapCapFloats) {
      this.stats.refused++;
      return null;
    }
    const at = this.end;
    const bytes = (at + size) * 4;
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      try {
        this.memory.grow(Math.ceil((Math.max(bytes, have * 1.25) - have) / PAGE));
      } catch {
        if (uncapped) throw new Error(`wasm heap: cannot grow the memory to ${bytes} bytes`);
        this.stats.refused++;
        return null;
      }
    }
    this.end = at + size;
    return { at, size };
  }

  /** Returns a block to the free list, merging it with free neighbours; a free tail shrinks `end`. */
  private release(b: Block): void {
    if (b !== this.scratchBlock) {
      this.stats.blocks--;
      this.stats.floats -= b.size;
    } else this.scratchBlock = null;
    const free = this.freeList;
    let i = 0;
    while (i < free.length && free[i]!.at < b.at) i++;
    const merged = { at: b.at, size: b.size };
    const prev = free[i - 1],
      next = free[i];
    if (next && merged.at + merged.size === next.at) {
      merged.size += next.size;
      free.splice(i, 1);
    }
    if (prev && prev.at + prev.size === merged.at) {
      prev.size += merged.size;
      if (prev.at + prev.size === this.end) {
        this.end = prev.at;
        free.splice(i - 1, 1);
      }
      return;
    }
    if (merged.at + merged.size === this.end) this.end = merged.at;
    else free.splice(i, 0, merged);
  }
}

let heap: WasmHeap | null | undefined;

/**
 * The process's heap, created on first use; null where the runtime has no shared WebAssembly memory (no
 * SharedArrayBuffer, e.g. a browser page that is not cross-origin isolated): callers then copy as before.
 */
export function wasmHeap(): WasmHeap | null {
  if (heap === undefined) {
    try {
      const h = new WasmHeap();
      heap = h.memory.buffer instanceof SharedArrayBuffer ? h : null;
    } catch {
      heap = null;
    }
  }
  return heap;
}

/** The heap if it has been created, else null (never creates it: for checks on arrays that may not be resident). */
export function existingWasmHeap(): WasmHeap | null {
  return heap ?? null;
}
