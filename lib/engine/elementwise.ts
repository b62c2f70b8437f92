// Elementwise ops: unary, binary (broadcasting, PyTorch type promotion), where, clamp, and in-place application.
import { allocate, isFloating, resultType, toFloatingType, castScalar, type DType, scalarTypeName } from './dtype.ts';
import {
  broadcastShapes,
  broadcastStrides,
  contiguousStrides,
  isContiguousLayout,
  numelOf,
  RowIter,
  shapeStr,
  copyStrided,
} from './layout.ts';
import { unaryKernel, binaryKernel, type UnaryName, type BinaryName } from './loops.ts';
import { Tensor } from './tensor.ts';
import { record, clock, needsGrad, isGradEnabled } from './graph.ts';

/** A tensor or a Python-style number (integral numbers act as Python ints, others as floats). */
export type Operand = Tensor | number | boolean;

/** Wrap a number as a 0-dim "wrapped number" tensor (it loses type-promotion contests against real tensors). */
export function scalarOperand(x: number | boolean, dtype?: DType): Tensor {
  const d: DType = dtype ?? (typeof x === 'boolean' ? 'bool' : Number.isInteger(x) ? 'int64' : 'float64');
  const st = allocate(d, 1);
  st[0] = castScalar(Number(x), d);
  const t = new Tensor(st, [], [], 0, d);
  t._wrapped = true;
  return t;
}

export function asTensor(x: Operand): Tensor {
  return x instanceof Tensor ? x : scalarOperand(x);
}

function promote(...ts: Tensor[]): DType {
  return resultType(ts.map((t) => ({ dtype: t.dtype, dim: t.shape.length, wrapped: t._wrapped })));
}

/** A single-element operand cast to the compute dtype (PyTorch casts scalars before computing). */
function castSmall(t: Tensor, d: DType): Tensor {
  if (t.dtype === d) return t;
  // PyTorch casts every operand to the common dtype first: an int16 2941 becomes the half 2940 before a float16 add.
  if (d === 'float16') return toHalfCopy(t);
  if (t.numel() !== 1 || !isFloating(d)) return t;
  const st = allocate(d, 1);
  st[0] = castScalar(t.storage[t.offset]!, d);
  return new Tensor(
    st,
    t.shape,
    t.shape.map(() => 0),
    0,
    d,
  );
}

/** A contiguous float16 copy of `t` (its values rounded to half by the Tensor constructor). */
function toHalfCopy(t: Tensor): Tensor {
  const src = t.dataSync();
  const st = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) st[i] = src[i]!;
  return new Tensor(st, t.shape, contiguousStrides(t.shape), 0, 'float16');
}

// ---- raw forward loops ------------------------------------------------------------------------------

/** out = f(x) into a fresh contiguous tensor of `outDtype`. */
export function unaryRaw(name: UnaryName, x: Tensor, outDtype: DType, p = 0, q = 0): Tensor {
  const n = x.numel();
  const out = allocate(outDtype, n);
  const k = unaryKernel(name, outDtype === 'bool', out.constructor.name + x.storage.constructor.name);
  if (n > 0) {
    if (isContiguousLayout(x.shape, x.strides)) k(out, 0, x.storage, x.offset, 1, n, p, q);
    else {
      const it = new RowIter(x.shape, x.strides, x.offset);
      let op = 0;
      do {
        k(out, op, x.storage, it.p0, it.s0, it.len, p, q);
        op += it.len;
      } while (it.next());
    }
  }
  return Tensor.fromTypedArray(out, [...x.shape], outDtype);
}

