// IEEE half precision (float16) as PyTorch stores it: rounding a float to the nearest half (ties to even), and the
// 16-bit encoding used by files (safetensors F16, numpy float16).

const HALF_MIN_NORMAL = 2 ** -14;
const HALF_SUBNORMAL_STEP = 2 ** -24;

/**
 * The float16 value nearest to `x` (a float32 value), ties to even: what c10::Half(float) stores. Values of
 * magnitude 65520 and above overflow to infinity; below 2^-14 the spacing is the subnormal step 2^-24.
 */
export function roundHalf(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const a = Math.abs(x);
  if (a >= 65520) return x > 0 ? Infinity : -Infinity;
  let step: number;
  if (a < HALF_MIN_NORMAL) step = HALF_SUBNORMAL_STEP;
  else {
    let e = Math.floor(Math.log2(a));
    // log2 can be off by one right at powers of two; correct it exactly.
    if (2 ** e > a) e--;
    else if (2 ** (e + 1) <= a) e++;
    step = 2 ** (e - 10);
  }
  const m = a / step; // exact: step is a power of two
  let r = Math.floor(m);
  const frac = m - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 === 1)) r++;
  const v = r * step;
  return x < 0 ? -v : v;
}

/** Round every element of a float16 tensor's storage to half precision (idempotent). */
export function roundHalfStorage(a: ArrayLike<number> & { [i: number]: number }): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    const r = roundHalf(v);
    // Skip the store for values already representable (the common case after the first rounding).
    if (r !== v && !(Number.isNaN(v) && Number.isNaN(r))) a[i] = r;
  }
}

/** The 16-bit pattern of the half nearest to `x`. NaN keeps its sign and becomes the quiet NaN 0x7e00. */
export function halfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const h = roundHalf(Math.fround(x));
  const sign = h < 0 || Object.is(h, -0) ? 0x8000 : 0;
  const a = Math.abs(h);
  if (a === Infinity) return sign | 0x7c00;
  if (a < HALF_MIN_NORMAL) return sign | (a / HALF_SUBNORMAL_STEP);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const mant = a / 2 ** e - 1; // in [0, 1), a multiple of 2^-10
  return sign | ((e + 15) << 10) | Math.round(mant * 1024);
}

/** The value of a 16-bit half pattern. */
export function halfFromBits(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}
