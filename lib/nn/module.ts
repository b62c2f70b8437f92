// nn.Module: parameters, buffers and submodules register on assignment (`this.fc = new nn.Linear(2, 3)` in a subclass
// constructor), in insertion order, as in PyTorch. The base constructor returns a Proxy whose set/defineProperty traps
// do the registration; reads are not trapped, so attribute access stays a plain property read.
//
// Calling: TypeScript classes cannot be callable, so `model.call(x)` is PyTorch's `model(x)`: it runs pre-hooks,
// pushes the module's scope (for graph export), runs `forward`, then forward hooks. `model.forward(x)` skips hooks.
import { Tensor, noGrad, pushScope, popScope } from '../engine/index.ts';
import { Device, checkDevice, isDType, isFloating, type DeviceLike, type DType } from '../engine/index.ts';
import { Parameter } from './parameter.ts';

export type StateDict = Record<string, Tensor>;
export type ForwardHook = (module: Module, input: unknown[], output: unknown) => unknown;
export type ForwardPreHook = (module: Module, input: unknown[]) => unknown[] | unknown | void;

/** Returned by registerForwardHook / registerForwardPreHook. */
export interface RemovableHandle {
  remove(): void;
}

let nextHookId = 0;

function isModule(x: unknown): x is Module {
  return x instanceof Module;
}

/** Indents every line but the first (PyTorch's _addindent). */
function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const pad = ' '.repeat(n);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join('\n');
}

