// Runs the oracle's `transforms` and `data` cases through Board's data/vision code. Each runner
// returns the actual result in JS form (Tensor, arrays, plain objects); test/oracle/data.ts compares
// it with the case's `expected`.
import { Tensor } from '../../lib/engine/index.ts';
import type { DType } from '../../lib/engine/index.ts';
import { NDArray, PILImage } from '../../lib/vision/image.ts';
import type { ImageMode } from '../../lib/vision/image.ts';
import * as T from '../../lib/vision/transforms/index.ts';
import { makeGrid } from '../../lib/vision/utils.ts';
import { runDataPython } from './data-python.ts';

export interface OracleCase {
  name: string;
  category: string;
  op: string;
  python: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  ctor_args?: unknown[];
  ctor_kwargs?: Record<string, unknown>;
  transforms?: Array<{ op: string; ctor_args: unknown[]; ctor_kwargs: Record<string, unknown> }>;
  inputs?: Record<string, unknown>;
  expected?: unknown;
  expected_error?: { type: string; message: string };
  tol: { rtol?: number; atol?: number; exact?: boolean };
}

interface EncTensor {
  dtype: DType;
  shape: number[];
  data: Array<number | boolean | string>;
  container?: 'ndarray' | 'PIL';
  mode?: ImageMode;
}

const isEncTensor = (v: unknown): v is EncTensor => typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'data' in v;

function num(x: number | boolean | string): number {
  if (x === 'nan') return NaN;
  if (x === 'inf') return Infinity;
  if (x === '-inf') return -Infinity;
  return typeof x === 'boolean' ? (x ? 1 : 0) : (x as number);
}

function typed(e: EncTensor) {
  const vals = e.data.map(num);
  switch (e.dtype) {
    case 'float32':
      return Float32Array.from(vals);
    case 'float64':
    case 'int64':
      return Float64Array.from(vals);
    case 'int32':
      return Int32Array.from(vals);
    default:
      return Uint8Array.from(vals);
  }
}

/** Decodes an encoded oracle value: tensors, ndarray / PIL containers, lists, dicts. */
export function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (isEncTensor(v)) {
    if (v.container === 'ndarray') return new NDArray(typed(v), v.shape, v.dtype);
    if (v.container === 'PIL') return PILImage.fromArray(Uint8Array.from(v.data.map(num)), v.shape, v.mode);
    return Tensor.fromTypedArray(typed(v), v.shape, v.dtype);
  }
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  return v;
}

/** PIL outputs become what `np.asarray(img)` records: a uint8 tensor, HWC or HW. */
function normalizeOutput(v: unknown): unknown {
  if (v instanceof PILImage) return Tensor.fromTypedArray(v.data, v.shape, 'uint8');
  return v;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function buildTransform(op: string, ctorArgs: unknown[], ctorKwargs: Record<string, unknown>): T.Transform {
  const name = op.replace(/^transforms\./, '');
  const kw = Object.fromEntries(Object.entries(ctorKwargs).map(([k, v]) => [camel(k), v]));
  switch (name) {
    case 'ToTensor':
      return new T.ToTensor();
    case 'PILToTensor':
      return new T.PILToTensor();
    case 'Normalize':
      return new T.Normalize(ctorArgs[0] as number[], ctorArgs[1] as number[], (kw.inplace as boolean) ?? false);
    case 'Resize':
      return new T.Resize(ctorArgs[0] as number | number[], kw as T.ResizeCtorOptions);
    case 'CenterCrop':
      return new T.CenterCrop(ctorArgs[0] as number | number[]);
    case 'Pad':
      return new T.Pad(ctorArgs[0] as number, (kw.fill as number) ?? 0, (kw.paddingMode as 'constant') ?? 'constant');
    case 'RandomHorizontalFlip':
      return new T.RandomHorizontalFlip((kw.p as number) ?? 0.5);
    case 'Grayscale':
      return new T.Grayscale(((kw.numOutputChannels as number) ?? 1) as 1 | 3);
    default:
      throw new Error(`no runner for transform ${op}`);
  }
}

export function handlesDataCase(c: OracleCase): boolean {
  return c.category === 'transforms' || c.category === 'data';
}

/** Runs one case; the result is in JS form (Tensors etc.). */
export function runDataCase(c: OracleCase): unknown {
  // data.* cases run from their python snippet (default_collate over any structure, DataLoader with any options).
  if (c.op.startsWith('data.')) return runDataPython(c.python, (decode(c.inputs ?? {}) as Record<string, unknown>));
  if (c.op === 'torchvision.utils.make_grid') {
    const kw = Object.fromEntries(Object.entries(c.kwargs ?? {}).map(([k, v]) => [camel(k), v]));
    return makeGrid(decode(c.args![0]) as Tensor, kw);
  }
  if (c.op === 'transforms.Compose') {
    const chain = new T.Compose(c.transforms!.map((t) => buildTransform(t.op, t.ctor_args, t.ctor_kwargs)));
    return normalizeOutput(chain(decode(c.args![0])));
  }
  if (c.op.startsWith('transforms.')) {
    const t = buildTransform(c.op, c.ctor_args ?? [], c.ctor_kwargs ?? {});
    return normalizeOutput(t(decode(c.args![0])));
  }
  throw new Error(`no runner for ${c.op}`);
}
