// DataType enum values of TensorProto (proto/types.proto) that the decoder interprets.
export const DT = {
  INVALID: 0,
  FLOAT: 1,
  DOUBLE: 2,
  INT32: 3,
  UINT8: 4,
  INT16: 5,
  INT8: 6,
  STRING: 7,
  COMPLEX64: 8,
  INT64: 9,
  BOOL: 10,
  BFLOAT16: 14,
  UINT16: 17,
  COMPLEX128: 18,
  HALF: 19,
  UINT32: 22,
  UINT64: 23,
} as const;

const NAMES: Record<number, string> = {
  0: 'DT_INVALID',
  1: 'DT_FLOAT',
  2: 'DT_DOUBLE',
  3: 'DT_INT32',
  4: 'DT_UINT8',
  5: 'DT_INT16',
  6: 'DT_INT8',
  7: 'DT_STRING',
  8: 'DT_COMPLEX64',
  9: 'DT_INT64',
  10: 'DT_BOOL',
  14: 'DT_BFLOAT16',
  17: 'DT_UINT16',
  18: 'DT_COMPLEX128',
  19: 'DT_HALF',
  20: 'DT_RESOURCE',
  21: 'DT_VARIANT',
  22: 'DT_UINT32',
  23: 'DT_UINT64',
};

export function dtypeName(dtype: number): string {
  return NAMES[dtype] ?? `DT_${dtype}`;
}

/** Bytes per element in tensor_content, 0 for types without a fixed-size numeric layout. */
export function dtypeSize(dtype: number): number {
  switch (dtype) {
    case DT.FLOAT:
    case DT.INT32:
    case DT.UINT32:
      return 4;
    case DT.DOUBLE:
    case DT.INT64:
    case DT.UINT64:
      return 8;
    case DT.UINT8:
    case DT.INT8:
    case DT.BOOL:
      return 1;
    case DT.INT16:
    case DT.UINT16:
    case DT.HALF:
    case DT.BFLOAT16:
      return 2;
    default:
      return 0;
  }
}

/** IEEE half-precision bits to a double. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const bf16 = new DataView(new ArrayBuffer(4));
/** bfloat16 bits (the top half of a float32) to a double. */
export function bfloat16ToNumber(h: number): number {
  bf16.setUint32(0, (h & 0xffff) << 16);
  return bf16.getFloat32(0);
}
