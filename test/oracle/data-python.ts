// Runs the oracle's `data.*` cases from their `python` snippet (pyeval + the torch environment) instead of by case
// name, so any default_collate / DataLoader case of the schema runs. The snippet's Python values are translated to
// what a Board user would pass:
// - python ints -> JS numbers, bools -> booleans, strings -> strings, tuples/lists -> arrays, dicts -> plain objects;
// - python floats -> 0-dim float64 tensors. JS numbers cannot tell `2.0` from `2`, and default_collate turns a batch of
//   python floats into exactly `torch.tensor(batch, dtype=float64)`, which is what stacking 0-dim float64 tensors gives;
// - `np.array(...)` -> a typed array when 1-D with a dtype Board's typed-array path knows (float32/float64/int32/uint8),
//   else a tensor of the numpy dtype (default_collate calls `torch.as_tensor` on numpy arrays, so this is the same);
// - numpy scalars (`np.float32(1.5)`) -> 0-dim tensors of their dtype.
import { Tensor, tensor, type DType } from '../../lib/engine/index.ts';
import { DataLoader } from '../../lib/data/dataloader.ts';
import { defaultCollate, defaultConvert } from '../../lib/data/collate.ts';
import { TensorDataset } from '../../lib/data/tensor-dataset.ts';
import { ConcatDataset, Subset } from '../../lib/data/dataset.ts';
import { BatchSampler, SequentialSampler } from '../../lib/data/sampler.ts';
import { NDArray } from '../../lib/vision/image.ts';
import { PyFloat, PyFunction, PyDict } from './pyeval.ts';
import { createTorchEnv, PyDtype, toTs } from './torchenv.ts';

/** A numpy dtype object (`np.float32`): callable as a scalar constructor, usable as `dtype=`. */
class NpDtype extends PyFunction {
  constructor(readonly d: DType) {
    super(d, (a) => tensor(Number(toTs(a[0])), { dtype: d }));
  }
}

const NP_DTYPES: Record<string, DType> = {
  float32: 'float32',
  float64: 'float64',
  double: 'float64',
  int64: 'int64',
  int32: 'int32',
  uint8: 'uint8',
  bool_: 'bool',
};

function dtypeOf(v: unknown): DType | undefined {
  if (v instanceof NpDtype || v instanceof PyDtype) return v.d;
  if (typeof v === 'string') return NP_DTYPES[v] ?? (v as DType);
  return undefined;
}

/** numpy's dtype inference for nested python lists: any float -> float64, all bools -> bool, else int64. */
function inferNumpyDtype(v: unknown): DType {
  const leaves: unknown[] = [];
  const walk = (x: unknown) => (Array.isArray(x) ? x.forEach(walk) : leaves.push(x));
  walk(v);
  if (leaves.some((x) => x instanceof PyFloat)) return 'float64';
  if (leaves.length > 0 && leaves.every((x) => typeof x === 'boolean')) return 'bool';
  return 'int64';
}

const TYPED: Partial<Record<DType, (n: number[]) => ArrayBufferView>> = {
  float32: (n) => Float32Array.from(n),
  float64: (n) => Float64Array.from(n),
  int32: (n) => Int32Array.from(n),
  uint8: (n) => Uint8Array.from(n),
};

function npArray(data: unknown, dtypeArg: unknown): unknown {
  return npFromTensor(tensor(toTs(data), { dtype: dtypeOf(dtypeArg) ?? inferNumpyDtype(data) }));
}

/** A numpy array's Board form: a typed array when 1-D with a typed-array dtype, else the tensor itself. */
function npFromTensor(t: Tensor): unknown {
  const toTyped = TYPED[t.dtype];
  if (t.shape.length === 1 && toTyped) return toTyped(Array.from(t.dataSync() as ArrayLike<number>, Number));
  return t;
}

/** Python value from the snippet -> the JS value a Board user would collate. */
function toSample(v: unknown): unknown {
  if (v instanceof PyFloat) return tensor(v.v, { dtype: 'float64' });
  if (Array.isArray(v)) return v.map(toSample);
  if (v instanceof PyDict) return Object.fromEntries(v.entries().map(([k, x]) => [String(k), toSample(x)]));
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toSample(x)]));
  }
  return v;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const fn = (name: string, f: (a: unknown[], kw: Record<string, unknown>) => unknown) => new PyFunction(name, f);

/** Decoded case values in the snippet's terms: numpy containers (NDArray) become numpy-array values. */
function fromCase(v: unknown): unknown {
  if (v instanceof NDArray) return npFromTensor(Tensor.fromTypedArray(v.data, v.shape, v.dtype));
  if (Array.isArray(v)) return v.map(fromCase);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromCase(x)]));
  }
  return v;
}