/** out = f(a, b) with broadcasting into a fresh contiguous tensor of `outDtype` (inputs read as numbers). */
export function binaryRaw(name: BinaryName, a: Tensor, b: Tensor, outDtype: DType, p = 0, opName: string = name, into?: Tensor): Tensor {
  const shape = sameShape(a.shape, b.shape) ? [...a.shape] : broadcastShapes(a.shape, b.shape, opName);
  const n = numelOf(shape);
  // `into` (contiguous, of this shape and dtype) receives the result in place of a fresh array.
  const out = into ? into.storage.subarray(into.offset, into.offset + n) : allocate(outDtype, n);
  const k = binaryKernel(name, outDtype === 'bool', out.constructor.name + a.storage.constructor.name + b.storage.constructor.name);
  if (n > 0) {
    const aFlat = flatStride(a, shape),
      bFlat = flatStride(b, shape);
    if (aFlat >= 0 && bFlat >= 0) k(out, 0, a.storage, a.offset, aFlat, b.storage, b.offset, bFlat, n, p);
    else {
      const it = new RowIter(
        shape,
        broadcastStrides(a.shape, a.strides, shape),
        a.offset,
        broadcastStrides(b.shape, b.strides, shape),
        b.offset,
      );
      let op = 0;
      do {
        k(out, op, a.storage, it.p0, it.s0, b.storage, it.p1, it.s1, it.len, p);
        op += it.len;
      } while (it.next());
    }
  }
  return into ?? Tensor.fromTypedArray(out, shape, outDtype);
}

/**
 * self = self (op) other computed straight into self's storage, when no graph is needed and the result keeps
 * self's dtype and shape (optimizer updates, no_grad parameter edits): no temporary. False when it does not apply.
 */
export function tryInplaceBinary(self: Tensor, name: BinaryName, other: Tensor, p = 0): boolean {
  if (needsGrad(self, other) || !isFloating(self.dtype) || !self.isContiguous()) return false;
  if (promote(self, other) !== self.dtype) return false;
  if (!sameShape(self.shape, other.shape)) {
    const shape = broadcastShapes(self.shape, other.shape, name);
    if (!sameShape(shape, self.shape)) return false;
  }
  // Reading other while writing self is only safe when they do not overlap differently.
  if (other.storage === self.storage && !(other.offset === self.offset && sameShape(other.shape, self.shape) && other.isContiguous()))
    return false;
  binaryRaw(name, self, castSmall(other, self.dtype), self.dtype, p, name, self);
  self._bumpVersion();
  return true;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** 1 when `t` can be read flat over `shape` (contiguous, same numel), 0 when it is a single element, else -1. */
function flatStride(t: Tensor, shape: readonly number[]): number {
  if (t.numel() === 1) return 0;
  if (sameShape(t.shape, shape) && isContiguousLayout(t.shape, t.strides)) return 1;
  return -1;
}

// ---- unary ops ----------------------------------------------------------------------------------

type FloatUnary =
  | 'exp'
  | 'log'
  | 'log2'
  | 'log10'
  | 'log1p'
  | 'expm1'
  | 'sqrt'
  | 'rsqrt'
  | 'sin'
  | 'cos'
  | 'tan'
  | 'tanh'
  | 'sigmoid'
  | 'reciprocal'
  | 'asin'
  | 'acos'
  | 'atan'
  | 'sinh'
  | 'cosh'
  | 'erf';
const FLOAT_UNARY_NAMES: Record<FloatUnary, string> = {
  exp: 'ExpBackward0',
  log: 'LogBackward0',
  log2: 'Log2Backward0',
  log10: 'Log10Backward0',
  log1p: 'Log1PBackward0',
  expm1: 'Expm1Backward0',
  sqrt: 'SqrtBackward0',
  rsqrt: 'RsqrtBackward0',
  sin: 'SinBackward0',
  cos: 'CosBackward0',
  tan: 'TanBackward0',
  tanh: 'TanhBackward0',
  sigmoid: 'SigmoidBackward0',
  reciprocal: 'ReciprocalBackward0',
  asin: 'AsinBackward0',
  acos: 'AcosBackward0',
  atan: 'AtanBackward0',
  sinh: 'SinhBackward0',
  cosh: 'CoshBackward0',
  erf: 'ErfBackward0',
};

/** Unary ops whose result is floating even for integer input (torch.exp(int) is float32). */
export function floatUnary(name: FloatUnary, x: Tensor): Tensor {
  const t0 = clock();
  const out = unaryRaw(name, x, toFloatingType(x.dtype));
  // Rules that reuse the output save it; the rest save the input.
  const savesOut =
    name === 'exp' ||
    name === 'sqrt' ||
    name === 'rsqrt' ||
    name === 'tanh' ||
    name === 'sigmoid' ||
    name === 'reciprocal' ||
    name === 'expm1' ||
    name === 'tan';
  record(name, FLOAT_UNARY_NAMES[name], [x], [out], [savesOut ? out : x], {}, t0);
  return out;
}

type SameUnary = 'neg' | 'abs' | 'sign' | 'floor' | 'ceil' | 'round' | 'trunc' | 'frac' | 'relu';
const SAME_UNARY_NAMES: Record<SameUnary, string> = {
  neg: 'NegBackward0',
  abs: 'AbsBackward0',
  sign: 'SignBackward0',
  floor: 'FloorBackward0',
  ceil: 'CeilBackward0',
  round: 'RoundBackward0',
  trunc: 'TruncBackward0',
  frac: 'FracBackward0',
  relu: 'ReluBackward0',
};

/** Unary ops that keep the input dtype (neg, abs, floor, relu...). */
export function sameUnary(name: SameUnary, x: Tensor): Tensor {
  if (name === 'neg' && x.dtype === 'bool') {
    throw new TypeError(
      'neg: Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
    );
  }
  const t0 = clock();
  // Rounding an integer tensor is the identity.
  const intNoop = !isFloating(x.dtype) && (name === 'floor' || name === 'ceil' || name === 'round' || name === 'trunc');
  const out = intNoop ? x.clone() : unaryRaw(name, x, x.dtype);
  const rule = name === 'neg' ? 'neg' : name === 'abs' ? 'abs' : name === 'relu' ? 'relu' : name === 'frac' ? 'passthrough' : 'zeroGrad';
  record(rule, SAME_UNARY_NAMES[name], [x], [out], [name === 'relu' ? out : x], {}, t0, name);
  return out;
}

function requireFloat(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) throw new TypeError(`${op}: expected a floating point tensor, got ${x.dtype} (shape ${shapeStr(x.shape)})`);
}

