// Whole-model save/load (torch.save(model) / torch.load): a Module is written as its state dict in safetensors (the
// keys PyTorch's state_dict() would have, so safetensors readers load the weights) plus a JSON spec of its
// architecture: per module its registered class name, training flag, plain attributes (hyperparameters such as
// inFeatures or stride), and the names of its parameters, buffers and children. Loading rebuilds each module as an
// instance of its registered class without running its constructor (the spec holds everything the constructor set),
// then assigns children, parameters and buffers, so the result is a working Module of the same classes.
import { Tensor } from '../engine/index.ts';
import { Module, registeredModule } from '../nn/module.ts';
import { Parameter } from '../nn/parameter.ts';
import * as nn from '../nn/index.ts';

/** The spec of one module. Tensor values are keys into the file's tensors. */
export interface ModuleSpec {
  class: string;
  training: boolean;
  attrs: Record<string, unknown>;
  params: Record<string, { key: string; requiresGrad: boolean } | null>;
  buffers: Record<string, { key: string; persistent: boolean } | null>;
  modules: Record<string, ModuleSpec | null>;
}

const NONPERSISTENT = '__board_nonpersistent__.';
const ATTR_TENSOR = '__board_attr__.';

/** Plain JSON for an attribute value; tensors go to the file; functions and other objects cannot be saved. */
function attrJson(v: unknown, where: string, tensors: Record<string, Tensor>): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : { __float__: String(v) };
  if (v === undefined) return { __undefined__: true };
  if (v instanceof Tensor) {
    const key = ATTR_TENSOR + where;
    tensors[key] = v.detach();
    return { __tensor__: key };
  }
  if (Array.isArray(v)) return v.map((x, i) => attrJson(x, `${where}.${i}`, tensors));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, attrJson(x, `${where}.${k}`, tensors)]));
  }
  throw new TypeError(
    `save: attribute '${where}' holds a ${typeof v === 'function' ? 'function' : ((v as object).constructor?.name ?? typeof v)}, which a model file cannot store (keep only numbers, strings, booleans, arrays, records and tensors on modules)`,
  );
}

function attrValue(v: unknown, tensors: Record<string, Tensor>): unknown {
  if (Array.isArray(v)) return v.map((x) => attrValue(x, tensors));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.__tensor__ === 'string') {
      const t = tensors[o.__tensor__];
      if (!t) throw new Error(`load: attribute tensor "${o.__tensor__}" is missing from the file`);
      return t;
    }
    if (typeof o.__float__ === 'string') return Number(o.__float__);
    if (o.__undefined__ === true) return undefined;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, attrValue(x, tensors)]));
  }
  return v;
}

/** The class name a module is saved under; it must resolve back to the same class when loading. */
function className(m: Module): string {
  const name = m.constructor.name;
  const found = findClass(name);
  if (found !== m.constructor) {
    throw new TypeError(
      `save: module class '${name}' is ${found ? 'not the class registered under that name' : 'not registered'}; call nn.registerModule(${name}) so load() can rebuild it`,
    );
  }
  return name;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- a registered module class of any constructor signature
function findClass(name: string): Function | undefined {
  const builtin = (nn as Record<string, unknown>)[name];
  if (typeof builtin === 'function' && (builtin === Module || builtin.prototype instanceof Module))
    return registeredModule(name) ?? builtin;
  return registeredModule(name);
}

/** Spec of `m` (recursively), collecting its tensors under state_dict keys. */
export function moduleSpec(m: Module, prefix: string, tensors: Record<string, Tensor>): ModuleSpec {
  const spec: ModuleSpec = { class: className(m), training: m.training, attrs: {}, params: {}, buffers: {}, modules: {} };
  const registered = new Set([...m._parameters.keys(), ...m._buffers.keys(), ...m._modules.keys()]);
  for (const [k, v] of Object.entries(m)) {
    if (registered.has(k) || k === 'training') continue;
    spec.attrs[k] = attrJson(v, `${prefix}${k}`, tensors);
  }
  for (const [k, p] of m._parameters) {
    if (!p) {
      spec.params[k] = null;
      continue;
    }
    tensors[prefix + k] = p.detach();
    spec.params[k] = { key: prefix + k, requiresGrad: p.requiresGrad };
  }
  for (const [k, b] of m._buffers) {
    if (!b) {
      spec.buffers[k] = null;
      continue;
    }
    const persistent = !m._nonPersistent.has(k);
    const key = (persistent ? '' : NONPERSISTENT) + prefix + k;
    tensors[key] = b;
    spec.buffers[k] = { key, persistent };
  }
  for (const [k, c] of m._modules) spec.modules[k] = c ? moduleSpec(c, `${prefix}${k}.`, tensors) : null;
  return spec;
}

/** Rebuilds a module from its spec and the file's tensors. */
export function buildModule(spec: ModuleSpec, tensors: Record<string, Tensor>, where = 'model'): Module {
  const Cls = findClass(spec.class);
  if (!Cls)
    throw new Error(
      `load: ${where} is a '${spec.class}', which is not a registered module class; call nn.registerModule(${spec.class}) before load()`,
    );
  // A base Module gives the registering Proxy and bookkeeping; the prototype makes it an instance of the saved class.
  const m = new Module();
  Object.setPrototypeOf(m, Cls.prototype);
  for (const [k, v] of Object.entries(spec.attrs)) (m as unknown as Record<string, unknown>)[k] = attrValue(v, tensors);
  for (const [k, c] of Object.entries(spec.modules)) {
    if (c) (m as unknown as Record<string, unknown>)[k] = buildModule(c, tensors, `${where}.${k}`);
    else m._modules.set(k, null);
  }
  for (const [k, p] of Object.entries(spec.params)) {
    if (!p) {
      m._parameters.set(k, null);
      continue;
    }
    const t = tensors[p.key];
    if (!t) throw new Error(`load: parameter "${p.key}" is missing from the file`);
    (m as unknown as Record<string, unknown>)[k] = new Parameter(t, p.requiresGrad);
  }
  for (const [k, b] of Object.entries(spec.buffers)) {
    if (!b) {
      m._buffers.set(k, null);
      continue;
    }
    const t = tensors[b.key];
    if (!t) throw new Error(`load: buffer "${b.key}" is missing from the file`);
    m.registerBuffer(k, t, { persistent: b.persistent });
  }
  m.training = spec.training;
  return m;
}
