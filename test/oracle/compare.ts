// Shared by every oracle runner: the case type, decoding of the oracle's value encoding, and expectClose
// with the README's tolerance rules (dtype + shape exact, NaN == NaN, -0 == 0, integers exact).
import { Tensor, allocate, isDType, isFloating, type DType } from '../../lib/engine/index.ts';

/** One case of the oracle JSON (schema in /work/shared/oracle/README.md). */
export interface OracleCase {
  name: string;
  category: string;
  op: string;
  python: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  expected?: unknown;
  expected_error?: { type: string; message: string };
  grad_output?: unknown;
  expected_grads?: Record<string, unknown>;
  grad_fn?: unknown;
  tol: Tolerance;
  note?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  [key: string]: unknown;
}

export type Tolerance = { rtol: number; atol: number } | { exact: true };

/** An encoded tensor: flat data in row-major order. */
export interface EncodedTensor {
  dtype: DType;
  shape: number[];
  data: unknown[];
  requires_grad?: boolean;
  container?: string;
}

export function isEncodedTensor(v: unknown): v is EncodedTensor {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'data' in v && isDType((v as EncodedTensor).dtype);
}

/** 'nan' / 'inf' / '-inf' strings to numbers; booleans to 0/1; other numbers as they are. */
export function decodeNumber(x: unknown): number {
  if (x === 'nan') return NaN;
  if (x === 'inf') return Infinity;
  if (x === '-inf') return -Infinity;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'number') return x;
  throw new TypeError(`oracle: not a number: ${JSON.stringify(x)}`);
}

/** Decode a tensor (as a fresh leaf; `requires_grad` honoured unless told otherwise). */
export function decodeTensor(e: EncodedTensor, opts: { requiresGrad?: boolean } = {}): Tensor {
  const n = e.shape.reduce((a, b) => a * b, 1);
  if (e.data.length !== n) throw new RangeError(`oracle: tensor data has ${e.data.length} values for shape [${e.shape}]`);
  const st = allocate(e.dtype, n);
  for (let i = 0; i < n; i++) st[i] = decodeNumber(e.data[i]);
  const fresh = Tensor.fromTypedArray(st, e.shape, e.dtype);
  if (opts.requiresGrad ?? e.requires_grad) fresh.requiresGrad_(true);
  return fresh;
}

/** 'torch.float64' -> 'float64'. */
export function decodeDtype(s: unknown): DType | null {
  if (typeof s !== 'string' || !s.startsWith('torch.')) return null;
  const d = s.slice(6);
  const alias: Record<string, DType> = {
    float: 'float32',
    double: 'float64',
    half: 'float16',
    long: 'int64',
    int: 'int32',
    short: 'int16',
  };
  const r = alias[d] ?? d;
  return isDType(r) ? r : null;
}

/** A python slice from {"slice": [start, stop, step]}. */
export function decodeSlice(v: unknown): { start: number | null; stop: number | null; step: number | null } | null {
  if (typeof v !== 'object' || v === null || !('slice' in v)) return null;
  const [start, stop, step] = (v as { slice: (number | null)[] }).slice;
  return { start: start ?? null, stop: stop ?? null, step: step ?? null };
}

function within(a: number, e: number, tol: Tolerance): boolean {
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (!Number.isFinite(e)) return a === e;
  if ('exact' in tol) return a === e || (a === 0 && e === 0);
  return Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
}

/** Compare a tensor against an encoded expectation: dtype and shape exact, values within tol (integers exact). */
export function expectClose(actual: unknown, expected: EncodedTensor, tol: Tolerance, where = 'value'): void {
  if (!(actual instanceof Tensor)) throw new Error(`${where}: expected a tensor, got ${describe(actual)}`);
  if (actual.dtype !== expected.dtype) throw new Error(`${where}: dtype ${actual.dtype}, expected ${expected.dtype}`);
  if (actual.shape.length !== expected.shape.length || actual.shape.some((s, i) => s !== expected.shape[i])) {
    throw new Error(`${where}: shape [${actual.shape}], expected [${expected.shape}]`);
  }
  const got = actual.dataSync();
  const integral = !isFloating(expected.dtype);
  const bad: string[] = [];
  for (let i = 0; i < got.length; i++) {
    const e = decodeNumber(expected.data[i]);
    const ok = integral ? got[i] === e : within(got[i]!, e, tol);
    if (!ok && bad.length < 5) bad.push(`[${i}] got ${got[i]} expected ${e}`);
  }
  if (bad.length) throw new Error(`${where}: values differ (${JSON.stringify(tol)}): ${bad.join('; ')}`);
}

/** Compare any oracle value (tensor, named tuple, list, scalar, string) recursively. */
export function expectValue(actual: unknown, expected: unknown, tol: Tolerance, where = 'value'): void {
  if (isEncodedTensor(expected)) return expectClose(actual, expected, tol, where);
  if (expected === null) {
    if (actual !== null && actual !== undefined) throw new Error(`${where}: expected None, got ${describe(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    const arr = actual instanceof Tensor ? null : (actual as unknown[]);
    if (!Array.isArray(arr) || arr.length !== expected.length)
      throw new Error(`${where}: expected a list of ${expected.length}, got ${describe(actual)}`);
    expected.forEach((e, i) => expectValue(arr[i], e, tol, `${where}[${i}]`));
    return;
  }
  if (typeof expected === 'object') {
    const obj = actual as Record<string, unknown>;
    if (typeof obj !== 'object' || obj === null) throw new Error(`${where}: expected an object, got ${describe(actual)}`);
    for (const [k, e] of Object.entries(expected as Record<string, unknown>)) expectValue(obj[k], e, tol, `${where}.${k}`);
    return;
  }
  if (typeof expected === 'number' || expected === 'nan' || expected === 'inf' || expected === '-inf') {
    const a =
      actual instanceof Tensor
        ? Number(actual.item())
        : typeof actual === 'object' && actual !== null && 'v' in actual
          ? Number((actual as { v: number }).v)
          : actual;
    if (typeof a !== 'number' || !within(a, decodeNumber(expected), tol))
      throw new Error(`${where}: got ${describe(actual)}, expected ${expected}`);
    return;
  }
  if (actual !== expected) throw new Error(`${where}: got ${describe(actual)}, expected ${JSON.stringify(expected)}`);
}

export function describe(v: unknown): string {
  if (v instanceof Tensor) return `tensor ${v.dtype} [${v.shape}]`;
  try {
    return JSON.stringify(v)?.slice(0, 200) ?? String(v);
  } catch {
    return String(v);
  }
}