/** Activation functions with one home each (F.leaky_relu, F.elu, F.gelu, F.softplus, F.silu, F.hardtanh). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const t0 = clock();
  const out = unaryRaw('leakyRelu', x, x.dtype, negativeSlope);
  record('leakyRelu', 'LeakyReluBackward0', [x], [out], [x], { slope: negativeSlope }, t0);
  return out;
}
export function elu(x: Tensor, alpha = 1): Tensor {
  requireFloat('elu', x);
  const t0 = clock();
  const out = unaryRaw('elu', x, x.dtype, alpha);
  record('elu', 'EluBackward0', [x], [out], [x], { alpha }, t0);
  return out;
}
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  requireFloat('gelu', x);
  const t0 = clock();
  const out = unaryRaw(approximate === 'tanh' ? 'geluTanh' : 'gelu', x, x.dtype);
  record('gelu', 'GeluBackward0', [x], [out], [x], { approximate }, t0);
  return out;
}
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  requireFloat('softplus', x);
  const t0 = clock();
  const out = unaryRaw('softplus', x, x.dtype, beta, threshold);
  record('softplus', 'SoftplusBackward0', [x], [out], [x], { beta, threshold }, t0);
  return out;
}
export function silu(x: Tensor): Tensor {
  requireFloat('silu', x);
  const t0 = clock();
  const out = unaryRaw('silu', x, x.dtype);
  record('silu', 'SiluBackward0', [x], [out], [x], {}, t0);
  return out;
}
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  const t0 = clock();
  const out = unaryRaw('hardtanh', x, x.dtype, minVal, maxVal);
  record('hardtanh', 'HardtanhBackward0', [x], [out], [x], { min: minVal, max: maxVal }, t0);
  return out;
}

/** torch.clamp with number bounds (ClampBackward1) or tensor bounds (ClampBackward0). */
export function clamp(x: Tensor, min?: Operand | null, max?: Operand | null, name = 'ClampBackward1'): Tensor {
  if (min == null && max == null) throw new TypeError("clamp: At least one of 'min' or 'max' must not be None");
  if (min instanceof Tensor || max instanceof Tensor) {
    const t0 = clock();
    const lo = min == null ? null : asTensor(min),
      hi = max == null ? null : asTensor(max);
    const d = promote(x, ...(lo ? [lo] : []), ...(hi ? [hi] : []));
    let out = x.dtype === d ? x : x.detach().to(d);
    if (lo) out = binaryRaw('maximum', out, castSmall(lo, d), d, 0, 'clamp');
    if (hi) out = binaryRaw('minimum', out, castSmall(hi, d), d, 0, 'clamp');
    record('clampTensor', 'ClampBackward0', [x, lo, hi], [out], [x, lo, hi], {}, t0, 'clamp');
    return out;
  }
  const t0 = clock();
  const isFloatBound = (v: Operand | null | undefined) => typeof v === 'number' && !Number.isInteger(v);
  const d = !isFloating(x.dtype) && (isFloatBound(min) || isFloatBound(max)) ? 'float32' : x.dtype;
  const lo = min == null ? -Infinity : Number(min),
    hi = max == null ? Infinity : Number(max);
  const out = unaryRaw('clamp', x, d, lo, hi);
  record('clamp', name, [x], [out], [x], { min: lo, max: hi }, t0);
  return out;
}