function shapeStr(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/**
 * Module classes by name, for rebuilding a saved model (serialize's whole-model save/load). Every class registers
 * itself the first time one is constructed; registerModule() registers a class before any instance exists (needed
 * to load a model of a user-defined class in a fresh process). nn's own classes are always found by name.
 */
const MODULE_CLASSES = new Map<string, abstract new (...args: any[]) => Module>();

export function registerModule<C extends abstract new (...args: any[]) => Module>(cls: C, name: string = cls.name): C {
  const known = MODULE_CLASSES.get(name);
  if (known && known !== cls) throw new Error(`registerModule: another class is already registered as '${name}'`);
  MODULE_CLASSES.set(name, cls);
  return cls;
}

/** The class registered under `name`, if any. */
export function registeredModule(name: string): (abstract new (...args: any[]) => Module) | undefined {
  return MODULE_CLASSES.get(name);
}

export class Module {
  /** @internal */ declare _parameters: Map<string, Parameter | null>;
  /** @internal */ declare _buffers: Map<string, Tensor | null>;
  /** @internal */ declare _nonPersistent: Set<string>;
  /** @internal */ declare _modules: Map<string, Module | null>;
  /** @internal */ declare _forwardHooks: Map<number, ForwardHook>;
  /** @internal */ declare _forwardPreHooks: Map<number, ForwardPreHook>;
  /** @internal name under which this module was last registered in a parent (for scopes like `Linear[0]`) */
  declare _attrName: string | null;
  declare training: boolean;

  constructor() {
    if (!MODULE_CLASSES.has(new.target.name)) MODULE_CLASSES.set(new.target.name, new.target);
    const define = (k: string, v: unknown) =>
      Object.defineProperty(this, k, { value: v, writable: true, enumerable: false, configurable: true });
    define('_parameters', new Map());
    define('_buffers', new Map());
    define('_nonPersistent', new Set());
    define('_modules', new Map());
    define('_forwardHooks', new Map());
    define('_forwardPreHooks', new Map());
    define('_attrName', null);
    define('training', true);
    return new Proxy(this, {
      set(target, prop, value) {
        if (typeof prop === 'string') target.registerAttr(prop, value);
        return Reflect.set(target, prop, value);
      },
      defineProperty(target, prop, desc) {
        if (typeof prop === 'string' && 'value' in desc) {
          // A subclass field declaration without initializer would reset an attribute its base registered: keep it.
          if (desc.value === undefined && target.isRegistered(prop)) return true;
          target.registerAttr(prop, desc.value);
        }
        return Reflect.defineProperty(target, prop, desc);
      },
      deleteProperty(target, prop) {
        if (typeof prop === 'string') {
          target._parameters.delete(prop);
          target._buffers.delete(prop);
          target._modules.delete(prop);
        }
        return Reflect.deleteProperty(target, prop);
      },
    });
  }

  private isRegistered(name: string): boolean {
    return this._parameters.has(name) || this._buffers.has(name) || this._modules.has(name);
  }

  /** Routes an attribute assignment to the parameter, module or buffer tables. */
  private registerAttr(name: string, value: unknown): void {
    if (value instanceof Parameter) {
      this._buffers.delete(name);
      this._modules.delete(name);
      this._parameters.set(name, value);
    } else if (isModule(value)) {
      this._parameters.delete(name);
      this._buffers.delete(name);
      this._modules.set(name, value);
      value._attrName = name;
    } else if (this._parameters.has(name)) {
      if (value !== null && value !== undefined) {
        throw new TypeError(
          `cannot assign '${value instanceof Tensor ? 'Tensor' : typeof value}' as parameter '${name}' (nn.Parameter or null expected)`,
        );
      }
      this._parameters.set(name, null);
    } else if (this._modules.has(name)) {
      if (value !== null && value !== undefined)
        throw new TypeError(`cannot assign '${typeof value}' as child module '${name}' (nn.Module or null expected)`);
      this._modules.set(name, null);
    } else if (this._buffers.has(name)) {
      if (value !== null && value !== undefined && !(value instanceof Tensor)) {
        throw new TypeError(`cannot assign '${typeof value}' as buffer '${name}' (Tensor or null expected)`);
      }
      this._buffers.set(name, (value as Tensor | null | undefined) ?? null);
    }
  }

  /** The computation. Subclasses override it; call the module with `call` to run hooks. */
  forward(..._args: any[]): any {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /** PyTorch's `module(*args)`: pre-hooks, forward inside the module's scope, then forward hooks. */
  call<This extends Module>(this: This, ...args: Parameters<This['forward']>): ReturnType<This['forward']> {
    let input: unknown[] = args;
    for (const hook of this._forwardPreHooks.values()) {
      const r = hook(this, input);
      if (r !== undefined && r !== null) input = Array.isArray(r) ? r : [r];
    }
    pushScope(this._attrName === null ? this.constructor.name : `${this.constructor.name}[${this._attrName}]`);
    let out: unknown;
    try {
      out = this.forward(...input);
    } finally {
      popScope();
    }
    for (const hook of this._forwardHooks.values()) {
      const r = hook(this, input, out);
      if (r !== undefined) out = r;
    }
    return out as ReturnType<This['forward']>;
  }

  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = nextHookId++;
    this._forwardHooks.set(id, hook);
    return { remove: () => void this._forwardHooks.delete(id) };
  }

  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const id = nextHookId++;
    this._forwardPreHooks.set(id, hook);
    return { remove: () => void this._forwardPreHooks.delete(id) };
  }

  registerParameter(name: string, param: Parameter | null): void {
    this.checkName(name, 'parameter');
    if (param !== null && !(param instanceof Parameter))
      throw new TypeError(`cannot assign non-Parameter object to parameter '${name}' (use nn.Parameter)`);
    this._buffers.delete(name);
    this._modules.delete(name);
    this._parameters.set(name, param);
    Reflect.set(this, name, param);
  }

  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    this.checkName(name, 'buffer');
    if (tensor !== null && !(tensor instanceof Tensor))
      throw new TypeError(`cannot assign '${typeof tensor}' object to buffer '${name}' (Tensor or null required)`);
    this._parameters.delete(name);
    this._modules.delete(name);
    this._buffers.set(name, tensor);
    if (opts.persistent === false) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
    Reflect.set(this, name, tensor);
  }

  addModule(name: string, module: Module | null): void {
    this.checkName(name, 'module');
    if (module !== null && !isModule(module)) throw new TypeError(`${typeof module} is not a Module subclass`);
    this._parameters.delete(name);
    this._buffers.delete(name);
    this._modules.set(name, module);
    if (module) module._attrName = name;
    Reflect.set(this, name, module);
  }

  /** PyTorch's register_module alias. */
  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
  }

  private checkName(name: string, what: string): void {
    if (typeof name !== 'string') throw new TypeError(`${what} name should be a string`);
    if (name === '') throw new Error(`${what} name can't be empty string ""`);
    if (name.includes('.')) throw new Error(`${what} name can't contain "."`);
  }

  /** The submodule at a dotted path ('' is this module). */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let mod: Module = this;
    for (const item of target.split('.')) {
      const next = mod._modules.get(item);
      if (!next) throw new Error(`${mod.constructor.name} has no attribute \`${item}\``);
      mod = next;
    }
    return mod;
  }

  *namedModules(prefix = '', memo = new Set<Module>()): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [name, m] of this._modules) {
      if (!m) continue;
      yield* m.namedModules(prefix ? `${prefix}.${name}` : name, memo);
    }
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [name, m] of this._modules) {
      if (m && !seen.has(m)) {
        seen.add(m);
        yield [name, m];
      }
    }
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** Parameters with dotted names, each shared parameter once (first name wins), as PyTorch. */
  *namedParameters(prefix = '', recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const mods: Array<[string, Module]> = recurse ? [...this.namedModules(prefix)] : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [name, p] of m._parameters) {
        if (!p || seen.has(p)) continue;
        seen.add(p);
        yield [mp ? `${mp}.${name}` : name, p];
      }
    }
  }

  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters('', recurse)) yield p;
  }

  *namedBuffers(prefix = '', recurse = true): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    const mods: Array<[string, Module]> = recurse ? [...this.namedModules(prefix)] : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [name, b] of m._buffers) {
        if (!b || seen.has(b)) continue;
        seen.add(b);
        yield [mp ? `${mp}.${name}` : name, b];
      }
    }
  }

  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers('', recurse)) yield b;
  }

  /** Sets training mode here and in every submodule. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Whether gradients are computed for this module's parameters (requires_grad_). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** PyTorch 1.13: grads are zeroed in place unless setToNone. */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      const g = p.grad;
      if (g === null) continue;
      if (opts.setToNone) {
        p.grad = null;
      } else {
        if (g.gradFn !== null) g.detach_();
        else if (g.requiresGrad) g.requiresGrad_(false);
        g.zero_();
      }
    }
  }

  /** Calls fn on every submodule (children first) and then on this module. */
  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  /**
   * `to('cpu')` / `to(device('cpu'))` is a no-op (the only device; 'cuda' raises PyTorch's error); `to('float64')`,
   * `to('cpu', 'float64')` or `to({ device, dtype })` casts floating parameters (and their grads) and
   * buffers in place: parameters stay the same objects, so optimizers built earlier keep working (PyTorch's
   * `module.double()` swaps `param.data` the same way).
   */
  to(target: DType | DeviceLike | { device?: DeviceLike; dtype?: DType }, dtypeArg?: DType): this {
    let dtype: DType | undefined = dtypeArg,
      dev: DeviceLike | undefined;
    if (typeof target === 'string') {
      if (isDType(target)) dtype = target;
      else dev = target;
    } else if (target instanceof Device) dev = target;
    else if (target && typeof target === 'object') {
      dev = target.device;
      dtype = target.dtype ?? dtype;
    }
    checkDevice(dev);
    if (dtype === undefined) return this;
    if (!isFloating(dtype))
      throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.${dtype}`);
    const isFloat = (t: Tensor) => isFloating(t.dtype);
    noGrad(() => {
      for (const m of this.modules()) {
        for (const p of m._parameters.values()) {
          if (!p || p.dtype === dtype || !isFloat(p)) continue;
          p.data = p.data.to(dtype).contiguous();
          if (p.grad) p.grad = p.grad.to(dtype);
        }
        for (const [name, b] of m._buffers) {
          if (!b || b.dtype === dtype || !isFloat(b)) continue;
          const nb = b.to(dtype);
          m._buffers.set(name, nb);
          Reflect.set(m, name, nb);
        }
      }
    });
    return this;
  }

  /** A CPU-only build has no CUDA: PyTorch's AssertionError. */
  cuda(_device?: DeviceLike): this {
    checkDevice('cuda');
    return this;
  }

  cpu(): this {
    return this;
  }

  double(): this {
    return this.to('float64');
  }

  float(): this {
    return this.to('float32');
  }

  half(): this {
    return this.to('float16');
  }

  /** PyTorch order: each module's parameters, then its persistent buffers, then its children. Values are detached. */
  stateDict(opts: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const out: StateDict = {};
    this.saveToStateDict(out, opts.prefix ?? '', opts.keepVars ?? false);
    return out;
  }

  private saveToStateDict(out: StateDict, prefix: string, keepVars: boolean): void {
    for (const [name, p] of this._parameters) if (p) out[prefix + name] = keepVars ? p : p.detach();
    for (const [name, b] of this._buffers) {
      if (b && !this._nonPersistent.has(name)) out[prefix + name] = keepVars ? b : b.detach();
    }
    for (const [name, m] of this._modules) if (m) m.saveToStateDict(out, `${prefix}${name}.`, keepVars);
  }

  /**
   * Copies values into this module's parameters and buffers (no_grad, in place). With strict (default) missing or
   * unexpected keys are errors; shape mismatches always are. The error lists every problem, as PyTorch's does.
   */
  loadStateDict(sd: Record<string, Tensor>, opts: { strict?: boolean } = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const strict = opts.strict ?? true;
    const own = this.stateDict({ keepVars: true });
    const missingKeys: string[] = [];
    const errors: string[] = [];
    const targets: Array<[Tensor, Tensor]> = [];
    for (const [key, param] of Object.entries(own)) {
      const src = sd[key];
      if (src === undefined) {
        missingKeys.push(key);
        continue;
      }
      if (!(src instanceof Tensor)) {
        errors.push(
          `While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeof src}`,
        );
        continue;
      }
      const same = src.shape.length === param.shape.length && src.shape.every((d, i) => d === param.shape[i]);
      if (!same) {
        errors.push(
          `size mismatch for ${key}: copying a param with shape ${shapeStr(src.shape)} from checkpoint, the shape in current model is ${shapeStr(param.shape)}.`,
        );
        continue;
      }
      targets.push([param, src]);
    }
    const unexpectedKeys = Object.keys(sd).filter((k) => !(k in own));
    if (strict) {
      if (unexpectedKeys.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
      if (missingKeys.length) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length) {
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    }
    noGrad(() => {
      for (const [dst, src] of targets) dst.copy_(src);
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Extra information in the repr between the parentheses (PyTorch's extra_repr). */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's repr. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines: string[] = [];
    for (const [key, m] of this._modules) childLines.push(`(${key}): ${addIndent(m ? m.toString() : 'None', 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this.constructor.name}(`;
    if (lines.length) {
      if (extraLines.length === 1 && childLines.length === 0) s += extraLines[0];
      else s += '\n  ' + lines.join('\n  ') + '\n';
    }
    return s + ')';
  }
}
