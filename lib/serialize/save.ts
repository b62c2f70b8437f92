// save(obj, path) / load(path): state dicts of models and optimizers in the safetensors format.
//
// Tensors are stored as safetensors tensors, so Python's `safetensors.torch.load_file(path)` reads them:
// - a model state dict (a flat record of tensors) is written as is: keys like `linear_relu_stack.0.weight`;
// - any other object (an optimizer state dict, a checkpoint record with epochs and several state dicts) has its
//   tensors stored under their dotted paths (`state.0.exp_avg`) and the rest of the structure -- numbers, strings,
//   booleans, null, arrays, with tensors replaced by {"__tensor__": "<name>"} -- as JSON in the safetensors
//   metadata under the key "board.json" (read it in Python with `safe_open(path, "pt").metadata()["board.json"]`).
// - a Module (torch.save(model)) is written as its state dict plus a spec of its architecture (registered module
//   classes and their attributes) as JSON under "board.module"; load() returns a working Module (module-spec.ts).
// Files are written to a temporary name and renamed, so an interrupted save never clobbers the previous file.
import { readFileSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { Tensor } from '../engine/index.ts';
import { encodeSafetensors, decodeSafetensors, type StTensor } from './safetensors.ts';
import { Module } from '../nn/module.ts';
import { moduleSpec, buildModule, type ModuleSpec } from './module-spec.ts';

const STRUCTURE_KEY = 'board.json';
const MODULE_KEY = 'board.module';

// Every engine dtype has a safetensors dtype (StDType covers DType), so any tensor can be saved.
function toSt(t: Tensor): StTensor {
  const c = t.contiguous();
  const data = c.dataSync() as StTensor['data']; // (a subarray that keeps wasm-heap storage alive: tensor.ts pinSubarray)
  return { dtype: t.dtype, shape: [...t.shape], data };
}

function fromSt(st: StTensor): Tensor {
  return Tensor.fromTypedArray(st.data, st.shape, st.dtype);
}

function isFlatTensorRecord(obj: unknown): obj is Record<string, Tensor> {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || obj instanceof Tensor) return false;
  const vals = Object.values(obj);
  return vals.length > 0 && vals.every((v) => v instanceof Tensor);
}

/** Replaces tensors by references and non-finite numbers by tagged strings (JSON has neither). */
function flatten(value: unknown, path: string, tensors: Record<string, StTensor>): unknown {
  if (value instanceof Tensor) {
    const name = path || 'tensor';
    tensors[name] = toSt(value);
    return { __tensor__: name };
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return { __float__: String(value) };
  if (Array.isArray(value)) return value.map((v, i) => flatten(v, path ? `${path}.${i}` : String(i), tensors));
  if (value instanceof Map) throw new TypeError(`save: Map at "${path}" is not supported; convert it to a record`);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = flatten(v, path ? `${path}.${k}` : k, tensors);
    return out;
  }
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    throw new TypeError(`save: value at "${path}" of type ${typeof value} cannot be saved`);
  }
  return value;
}

function unflatten(value: unknown, tensors: Record<string, Tensor>): unknown {
  if (Array.isArray(value)) return value.map((v) => unflatten(v, tensors));
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if (typeof o.__tensor__ === 'string' && Object.keys(o).length === 1) {
      const t = tensors[o.__tensor__];
      if (!t) throw new Error(`load: structure references tensor "${o.__tensor__}", which the file does not contain`);
      return t;
    }
    if (typeof o.__float__ === 'string' && Object.keys(o).length === 1) return Number(o.__float__);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = unflatten(v, tensors);
    return out;
  }
  return value;
}

/** Serializes a state dict (or any record of tensors and JSON values) to safetensors bytes. */
export function serialize(obj: unknown, metadata: Record<string, string> = {}): Uint8Array {
  if (obj instanceof Module) {
    const ts: Record<string, Tensor> = {};
    const spec = moduleSpec(obj, '', ts);
    const tensors: Record<string, StTensor> = {};
    for (const [k, t] of Object.entries(ts)) tensors[k] = toSt(t);
    return encodeSafetensors(tensors, { format: 'pt', ...metadata, [MODULE_KEY]: JSON.stringify(spec) });
  }
  if (isFlatTensorRecord(obj)) {
    const tensors: Record<string, StTensor> = {};
    for (const [k, t] of Object.entries(obj)) tensors[k] = toSt(t);
    return encodeSafetensors(tensors, { format: 'pt', ...metadata });
  }
  const tensors: Record<string, StTensor> = {};
  const structure = flatten(obj, '', tensors);
  return encodeSafetensors(tensors, { format: 'pt', ...metadata, [STRUCTURE_KEY]: JSON.stringify(structure) });
}

/** Parses safetensors bytes written by `serialize` or by any other safetensors writer. */
export function deserialize(bytes: Uint8Array, source = 'buffer'): any {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const ts: Record<string, Tensor> = {};
  for (const [k, st] of Object.entries(tensors)) ts[k] = fromSt(st);
  const moduleJson = metadata[MODULE_KEY];
  if (moduleJson !== undefined) {
    let spec: ModuleSpec;
    try {
      spec = JSON.parse(moduleJson) as ModuleSpec;
    } catch (e) {
      throw new Error(`load: ${source}: metadata "${MODULE_KEY}" is not valid JSON (${(e as Error).message})`, { cause: e });
    }
    return buildModule(spec, ts);
  }
  const structure = metadata[STRUCTURE_KEY];
  if (structure === undefined) return ts;
  let parsed: unknown;
  try {
    parsed = JSON.parse(structure);
  } catch (e) {
    throw new Error(`load: ${source}: metadata "${STRUCTURE_KEY}" is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  return unflatten(parsed, ts);
}

/** torch.save for models and state dicts: writes `obj` to `path` in the safetensors format (atomically). */
export function save(obj: unknown, path: string): void {
  const bytes = serialize(obj);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** torch.load for files written by `save` (a Module for a saved model; any other safetensors file gives a record of tensors). */
export function load(path: string): any {
  return deserialize(readFileSync(path), path);
}