// ---- binary ops -----------------------------------------------------------------------------------

function checkBool(op: string, a: Tensor, b: Tensor, what: string): void {
  if (a.dtype === 'bool' && b.dtype === 'bool') throw new TypeError(`${op}: ${what} with two bool tensors is not supported.`);
}

/** torch.add(a, b, alpha): a + alpha * b. */
export function add(a: Operand, b: Operand, opts: { alpha?: number } = {}): Tensor {
  const ta = asTensor(a),
    tb = asTensor(b);
  const alpha = opts.alpha ?? 1;
  const t0 = clock();
  const d = promote(ta, tb);
  const out =
    alpha === 1
      ? binaryRaw('add', castSmall(ta, d), castSmall(tb, d), d, 0, 'add')
      : binaryRaw('addAlpha', castSmall(ta, d), castSmall(tb, d), d, alpha, 'add');
  record('add', 'AddBackward0', [ta, tb], [out], [], { alpha }, t0);
  return out;
}

/** torch.sub(a, b, alpha): a - alpha * b. */
export function sub(a: Operand, b: Operand, opts: { alpha?: number } = {}): Tensor {
  const ta = asTensor(a),
    tb = asTensor(b);
  checkBool('sub', ta, tb, 'Subtraction, the `-` operator,');
  const alpha = opts.alpha ?? 1;
  const t0 = clock();
  const d = promote(ta, tb);
  const out =
    alpha === 1
      ? binaryRaw('sub', castSmall(ta, d), castSmall(tb, d), d, 0, 'sub')
      : binaryRaw('subAlpha', castSmall(ta, d), castSmall(tb, d), d, alpha, 'sub');
  record('add', 'SubBackward0', [ta, tb], [out], [], { alpha: -alpha }, t0, 'sub');
  return out;
}

/** torch.rsub(a, b, alpha): b - alpha * a. */
export function rsub(a: Operand, b: Operand, opts: { alpha?: number } = {}): Tensor {
  const ta = asTensor(a),
    tb = asTensor(b);
  const alpha = opts.alpha ?? 1;
  const t0 = clock();
  const d = promote(ta, tb);
  const out = binaryRaw('subAlpha', castSmall(tb, d), castSmall(ta, d), d, alpha, 'rsub');
  // The Scalar overloads (a Python number operand) have no edge for the number, as in PyTorch.
  record('rsub', tb._wrapped ? 'RsubBackward1' : 'RsubBackward0', tb._wrapped ? [ta] : [ta, tb], [out], [], { alpha }, t0);
  return out;
}

