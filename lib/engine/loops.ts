// Compiled elementwise loops (the only place elementwise ops touch raw arrays). Each op is one JS expression,
// compiled once into its own loop function (so V8 specializes it) that runs over one strided row at a time: no closure or allocation per element.
import type { TypedArray } from './dtype.ts';

const SQRT_PI_INV2 = 2 / Math.sqrt(Math.PI);

/** erf to ~1e-15 relative: the everywhere-positive series 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1} / (2n+1)!!. */
export function erf(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  let term = ax,
    sum = ax;
  const x2 = ax * ax;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const r = SQRT_PI_INV2 * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}

/** Python-style remainder: the result takes the sign of the divisor. */
export function pyRemainder(x: number, y: number): number {
  const r = x % y;
  return r !== 0 && r < 0 !== y < 0 ? r + y : r;
}

/**
 * PyTorch's floor division (div_floor_floating): fmod-based so it is exact, computed in float32 when f32 is set.
 */
export function divFloor(a: number, b: number, f32: number): number {
  const r = f32 ? Math.fround : (x: number) => x;
  if (b === 0) return a / b;
  const mod = a % b;
  let div = r(r(a - mod) / b);
  if (mod !== 0 && b < 0 !== mod < 0) div = r(div - 1);
  if (div === 0) return Math.sign(a / b) < 0 || Object.is(a / b, -0) ? -0 : 0;
  let fd = Math.floor(div);
  if (r(div - fd) > 0.5) fd += 1;
  return fd;
}

/** Integer power as C++ computes it: negative exponents give 0 except for bases 1 and -1. */
export function intPow(a: number, b: number): number {
  if (b >= 0) return Math.pow(a, b);
  if (a === 1) return 1;
  if (a === -1) return b % 2 === 0 ? 1 : -1;
  if (a === 0) throw new RangeError('ZeroDivisionError: 0 cannot be raised to a negative power');
  return 0;
}

/** Helpers visible to kernel expressions as `H.name`. */
const H = { erf, rem: pyRemainder, divFloor, intPow };

export type UnaryKernel = (o: TypedArray, op: number, a: TypedArray, ap: number, as: number, n: number, p: number, q: number) => void;
export type BinaryKernel = (
  o: TypedArray,
  op: number,
  a: TypedArray,
  ap: number,
  as: number,
  b: TypedArray,
  bp: number,
  bs: number,
  n: number,
  p: number,
) => void;

/** Unary expressions over `x` with parameters `p`, `q`. */
export const UNARY = {
  neg: '-x',
  abs: 'Math.abs(x)',
  exp: 'Math.exp(x)',
  log: 'Math.log(x)',
  log2: 'Math.log2(x)',
  log10: 'Math.log10(x)',
  log1p: 'Math.log1p(x)',
  expm1: 'Math.expm1(x)',
  sqrt: 'Math.sqrt(x)',
  rsqrt: '1 / Math.sqrt(x)',
  sin: 'Math.sin(x)',
  cos: 'Math.cos(x)',
  tan: 'Math.tan(x)',
  tanh: 'Math.tanh(x)',
  asin: 'Math.asin(x)',
  acos: 'Math.acos(x)',
  atan: 'Math.atan(x)',
  sinh: 'Math.sinh(x)',
  cosh: 'Math.cosh(x)',
  erf: 'H.erf(x)',
  sigmoid: '1 / (1 + Math.exp(-x))',
  relu: '(x > 0 || x !== x) ? x : 0',
  sign: 'x > 0 ? 1 : (x < 0 ? -1 : 0)',
  floor: 'Math.floor(x)',
  ceil: 'Math.ceil(x)',
  trunc: 'Math.trunc(x)',
  frac: 'x - Math.trunc(x)',
  round: '(Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x))',
  reciprocal: '1 / x',
  square: 'x * x',
  leakyRelu: 'x > 0 ? x : x * p',
  elu: 'x > 0 ? x : p * Math.expm1(x)',
  gelu: '0.5 * x * (1 + H.erf(x * Math.SQRT1_2))',
  geluTanh: '0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))',
  softplus: 'x * p > q ? x : Math.log1p(Math.exp(x * p)) / p',
  silu: 'x / (1 + Math.exp(-x))',
  hardtanh: 'x < p ? p : (x > q ? q : x)',
  clamp: 'Math.min(Math.max(x, p), q)',
  powScalar: 'Math.pow(x, p)',
  rpowScalar: 'Math.pow(p, x)',
  mulScalar: 'x * p',
  addScalar: 'x + p',
  logicalNot: 'x === 0 ? 1 : 0',
  isnan: 'x !== x ? 1 : 0',
  isinf: '(x === Infinity || x === -Infinity) ? 1 : 0',
  isfinite: 'Number.isFinite(x) ? 1 : 0',
  nanToNum: 'x !== x ? p : x',
  // derivative factors (used by gradient rules; not differentiable themselves)
  dRelu: 'x > 0 ? 1 : 0',
  dLeakyRelu: 'x > 0 ? 1 : p',
  dElu: 'x > 0 ? 1 : p * Math.exp(x)',
  dGelu: '0.5 * (1 + H.erf(x * Math.SQRT1_2)) + x * 0.3989422804014327 * Math.exp(-0.5 * x * x)',
  dGeluTanh: '(function(){ return 0; })()', // replaced below (needs two statements)
  dSoftplus: 'x * p > q ? 1 : 1 / (1 + Math.exp(-x * p))',
  dSilu: '(1 / (1 + Math.exp(-x))) * (1 + x * (1 - 1 / (1 + Math.exp(-x))))',
  dHardtanh: '(x <= p || x >= q) ? 0 : 1',
  clampMask: '(x >= p && x <= q) ? 1 : 0',
  dAbs: 'x > 0 ? 1 : (x < 0 ? -1 : 0)',
} as const;
export type UnaryName = keyof typeof UNARY;

