// Shapes, strides and the strided row iterator every kernel loops with.
import type { DType, TypedArray } from './dtype.ts';

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= Math.max(shape[i]!, 1);
  }
  return st;
}

/** Row-major contiguity; size-1 dims may carry any stride, as in PyTorch. */
export function isContiguousLayout(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Normalize a possibly negative dim; PyTorch's IndexError text. */
export function normDim(dim: number, ndim: number, op?: string): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(`${op ? op + ': ' : ''}Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Broadcast two shapes (numpy rules); errors name the op and both shapes. */
export function broadcastShapes(a: Shape, b: Shape, op = 'broadcast'): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1,
      y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new RangeError(
        `${op}: The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i} ` +
          `(shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast together)`,
      );
    }
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if expanded to `target` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const n = target.length,
    k = shape.length;
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < k; i++) {
    const t = n - k + i;
    out[t] = shape[i] === 1 && target[t] !== 1 ? 0 : strides[i]!;
  }
  return out;
}

/**
 * Iterates the rows (innermost dim) of a shape for up to three operands with their own strides.
 * Usage: `const it = new RowIter(shape, sa, sb); do { ...inner loop of it.len from it.p0 / it.p1 ... } while (it.next());`
 * Preallocates its counters once per op so hot loops allocate nothing.
 */
export class RowIter {
  readonly len: number; // elements per row
  readonly s0: number;
  readonly s1: number;
  readonly s2: number; // innermost strides
  p0: number;
  p1: number;
  p2: number;
  private readonly outer: number[];
  private readonly st0: readonly number[];
  private readonly st1: readonly number[];
  private readonly st2: readonly number[];
  private readonly cnt: Int32Array;
  private rowsLeft: number;

  constructor(
    shape: Shape,
    st0: readonly number[],
    off0 = 0,
    st1: readonly number[] = st0,
    off1 = 0,
    st2: readonly number[] = st0,
    off2 = 0,
  ) {
    const nd = shape.length;
    this.len = nd === 0 ? 1 : shape[nd - 1]!;
    this.s0 = nd === 0 ? 0 : st0[nd - 1]!;
    this.s1 = nd === 0 ? 0 : st1[nd - 1]!;
    this.s2 = nd === 0 ? 0 : st2[nd - 1]!;
    this.outer = shape.slice(0, Math.max(nd - 1, 0));
    this.st0 = st0;
    this.st1 = st1;
    this.st2 = st2;
    this.cnt = new Int32Array(this.outer.length);
    this.p0 = off0;
    this.p1 = off1;
    this.p2 = off2;
    this.rowsLeft = numelOf(shape) === 0 ? 0 : numelOf(this.outer) - 1;
  }

  /** True when there is at least one row (false for empty tensors). */
  get any(): boolean {
    return this.len > 0 && this.rowsLeft >= 0 && !this.outer.includes(0);
  }

  next(): boolean {
    if (this.rowsLeft <= 0) return false;
    this.rowsLeft--;
    const o = this.outer,
      c = this.cnt;
    for (let d = o.length - 1; d >= 0; d--) {
      if (++c[d]! < o[d]!) {
        this.p0 += this.st0[d]!;
        this.p1 += this.st1[d]!;
        this.p2 += this.st2[d]!;
        return true;
      }
      c[d] = 0;
      this.p0 -= this.st0[d]! * (o[d]! - 1);
      this.p1 -= this.st1[d]! * (o[d]! - 1);
      this.p2 -= this.st2[d]! * (o[d]! - 1);
    }
    return true;
  }
}

/** How a value converts when stored into a dtype's array beyond what the typed array itself does. */
function castMode(dst: DType, srcFloat: boolean): 0 | 1 | 2 {
  if (dst === 'bool') return 2;
  if (dst === 'int64' && srcFloat) return 1;
  return 0;
}

/**
 * Copy (and cast) a strided view into another strided view of the same shape.
 * float->int64 truncates toward zero, anything->bool is x != 0; other casts are the typed arrays' own.
 */
export function copyStrided(
  src: TypedArray,
  srcOff: number,
  srcStrides: readonly number[],
  shape: Shape,
  dst: TypedArray,
  dstOff: number,
  dstStrides: readonly number[],
  dstDtype: DType,
  srcFloat: boolean,
): void {
  const it = new RowIter(shape, dstStrides, dstOff, srcStrides, srcOff);
  if (!it.any) return;
  const mode = castMode(dstDtype, srcFloat);
  const n = it.len,
    sd = it.s0,
    ss = it.s1;
  do {
    let o = it.p0,
      i = it.p1;
    if (mode === 0) {
      if (sd === 1 && ss === 1 && src !== dst) {
        dst.set(src.subarray(i, i + n), o);
        continue;
      }
      for (let k = 0; k < n; k++) {
        dst[o] = src[i]!;
        o += sd;
        i += ss;
      }
    } else if (mode === 1) {
      for (let k = 0; k < n; k++) {
        const v = src[i]!;
        dst[o] = Number.isFinite(v) ? Math.trunc(v) : 0;
        o += sd;
        i += ss;
      }
    } else {
      for (let k = 0; k < n; k++) {
        dst[o] = src[i]! !== 0 ? 1 : 0;
        o += sd;
        i += ss;
      }
    }
  } while (it.next());
}