export function mul(a: Operand, b: Operand): Tensor {
  const ta = asTensor(a),
    tb = asTensor(b);
  const t0 = clock();
  const d = promote(ta, tb);
  const out = binaryRaw('mul', castSmall(ta, d), castSmall(tb, d), d, 0, 'mul');
  if (needsGrad(ta, tb)) record('mul', 'MulBackward0', [ta, tb], [out], [tb.requiresGrad ? ta : null, ta.requiresGrad ? tb : null], {}, t0);
  return out;
}

export type RoundingMode = 'trunc' | 'floor' | null | undefined;

/** torch.div: true division (int/int gives float), or rounded with roundingMode 'trunc' | 'floor'. */
export function div(a: Operand, b: Operand, opts: { roundingMode?: RoundingMode } = {}): Tensor {
  const ta = asTensor(a),
    tb = asTensor(b);
  const t0 = clock();
  const mode = opts.roundingMode ?? null;
  const d = promote(ta, tb);
  if (mode === null) {
    const fd = toFloatingType(d);
    const out = binaryRaw('div', castSmall(ta, fd), castSmall(tb, fd), fd, 0, 'div');
    if (needsGrad(ta, tb)) record('div', 'DivBackward0', [ta, tb], [out], [tb.requiresGrad ? ta : null, tb], {}, t0);
    return out;
  }
  if (!isFloating(d)) {
    const bs = tb.dataSync();
    for (let i = 0; i < bs.length; i++) if (bs[i] === 0) throw new RangeError('ZeroDivisionError: integer division by zero');
  }
  const out = binaryRaw(mode === 'floor' ? 'divFloor' : 'divTrunc', castSmall(ta, d), castSmall(tb, d), d, d === 'float32' ? 1 : 0, 'div');
  record('zeroGrad2', 'DivBackward2', [ta, tb], [out], [], {}, t0, 'div');
  return out;
}

export function floorDivide(a: Operand, b: Operand): Tensor {
  return div(a, b, { roundingMode: 'floor' });
}

function simpleBinary(name: 'remainder' | 'fmod' | 'atan2', gradName: string, a: Operand, b: Operand): Tensor {
  const ta = asTensor(a),
    tb = asTensor(b);
  // PyTorch: a number divisor is the *Backward0 overload, a tensor divisor *Backward1.
  if (name !== 'atan2' && !tb._wrapped) gradName = gradName.replace(/0$/, '1');
  const t0 = clock();
  let d = promote(ta, tb);
  if (name === 'atan2') d = toFloatingType(d);
  const out = binaryRaw(name, castSmall(ta, d), castSmall(tb, d), d, 0, name);
  const scalarOverload = name !== 'atan2' && tb._wrapped;
  record(
    name === 'atan2' ? 'atan2' : 'remainder',
    gradName,
    scalarOverload ? [ta] : [ta, tb],
    [out],
    [ta, tb],
    { fmod: name === 'fmod' },
    t0,
    name,
  );
  return out;
}
/** Python-style modulo: sign of the divisor. */
export function remainder(a: Operand, b: Operand): Tensor {
  return simpleBinary('remainder', 'RemainderBackward0', a, b);
}
/** C-style modulo: sign of the dividend. */
export function fmod(a: Operand, b: Operand): Tensor {
  return simpleBinary('fmod', 'FmodBackward0', a, b);
}
export function atan2(a: Operand, b: Operand): Tensor {
  return simpleBinary('atan2', 'Atan2Backward0', a, b);
}