/** Binary expressions over `x`, `y` with parameter `p` (alpha). */
export const BINARY = {
  add: 'x + y',
  addAlpha: 'x + p * y',
  sub: 'x - y',
  subAlpha: 'x - p * y',
  mul: 'x * y',
  div: 'x / y',
  divFloor: 'H.divFloor(x, y, p)',
  divTrunc: 'Math.trunc(p ? Math.fround(x / y) : x / y)',
  powInt: 'H.intPow(x, y)',
  remainder: 'H.rem(x, y)',
  fmod: 'x % y',
  pow: 'Math.pow(x, y)',
  atan2: 'Math.atan2(x, y)',
  maximum: '(x !== x || y !== y) ? NaN : (x > y ? x : y)',
  minimum: '(x !== x || y !== y) ? NaN : (x < y ? x : y)',
  fmax: 'y !== y ? x : (x > y || x !== x ? (x !== x ? y : x) : y)',
  fmin: 'y !== y ? x : (x < y || x !== x ? (x !== x ? y : x) : y)',
  eq: 'x === y ? 1 : 0',
  ne: 'x !== y ? 1 : 0',
  lt: 'x < y ? 1 : 0',
  le: 'x <= y ? 1 : 0',
  gt: 'x > y ? 1 : 0',
  ge: 'x >= y ? 1 : 0',
  logicalAnd: '(x !== 0 && y !== 0) ? 1 : 0',
  logicalOr: '(x !== 0 || y !== 0) ? 1 : 0',
  logicalXor: '((x !== 0) !== (y !== 0)) ? 1 : 0',
  // gradient helpers
  maxTieMask: 'x > y ? 1 : (x === y ? 0.5 : 0)',
  minTieMask: 'x < y ? 1 : (x === y ? 0.5 : 0)',
  powExpGrad: '(x === 0 && y >= 0) ? 0 : Math.pow(x, y) * Math.log(x)',
} as const;
export type BinaryName = keyof typeof BINARY;

const TANH_GELU_D =
  'const u = 0.7978845608028654 * (x + 0.044715 * x * x * x); const t = Math.tanh(u); ' +
  'r = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * 0.7978845608028654 * (1 + 3 * 0.044715 * x * x);';

const unaryCache = new Map<string, UnaryKernel>();
const binaryCache = new Map<string, BinaryKernel>();

function compile<T>(params: string, body: string): T {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- kernel bodies are fixed strings from this file (never user input), compiled once per op into monomorphic loops
  return new Function('H', `"use strict"; return function (${params}) { ${body} };`)(H) as T;
}

/**
 * The compiled loop for a unary op; `boolOut` stores x != 0 as 0/1. `types` (the storage classes involved) gives
 * each combination its own function instance, so V8 sees one array type per access site (monomorphic loops).
 */
export function unaryKernel(name: UnaryName, boolOut = false, types = ''): UnaryKernel {
  const key = name + (boolOut ? '!' : '') + types;
  let k = unaryCache.get(key);
  if (!k) {
    const value = boolOut ? '(r !== 0 ? 1 : 0)' : 'r';
    const stmt = name === 'dGeluTanh' ? TANH_GELU_D : `r = ${UNARY[name]};`;
    // Unit stride gets its own loop (one index, fewer bounds checks); the strided loop covers the rest.
    k = compile<UnaryKernel>(
      'o, op, a, ap, as, n, p, q',
      `if (as === 1) { for (let i = 0; i < n; i++) { const x = a[ap + i]; let r; ${stmt} o[op + i] = ${value}; } return; }
       for (let i = 0; i < n; i++) { const x = a[ap]; let r; ${stmt} o[op + i] = ${value}; ap += as; }`,
    );
    unaryCache.set(key, k);
  }
  return k;
}

/** The compiled loop for a binary op; `boolOut` stores x != 0 as 0/1; `types` as for unaryKernel. */
export function binaryKernel(name: BinaryName, boolOut = false, types = ''): BinaryKernel {
  const key = name + (boolOut ? '!' : '') + types;
  let k = binaryCache.get(key);
  if (!k) {
    const expr = boolOut ? `((${BINARY[name]}) !== 0 ? 1 : 0)` : BINARY[name];
    // Contiguous operands and the scalar-broadcast case get their own loops; the strided loop covers the rest.
    k = compile<BinaryKernel>(
      'o, op, a, ap, as, b, bp, bs, n, p',
      `if (as === 1 && bs === 1) { for (let i = 0; i < n; i++) { const x = a[ap + i], y = b[bp + i]; o[op + i] = ${expr}; } return; }
       if (as === 1 && bs === 0) { const y = b[bp]; for (let i = 0; i < n; i++) { const x = a[ap + i]; o[op + i] = ${expr}; } return; }
       for (let i = 0; i < n; i++) { const x = a[ap], y = b[bp]; o[op + i] = ${expr}; ap += as; bp += bs; }`,
    );
    binaryCache.set(key, k);
  }
  return k;
}
