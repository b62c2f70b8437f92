// Data types, their storage arrays, and PyTorch's type-promotion rules (torch.result_type).
import { roundHalf } from './half.ts';

/** Element types. float32 is the default float, int64 the default integer. */
export type DType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/**
 * Storage arrays. int64 lives in a Float64Array (integers exact to 2^53); bool in a Uint8Array of 0/1; int8/int16
 * in Int8Array/Int16Array, whose stores wrap around as PyTorch's integer arithmetic does.
 * float16 lives in a Float32Array whose every value is a half-precision number: PyTorch 1.13's CPU kernels compute
 * half ops in float and round each result to half, so every kernel runs unchanged on float values and the result
 * is rounded to half when the tensor is created or written in place (see roundHalfStorage).
 */
export type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'float16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isFloating(d: DType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16';
}
export function isIntegral(d: DType, includeBool = false): boolean {
  return d === 'int64' || d === 'int32' || d === 'int16' || d === 'int8' || d === 'uint8' || (includeBool && d === 'bool');
}

/** Bytes per element as PyTorch counts them (element_size()); float16 is 2 although its storage holds floats. */
export function itemSize(d: DType): number {
  const m: Record<DType, number> = { float32: 4, float64: 8, float16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };
  return m[d];
}

/** Allocate zeroed storage for `n` elements of `dtype`. */
export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
    case 'float16':
      return new Float32Array(n);
    case 'float64':
    case 'int64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int8':
      return new Int8Array(n);
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
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  return 'uint8';
}

/** Whether `a` is the storage class used for `dtype`. */
export function arrayMatches(a: TypedArray, dtype: DType): boolean {
  switch (dtype) {
    case 'float32':
    case 'float16':
      return a instanceof Float32Array;
    case 'float64':
    case 'int64':
      return a instanceof Float64Array;
    case 'int32':
      return a instanceof Int32Array;
    case 'int16':
      return a instanceof Int16Array;
    case 'int8':
      return a instanceof Int8Array;
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
    case 'float16':
      // PyTorch converts a double to half through float.
      return roundHalf(Math.fround(x));
    case 'int64':
      return Number.isFinite(x) ? Math.trunc(x) : 0;
    case 'int32':
      return x | 0;
    case 'int16':
      return ((x | 0) << 16) >> 16;
    case 'int8':
      return ((x | 0) << 24) >> 24;
    case 'uint8':
      return (Number.isFinite(x) ? Math.trunc(x) : 0) & 255;
    case 'bool':
      return x !== 0 ? 1 : 0;
  }
}

const INT_RANGE: Partial<Record<DType, [number, number, string]>> = {
  int8: [-128, 127, 'int8_t'],
  int16: [-32768, 32767, 'int16_t'],
  int32: [-2147483648, 2147483647, 'int'],
  uint8: [0, 255, 'uint8_t'],
};

/**
 * PyTorch's checked conversion of a Python number into an integer dtype (c10::checked_convert), used where a
 * number is written into a tensor (torch.tensor, full, fill_, masked_fill, setitem): out of range raises
 * "value cannot be converted to type int8 without overflow" (`cName` picks the C type name, 'int8_t', that
 * the fill ops print). Integral numbers act as Python ints, which may be negative for uint8 (they wrap);
 * others as floats, which must lie in [min, max]. int64 and floating dtypes are not checked.
 */
export function checkScalarFits(x: number, d: DType, cName = false): void {
  const r = INT_RANGE[d];
  if (!r) return;
  const [lo, hi, c] = r;
  const fits = Number.isInteger(x) ? x <= hi && (d === 'uint8' ? x >= -hi : x >= lo) : x >= lo && x <= hi;
  if (!fits) throw new RangeError(`value cannot be converted to type ${cName ? c : d} without overflow`);
}

// PyTorch's promotion table is a linear order bool < uint8, int8 < int16 < int32 < int64 < float16 < float32 <
// float64 except for the one incomparable pair: uint8 and int8 promote to int16 (the smallest type holding both).
const RANK: Record<DType, number> = { bool: 0, uint8: 1, int8: 1, int16: 2, int32: 3, int64: 4, float16: 5, float32: 6, float64: 7 };

/** torch.promote_types for two dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  if ((a === 'uint8' && b === 'int8') || (a === 'int8' && b === 'uint8')) return 'int16';
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
    float16: 'HalfTensor',
    int64: 'LongTensor',
    int32: 'IntTensor',
    int16: 'ShortTensor',
    int8: 'CharTensor',
    uint8: 'ByteTensor',
    bool: 'BoolTensor',
  };
  return `torch.${m[d]}`;
}

/** PyTorch's ScalarType name ('Float', 'Long'), used in error messages. */
export function scalarTypeName(d: DType): string {
  const m: Record<DType, string> = {
    float32: 'Float',
    float64: 'Double',
    float16: 'Half',
    int64: 'Long',
    int32: 'Int',
    int16: 'Short',
    int8: 'Char',
    uint8: 'Byte',
    bool: 'Bool',
  };
  return m[d];
}