/**
 * torch.pow: tensor ** number (PowBackward0), tensor ** tensor (PowBackward1), number ** tensor (PowBackward2, as
 * torch.pow(2, x)). `reflected` is Python's `2 ** x` (Tensor.__rpow__), which PyTorch 1.13 records as PowBackward1.
 */
export function pow(a: Operand, b: Operand, opts: { reflected?: boolean } = {}): Tensor {
  const t0 = clock();
  if (a instanceof Tensor && !(b instanceof Tensor)) {
    const e = Number(b);
    const isFloatExp = !Number.isInteger(e);
    const d = isFloatExp ? toFloatingType(a.dtype) : a.dtype;
    if (!isFloating(d) && e < 0) throw new RangeError('pow: Integers to negative integer powers are not allowed.');
    const out = e === 2 ? unaryRaw('square', a, d) : unaryRaw('powScalar', a, d, e);
    record('powScalar', 'PowBackward0', [a], [out], [a], { exponent: e }, t0);
    return out;
  }
  const ta = asTensor(a),
    tb = asTensor(b);
  const d = promote(ta, tb);
  const out = binaryRaw(isFloating(d) ? 'pow' : 'powInt', castSmall(ta, d), castSmall(tb, d), d, 0, 'pow');
  const scalarBase = !(a instanceof Tensor) && !opts.reflected;
  record('pow', scalarBase ? 'PowBackward2' : 'PowBackward1', [ta, tb], [out], [ta, tb, out], {}, t0);
  return out;
}

function minmax(name: 'maximum' | 'minimum', a: Tensor, b: Tensor): Tensor {
  const t0 = clock();
  const d = promote(a, b);
  const out = binaryRaw(name, castSmall(a, d), castSmall(b, d), d, 0, name);
  record(name, name === 'maximum' ? 'MaximumBackward0' : 'MinimumBackward0', [a, b], [out], [a, b], {}, t0);
  return out;
}
export function maximum(a: Tensor, b: Tensor): Tensor {
  return minmax('maximum', a, b);
}
export function minimum(a: Tensor, b: Tensor): Tensor {
  return minmax('minimum', a, b);
}

export type CompareName = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
/** Comparisons compute in the promoted dtype and return bool. */
export function compare(name: CompareName, a: Operand, b: Operand): Tensor {
  const ta = asTensor(a),
    tb = asTensor(b);
  const d = promote(ta, tb);
  return binaryRaw(name, castSmall(ta, d), castSmall(tb, d), 'bool', 0, name);
}

export function logical(name: 'logicalAnd' | 'logicalOr' | 'logicalXor', a: Operand, b: Operand): Tensor {
  return binaryRaw(name, asTensor(a), asTensor(b), 'bool', 0, name);
}
export function logicalNot(x: Tensor): Tensor {
  return unaryRaw('logicalNot', x, 'bool');
}
export function isnan(x: Tensor): Tensor {
  return unaryRaw('isnan', x, 'bool');
}
export function isinf(x: Tensor): Tensor {
  return unaryRaw('isinf', x, 'bool');
}
export function isfinite(x: Tensor): Tensor {
  return unaryRaw('isfinite', x, 'bool');
}

