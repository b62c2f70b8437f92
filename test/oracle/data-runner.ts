// Runs the oracle's `transforms` and `data` cases through Board's data/vision code. Each runner
// returns the actual result in JS form (Tensor, arrays, plain objects); test/oracle/data.ts compares
// it with the case's `expected`.
import { Tensor } from '../../lib/engine/index.ts';
import type { DType } from '../../lib/engine/index.ts';
import { NDArray, PILImage } from '../../lib/vision/image.ts';
import type { ImageMode } from '../../lib/vision/image.ts';
import * as T from '../../lib/vision/transforms/index.ts';
import { makeGrid } from '../../lib/vision/utils.ts';
import { caseVariables, runDataPython } from './data-python.ts';
import { isAddImagesCase, runAddImagesCase } from './add-images-case.ts';

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

/** torchvision 0.14 constructor parameters, in order: binds a case's ctor_args and ctor_kwargs by Python's rules. */
const SIGNATURES: Record<string, string[]> = {
  ToTensor: [],
  PILToTensor: [],
  ToPILImage: ['mode'],
  ConvertImageDtype: ['dtype'],
  Normalize: ['mean', 'std', 'inplace'],
  Resize: ['size', 'interpolation', 'max_size', 'antialias'],
  CenterCrop: ['size'],
  Pad: ['padding', 'fill', 'padding_mode'],
  RandomCrop: ['size', 'padding', 'pad_if_needed', 'fill', 'padding_mode'],
  RandomHorizontalFlip: ['p'],
  RandomVerticalFlip: ['p'],
  Grayscale: ['num_output_channels'],
};

type Params = Record<string, any>;
/** Board's constructor for each transform, from the bound (snake_case) torchvision parameters. */
const BUILDERS: Record<string, (p: Params) => T.Transform> = {
  ToTensor: () => new T.ToTensor(),
  PILToTensor: () => new T.PILToTensor(),
  ToPILImage: (p) => new T.ToPILImage(p.mode ?? undefined),
  ConvertImageDtype: (p) => new T.ConvertImageDtype(String(p.dtype).replace(/^torch\./, '') as DType),
  Normalize: (p) => new T.Normalize(p.mean, p.std, p.inplace ?? false),
  Resize: (p) =>
    new T.Resize(p.size, { interpolation: p.interpolation ?? undefined, maxSize: p.max_size ?? undefined, antialias: p.antialias }),
  CenterCrop: (p) => new T.CenterCrop(p.size),
  Pad: (p) => new T.Pad(p.padding, p.fill ?? 0, p.padding_mode ?? 'constant'),
  RandomCrop: (p) =>
    new T.RandomCrop(p.size, {
      padding: p.padding ?? undefined,
      padIfNeeded: p.pad_if_needed ?? false,
      fill: p.fill ?? 0,
      paddingMode: p.padding_mode ?? 'constant',
    }),
  RandomHorizontalFlip: (p) => new T.RandomHorizontalFlip(p.p ?? 0.5),
  RandomVerticalFlip: (p) => new T.RandomVerticalFlip(p.p ?? 0.5),
  Grayscale: (p) => new T.Grayscale(p.num_output_channels ?? 1),
};

function buildTransform(op: string, ctorArgs: unknown[], ctorKwargs: Record<string, unknown>): T.Transform {
  const name = op.replace(/^(torchvision\.)?transforms\./, '');
  const sig = SIGNATURES[name];
  const build = BUILDERS[name];
  if (!sig || !build) throw new Error(`no runner for transform ${op}`);
  if (ctorArgs.length > sig.length) throw new Error(`${op}: ${ctorArgs.length} positional arguments, torchvision takes ${sig.length}`);
  const params: Params = {};
  ctorArgs.forEach((v, i) => {
    params[sig[i]!] = v;
  });
  for (const [k, v] of Object.entries(ctorKwargs)) {
    if (!sig.includes(k)) throw new Error(`${op}: unknown keyword argument '${k}'`);
    params[k] = v;
  }
  return build(params);
}

export function handlesDataCase(c: OracleCase): boolean {
  return c.category === 'transforms' || c.category === 'data' || isAddImagesCase(c);
}

/** Runs one case; the result is in JS form (Tensors etc.). */
export function runDataCase(c: OracleCase): unknown {
  // data.* cases run from their python snippet (default_collate over any structure, DataLoader with any options).
  if (c.op.startsWith('data.')) return runDataPython(c.python, caseVariables(c, decode));
  if (isAddImagesCase(c)) return runAddImagesCase(c, decode);
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
