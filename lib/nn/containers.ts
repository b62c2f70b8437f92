// Containers: Sequential (positional or named), ModuleList, ModuleDict, ParameterList, ParameterDict.
import { Tensor } from '../engine/index.ts';
import { Module } from './module.ts';
import { Parameter } from './parameter.ts';

function normIndex(i: number, n: number, what: string): number {
  const j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) throw new RangeError(`index ${i} is out of range for ${what} of length ${n}`);
  return j;
}

function isPlainRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !(x instanceof Module) && !(x instanceof Tensor) && !Array.isArray(x);
}

/**
 * Runs its modules in order. `new Sequential(a, b, c)` names them '0', '1', '2'; `new Sequential({ conv: a, relu: b })`
 * uses the record's keys (PyTorch's OrderedDict form).
 */
export class Sequential extends Module implements Iterable<Module> {
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    if (modules.length === 1 && isPlainRecord(modules[0])) {
      for (const [k, m] of Object.entries(modules[0] as Record<string, Module>)) this.addModule(k, m);
    } else {
      (modules as Module[]).forEach((m, i) => this.addModule(String(i), m));
    }
  }

  get length(): number {
    return this._modules.size;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    return [...this._modules.values()][normIndex(i, this.length, 'Sequential')]!;
  }

  /** A new Sequential with modules [start, end) (keys kept, as PyTorch's slicing). */
  slice(start = 0, end = this.length): Sequential {
    const entries = [...this._modules.entries()].slice(start, end);
    return new Sequential(Object.fromEntries(entries) as Record<string, Module>);
  }

  append(m: Module): this {
    this.addModule(String(this.length), m);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return ([...this._modules.values()] as Module[])[Symbol.iterator]();
  }

  override forward(input: any): any {
    let x = input;
    for (const m of this._modules.values()) if (m) x = m.call(x);
    return x;
  }
}

/** A list of submodules (registered as '0', '1', ...). It has no forward. */
export class ModuleList extends Module implements Iterable<Module> {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number {
    return this._modules.size;
  }
  at(i: number): Module {
    return this._modules.get(String(normIndex(i, this.length, 'ModuleList')))!;
  }
  set(i: number, m: Module): void {
    this.addModule(String(normIndex(i, this.length, 'ModuleList')), m);
  }
  append(m: Module): this {
    this.addModule(String(this.length), m);
    return this;
  }
  extend(ms: Iterable<Module>): this {
    for (const m of ms) this.append(m);
    return this;
  }
  insert(index: number, m: Module): void {
    const list = [...this._modules.values()] as Module[];
    list.splice(index < 0 ? index + list.length : index, 0, m);
    for (const k of [...this._modules.keys()]) this._modules.delete(k);
    list.forEach((mm, i) => this.addModule(String(i), mm));
  }
  [Symbol.iterator](): Iterator<Module> {
    return ([...this._modules.values()] as Module[])[Symbol.iterator]();
  }
}

/** A string-keyed record of submodules, in insertion order. */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }
  get size(): number {
    return this._modules.size;
  }
  get(key: string): Module | undefined {
    return this._modules.get(key) ?? undefined;
  }
  set(key: string, m: Module): void {
    this.addModule(key, m);
  }
  has(key: string): boolean {
    return this._modules.has(key);
  }
  delete(key: string): boolean {
    return Reflect.deleteProperty(this, key) && !this._modules.has(key);
  }
  keys(): string[] {
    return [...this._modules.keys()];
  }
  values(): Module[] {
    return [...this._modules.values()] as Module[];
  }
  items(): Array<[string, Module]> {
    return [...this._modules.entries()] as Array<[string, Module]>;
  }
  update(modules: Record<string, Module> | Iterable<[string, Module]>): void {
    const entries = Symbol.iterator in Object(modules) ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.addModule(k, m);
  }
}

function asParameter(t: Tensor): Parameter {
  return t instanceof Parameter ? t : new Parameter(t);
}

/**
 * PyTorch 1.13's ParameterList extra_repr shows the dtype (torch.float32) but ParameterDict's shows the legacy type
 * name (torch.FloatTensor): `legacyNames` picks the latter.
 */
function paramLines(entries: Array<[string, Parameter | null]>, legacyNames = false): string {
  return entries
    .map(([k, p]) => {
      if (!p) return `  (${k}): None`;
      return `  (${k}): Parameter containing: [${legacyNames ? p.type() : `torch.${p.dtype}`} of size ${p.shape.join('x')}]`;
    })
    .join('\n');
}

/** A list of parameters registered as '0', '1', ... (plain tensors are wrapped in Parameter). */
export class ParameterList extends Module implements Iterable<Parameter> {
  constructor(params: Iterable<Tensor> = []) {
    super();
    for (const p of params) this.append(p);
  }
  get length(): number {
    return this._parameters.size;
  }
  at(i: number): Parameter {
    return this._parameters.get(String(normIndex(i, this.length, 'ParameterList')))!;
  }
  set(i: number, p: Tensor): void {
    this.registerParameter(String(normIndex(i, this.length, 'ParameterList')), asParameter(p));
  }
  append(p: Tensor): this {
    this.registerParameter(String(this.length), asParameter(p));
    return this;
  }
  extend(ps: Iterable<Tensor>): this {
    for (const p of ps) this.append(p);
    return this;
  }
  [Symbol.iterator](): Iterator<Parameter> {
    return ([...this._parameters.values()] as Parameter[])[Symbol.iterator]();
  }
  override extraRepr(): string {
    return paramLines([...this._parameters.entries()]);
  }
}

/** A string-keyed record of parameters. */
export class ParameterDict extends Module {
  constructor(params: Record<string, Tensor> | Iterable<[string, Tensor]> = {}) {
    super();
    const entries = Symbol.iterator in Object(params) ? [...(params as Iterable<[string, Tensor]>)] : Object.entries(params);
    for (const [k, p] of entries) this.set(k, p);
  }
  get size(): number {
    return this._parameters.size;
  }
  get(key: string): Parameter | undefined {
    return this._parameters.get(key) ?? undefined;
  }
  set(key: string, p: Tensor): void {
    this.registerParameter(key, asParameter(p));
  }
  has(key: string): boolean {
    return this._parameters.has(key);
  }
  keys(): string[] {
    return [...this._parameters.keys()];
  }
  values(): Parameter[] {
    return [...this._parameters.values()] as Parameter[];
  }
  items(): Array<[string, Parameter]> {
    return [...this._parameters.entries()] as Array<[string, Parameter]>;
  }
  override extraRepr(): string {
    return paramLines([...this._parameters.entries()], true);
  }
}