/** torch.where(cond, a, b): broadcasts all three; gradient flows to a where cond, to b elsewhere. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const ta = asTensor(a),
    tb = asTensor(b);
  const t0 = clock();
  const d = promote(ta, tb);
  const shape = broadcastShapes(broadcastShapes(cond.shape, ta.shape, 'where'), tb.shape, 'where');
  const n = numelOf(shape);
  const out = allocate(d, n);
  const ca = castSmall(ta, d),
    cb = castSmall(tb, d);
  if (n > 0) {
    const it = new RowIter(
      shape,
      broadcastStrides(cond.shape, cond.strides, shape),
      cond.offset,
      broadcastStrides(ca.shape, ca.strides, shape),
      ca.offset,
      broadcastStrides(cb.shape, cb.strides, shape),
      cb.offset,
    );
    const cs = cond.storage,
      as = ca.storage,
      bs = cb.storage;
    const bool = d === 'bool';
    let o = 0;
    do {
      let pc = it.p0,
        pa = it.p1,
        pb = it.p2;
      for (let i = 0; i < it.len; i++) {
        const v = cs[pc] ? as[pa]! : bs[pb]!;
        out[o++] = bool ? (v !== 0 ? 1 : 0) : v;
        pc += it.s0;
        pa += it.s1;
        pb += it.s2;
      }
    } while (it.next());
  }
  const res = Tensor.fromTypedArray(out, shape, d);
  record('where', 'WhereBackward0', [ta, tb], [res], [cond], {}, t0);
  return res;
}

// ---- in-place application ---------------------------------------------------------------------------

/** PyTorch's can_cast: no float -> integral, no non-bool -> bool. */
function canCast(from: DType, to: DType): boolean {
  if (isFloating(from) && !isFloating(to)) return false;
  if (from !== 'bool' && to === 'bool') return false;
  return true;
}

/** Refuse in-place ops PyTorch refuses: on a leaf that requires grad (while grad mode is on). */
export function checkInPlace(self: Tensor, op: string): void {
  if (!isGradEnabled()) return;
  if (self.isLeaf && self.requiresGrad) {
    throw new Error(`${op}: a leaf Variable that requires grad is being used in an in-place operation.`);
  }
  const base = self._base;
  if (base && base.isLeaf && base.requiresGrad) {
    throw new Error(`${op}: a view of a leaf Variable that requires grad is being used in an in-place operation.`);
  }
}

/**
 * Write `result` (computed out of place, possibly with a graph node) into `self`, bump its version and,
 * when the result carries history, make that history self's (PyTorch's rebase_history).
 */
/** PyTorch refuses writes into views where several elements share one memory location (expanded dims). */
export function checkNoOverlap(self: Tensor, op: string): void {
  if (self.strides.some((st, i) => st === 0 && self.shape[i]! > 1)) {
    throw new Error(
      `${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.`,
    );
  }
}

export function commitInPlace(self: Tensor, result: Tensor, op: string, anyCast = false): Tensor {
  checkNoOverlap(self, op);
  if (!anyCast && !canCast(result.dtype, self.dtype)) {
    throw new TypeError(
      `${op}: result type ${scalarTypeName(result.dtype)} can't be cast to the desired output type ${scalarTypeName(self.dtype)}`,
    );
  }
  if (!sameShape(result.shape, self.shape)) {
    const bshape = broadcastShapes(self.shape, result.shape, op);
    if (!sameShape(bshape, self.shape)) {
      throw new RangeError(`${op}: output with shape ${shapeStr(self.shape)} doesn't match the broadcast shape ${shapeStr(bshape)}`);
    }
  }
  const src = sameShape(result.shape, self.shape) ? result.strides : broadcastStrides(result.shape, result.strides, self.shape);
  copyStrided(
    result.storage,
    result.offset,
    src,
    self.shape,
    self.storage,
    self.offset,
    self.strides,
    self.dtype,
    isFloating(result.dtype),
  );
  self._bumpVersion();
  if (result.gradFn) {
    self.gradFn = result.gradFn;
    self.outputNr = result.outputNr;
  }
  // Writing through a view changes its base too: give the base a CopySlices node (PyTorch's rebase_history).
  const base = self._base;
  if (base && isGradEnabled() && (result.requiresGrad || base.requiresGrad)) {
    if (!base.isContiguous())
      throw new Error(`${op}: in-place modification of a view of a non-contiguous tensor that needs grad is not supported`);
    record(
      'copySlices',
      'CopySlices',
      [base, result],
      [base],
      [],
      { shape: [...self.shape], strides: [...self.strides], offset: self.offset - base.offset },
      0,
      op,
    );
    // The view itself now reads its history through the base (regenerated as AsStridedBackward0 when asked for).
    self._historyVersion = -1;
  }
  return self;
}
