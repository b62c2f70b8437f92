// Data types, their storage arrays, and PyTorch's type-promotion rules (torch.result_type).

/** Element types. float32 is the default float, int64 the default integer. */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

/** Storage arrays. int64 lives in a Float64Array (integers exact to 2^53); bool in a Uint8Array of 0/1. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'uint8', 'bool'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isFloating(d: DType): boolean {
  return d === 'float32' || d === 'float64';
}
export function isIntegral(d: DType, includeBool = false): boolean {
  return d === 'int64' || d === 'int32' || d === 'uint8' || (includeBool && d === 'bool');
}

/** Allocate zeroed storage for `n` elements of `dtype`. */
export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
    case 'int64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
  }
}

/** The dtype a typed array holds by default when wrapped without an explicit dtype. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'uint8';
}

/** Whether `a` is the storage class used for `dtype`. */
export function arrayMatches(a: TypedArray, dtype: DType): boolean {
  switch (dtype) {
    case 'float32':
      return a instanceof Float32Array;
    case 'float64':
    case 'int64':
      return a instanceof Float64Array;
    case 'int32':
      return a instanceof Int32Array;
    case 'uint8':
    case 'bool':
      return a instanceof Uint8Array;
  }
}

/** Convert one JS number to what storing it in `dtype` means in PyTorch (float->int truncates, bool is x != 0). */
export function castScalar(x: number, dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(x);
    case 'float64':
      return x;
    case 'int64':
      return Number.isFinite(x) ? Math.trunc(x) : 0;
    case 'int32':
      return x | 0;
    case 'uint8':
      return (Number.isFinite(x) ? Math.trunc(x) : 0) & 255;
    case 'bool':
      return x !== 0 ? 1 : 0;
  }
}

// Linear order is exact for this dtype set: bool < uint8 < int32 < int64 < float32 < float64.
const RANK: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, int64: 3, float32: 4, float64: 5 };

/** torch.promote_types for two dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** One operand as torch.result_type sees it. */
export interface PromotionOperand {
  dtype: DType;
  dim: number;
  wrapped: boolean;
}

// PyTorch's combine_categories(higher, lower): a higher-priority group wins unless the lower one is of a higher category.
function combine(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null) return higher;
  if (isFloating(higher)) return higher;
  if (higher === 'bool' || isFloating(lower)) return promoteTypes(higher, lower);
  return higher;
}

/**
 * torch.result_type over operands: dimensioned tensors outrank 0-dim tensors, which outrank Python numbers,
 * unless the lower-priority group is of a higher category (bool < integer < float).
 * Python numbers count as the default dtype of their category (float32, int64, bool).
 */
export function resultType(ops: readonly PromotionOperand[]): DType {
  let dimR: DType | null = null,
    zeroR: DType | null = null,
    wrapR: DType | null = null;
  for (const o of ops) {
    if (o.wrapped) {
      const d: DType = isFloating(o.dtype) ? 'float32' : o.dtype === 'bool' ? 'bool' : 'int64';
      wrapR = wrapR === null ? d : promoteTypes(wrapR, d);
    } else if (o.dim === 0) zeroR = zeroR === null ? o.dtype : promoteTypes(zeroR, o.dtype);
    else dimR = dimR === null ? o.dtype : promoteTypes(dimR, o.dtype);
  }
  return combine(dimR, combine(zeroR, wrapR)) ?? 'float32';
}

/** The default dtype for a float result of integer inputs (int/int true division, mean, ...). */
export function toFloatingType(d: DType): DType {
  return isFloating(d) ? d : 'float32';
}

/** PyTorch's legacy tensor-type name, used in error messages ('torch.FloatTensor'). */
export function legacyTypeName(d: DType): string {
  const m: Record<DType, string> = {
    float32: 'FloatTensor',
    float64: 'DoubleTensor',
    int64: 'LongTensor',
    int32: 'IntTensor',
    uint8: 'ByteTensor',
    bool: 'BoolTensor',
  };
  return `torch.${m[d]}`;
}

/** PyTorch's ScalarType name ('Float', 'Long'), used in error messages. */
export function scalarTypeName(d: DType): string {
  const m: Record<DType, string> = { float32: 'Float', float64: 'Double', int64: 'Long', int32: 'Int', uint8: 'Byte', bool: 'Bool' };
  return m[d];
}