/** The snippet's variables from a case: `inputs` by name, `args` as a0, a1 (a1_0 for list elements), `kwargs` as k_<name>. */
export function caseVariables(
  c: { inputs?: unknown; args?: unknown[]; kwargs?: Record<string, unknown> },
  decode: (v: unknown) => unknown,
): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((c.inputs ?? {}) as Record<string, unknown>)) vars[k] = fromCase(decode(v));
  (c.args ?? []).forEach((a, i) => {
    const v = fromCase(decode(a));
    vars[`a${i}`] = v;
    if (Array.isArray(v))
      v.forEach((x, j) => {
        vars[`a${i}_${j}`] = x;
      });
  });
  for (const [k, v] of Object.entries(c.kwargs ?? {})) vars[`k_${k}`] = fromCase(decode(v));
  return vars;
}

/** Evaluates a data case's `python` with default_collate, DataLoader, TensorDataset, tensor and np bound; `inputs` are variables. */
export function runDataPython(python: string, inputs: Record<string, unknown> = {}): unknown {
  python = python.replace(/<inputs\.(\w+)>/g, '$1');
  const env = createTorchEnv((e, torch) => {
    const np: Record<string, unknown> = { array: fn('array', (a, kw) => npArray(a[0], a[1] ?? kw.dtype)) };
    for (const [k, d] of Object.entries(NP_DTYPES)) np[k] = new NpDtype(d);
    np.asarray = np.array;
    const filled = (value: number) =>
      fn('filled', (a, kw) => {
        const shape = toTs(a[0] ?? kw.shape) as number | number[];
        const dims = Array.isArray(shape) ? shape : [shape];
        const d = dtypeOf(a[1] ?? kw.dtype) ?? 'float64';
        return npFromTensor(tensor(new Array(dims.reduce((x, y) => x * y, 1)).fill(value), { dtype: d }).reshape(dims));
      });
    np.zeros = filled(0);
    np.ones = filled(1);
    np.arange = fn('arange', (a, kw) => {
      const n = a.map((x) => Number(toTs(x)));
      const [start, stop, step] = n.length === 1 ? [0, n[0]!, 1] : [n[0]!, n[1]!, n[2] ?? 1];
      const vals: number[] = [];
      for (let v = start; step > 0 ? v < stop : v > stop; v += step) vals.push(v);
      return npFromTensor(tensor(vals, { dtype: dtypeOf(kw.dtype) ?? (a.some((x) => x instanceof PyFloat) ? 'float64' : 'int64') }));
    });
    e.vars.set('np', np);
    e.vars.set('tensor', torch.tensor);
    e.vars.set(
      'default_collate',
      fn('default_collate', (a) => defaultCollate(toSample(a[0]) as unknown[])),
    );
    e.vars.set(
      'default_convert',
      fn('default_convert', (a) => defaultConvert(toSample(a[0]))),
    );
    e.vars.set(
      'TensorDataset',
      fn('TensorDataset', (a) => new TensorDataset(...(a as Tensor[]))),
    );
    e.vars.set(
      'Subset',
      fn('Subset', (a, kw) => new Subset((a[0] ?? kw.dataset) as TensorDataset, toTs(a[1] ?? kw.indices) as number[])),
    );
    e.vars.set(
      'ConcatDataset',
      fn('ConcatDataset', (a, kw) => new ConcatDataset((a[0] ?? kw.datasets) as TensorDataset[])),
    );
    e.vars.set(
      'SequentialSampler',
      fn('SequentialSampler', (a, kw) => new SequentialSampler((a[0] ?? kw.data_source) as TensorDataset)),
    );
    e.vars.set(
      'BatchSampler',
      fn(
        'BatchSampler',
        (a, kw) =>
          new BatchSampler(
            (a[0] ?? kw.sampler) as SequentialSampler,
            toTs(a[1] ?? kw.batch_size) as number,
            toTs(a[2] ?? kw.drop_last) as boolean,
          ),
      ),
    );
    e.vars.set(
      'DataLoader',
      fn('DataLoader', (a, kw) => {
        // Positional order of torch's DataLoader: dataset, batch_size, shuffle, sampler, batch_sampler. batch_size=None is kept (no batching).
        const opts: Record<string, unknown> = Object.fromEntries(Object.entries(kw).map(([k, v]) => [camel(k), toTs(v)]));
        ['batchSize', 'shuffle', 'sampler', 'batchSampler'].forEach((k, i) => {
          if (a[i + 1] !== undefined) opts[k] = toTs(a[i + 1]);
        });
        return new DataLoader((a[0] ?? kw.dataset) as TensorDataset, opts);
      }),
    );
    for (const [k, v] of Object.entries(inputs)) e.vars.set(k, v);
  });
  const out = env.run(python);
  if (out instanceof DataLoader) {
    const ds = out.dataset as { length: number };
    return { len_dataset: ds.length, len_loader: out.length, batches: [...out] };
  }
  return out;
}
