// Optimizer base: param groups, per-parameter state, zeroGrad, stateDict/loadStateDict with PyTorch's structure,
// and a PyTorch-style repr. Update rules live in the subclasses and run in place over the parameters' storages.
import { Tensor } from '../engine/index.ts';
import { residentFloat32 } from '../engine/kernels/index.ts';
import { camelToSnake, snakeToCamel, pyRepr } from './naming.ts';
import { pyFloat } from '../nn/pyrepr.ts';

const FLOAT_HYPERS = new Set(['lr', 'eps', 'rho', 'alpha', 'betas', 'momentum_decay']);

function pyFloatRepr(v: unknown): string {
  if (Array.isArray(v)) return v.length === 1 ? `(${pyFloatRepr(v[0])},)` : `(${v.map(pyFloatRepr).join(', ')})`;
  return typeof v === 'number' ? pyFloat(v) : pyRepr(v);
}

/** One parameter group: its tensors and hyperparameters (camelCase keys: lr, weightDecay, betas, ...). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [hyper: string]: unknown;
}

/** What the constructor and addParamGroup take: hyperparameters not given fall back to the defaults. */
export type ParamGroupInput = { params: Iterable<Tensor> | Tensor; [hyper: string]: unknown };
export type ParamsInput = Iterable<Tensor> | Iterable<ParamGroupInput>;

/** Per-parameter state: tensors (momentum buffers, moments) and plain numbers (RMSprop's step). */
export type ParamState = Record<string, Tensor | number | null>;

/** A contiguous writable view of a tensor's elements (parameters and state buffers are contiguous leaves). */
export function writable(t: Tensor): Float32Array | Float64Array {
  if (t.dtype !== 'float32' && t.dtype !== 'float64')
    throw new TypeError(`optimizer: parameters must be float32 or float64, got ${t.dtype}`);
  if (!t.isContiguous()) throw new Error(`optimizer: parameter of shape [${t.shape.join(', ')}] is not contiguous`);
  const n = t.numel();
  return (t.storage as Float32Array | Float64Array).subarray(t.offset, t.offset + n);
}

/** A read view of a gradient, in the parameter's element order. */
export function readable(t: Tensor): Float32Array | Float64Array {
  return t.dataSync() as Float32Array | Float64Array;
}

/** A zero-filled state tensor shaped and typed like `p`. */
export function zerosState(p: Tensor, fill = 0): Tensor {
  const n = p.numel();
  const arr = p.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  if (fill !== 0) arr.fill(fill);
  return Tensor.fromTypedArray(arr, p.shape.slice(), p.dtype);
}

/**
 * `perParam` zero-filled state tensors for `p`, shaped like it, resident in the wasm heap, where the update kernels
 * work on them in place (residentFloat32); null where there is none (other backends, `p` not float32 or too small,
 * the heap full): callers then use zerosState.
 */
export function residentZerosState(p: Tensor, perParam: number): Tensor[] | null {
  if (p.dtype !== 'float32') return null;
  const out: Tensor[] = [];
  for (let i = 0; i < perParam; i++) {
    const a = residentFloat32(p.numel());
    if (a === null) return null; // the blocks taken so far go back when their arrays are collected
    out.push(Tensor.fromTypedArray(a, p.shape.slice(), 'float32'));
  }
  return out;
}

/** A 0-dim float32 tensor (PyTorch keeps Adam's `step` and NAdam's `mu_product` that way). */
export function scalarState(v: number): Tensor {
  return Tensor.fromTypedArray(new Float32Array([v]), [], 'float32');
}

function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

export abstract class Optimizer {
  readonly defaults: Record<string, unknown>;
  paramGroups: ParamGroup[] = [];
  state = new Map<Tensor, ParamState>();
  /** Counts step() calls; schedulers in PyTorch watch it to warn about call order. */
  stepCount = 0;

  constructor(params: ParamsInput, defaults: Record<string, unknown>) {
    this.defaults = defaults;
    const list = Array.from(params as Iterable<Tensor | ParamGroupInput>);
    if (list.length === 0) throw new Error('optimizer got an empty parameter list');
    if (isTensor(list[0])) this.addParamGroup({ params: list as Tensor[] });
    else for (const g of list as ParamGroupInput[]) this.addParamGroup(g);
  }

  /** Adds a group; missing hyperparameters take the defaults. A parameter may be in one group only. */
  addParamGroup(group: ParamGroupInput): void {
    const params = isTensor(group.params) ? [group.params] : Array.from(group.params);
    for (const p of params) {
      if (!isTensor(p)) throw new TypeError('optimizer can only optimize Tensors');
      if (!p.isLeaf) throw new Error("can't optimize a non-leaf Tensor");
    }
    if (new Set(params).size !== params.length) throw new Error('optimizer contains a parameter group with duplicate parameters');
    const out: Record<string, unknown> = { params };
    for (const [k, v] of Object.entries(this.defaults)) {
      const given = group[k];
      if (given === undefined && v === undefined)
        throw new Error(`parameter group didn't specify a value of required optimization parameter ${k}`);
      out[k] = given !== undefined ? given : v;
    }
    for (const [k, v] of Object.entries(group)) if (!(k in out)) out[k] = v;
    for (const g of this.paramGroups) {
      for (const p of g.params) if (params.includes(p)) throw new Error('some parameters appear in more than one parameter group');
    }
    this.paramGroups.push(out as ParamGroup);
  }

  /** PyTorch 1.13 semantics: setToNone defaults to false, so grads become zeros (detached) rather than null. */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        const grad = p.grad;
        if (grad === null) continue;
        if (opts.setToNone) {
          p.grad = null;
          continue;
        }
        if (grad.gradFn !== null) grad.detach_();
        else if (grad.requiresGrad) grad.requiresGrad_(false);
        grad.zero_();
      }
    }
  }

  /** One update of every parameter that has a gradient. `closure` re-evaluates the loss and is called first. */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    let loss: Tensor | number | undefined;
    if (closure) loss = closure();
    this.stepCount += 1;
    for (const group of this.paramGroups) {
      this.updateGroup(group);
      // in-place updates bump the version counter, so stale saved tensors are detected as in PyTorch
      for (const p of group.params) if (p.grad !== null) p._bumpVersion();
    }
    return loss;
  }

  /** Applies the update rule to the parameters of one group. */
  protected abstract updateGroup(group: ParamGroup): void;

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * PyTorch's structure: `{ state: { "<index>": { snake_case: tensor | number | null } }, param_groups: [{ hypers...,
   * params: [indices] }] }`, with parameters numbered across groups in order.
   */
  stateDict(): { state: Record<string, Record<string, unknown>>; param_groups: Array<Record<string, unknown>> } {
    const index = new Map<Tensor, number>();
    const groups: Array<Record<string, unknown>> = [];
    for (const g of this.paramGroups) {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') packed[camelToSnake(k)] = Array.isArray(v) ? v.slice() : v;
      packed.params = g.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      groups.push(packed);
    }
    const state: Record<string, Record<string, unknown>> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s)) out[camelToSnake(k)] = v;
      state[String(i)] = out;
    }
    return { state, param_groups: groups };
  }

  /** Restores hyperparameters and state (tensors are copied, cast to each parameter's dtype). */
  loadStateDict(sd: { state: Record<string, Record<string, unknown>>; param_groups: Array<Record<string, unknown>> }): void {
    const saved = sd.param_groups;
    if (saved.length !== this.paramGroups.length) {
      throw new Error(`loaded state dict has ${saved.length} parameter groups, optimizer has ${this.paramGroups.length}`);
    }
    saved.forEach((sg, gi) => {
      const n = (sg.params as number[]).length;
      if (n !== this.paramGroups[gi]!.params.length) {
        throw new Error(
          `loaded state dict contains a parameter group (${gi}) of ${n} params that doesn't match the size of optimizer's group (${this.paramGroups[gi]!.params.length})`,
        );
      }
    });
    const byIndex = new Map<number, Tensor>();
    saved.forEach((sg, gi) => (sg.params as number[]).forEach((id, j) => byIndex.set(id, this.paramGroups[gi]!.params[j]!)));
    this.state = new Map();
    for (const [id, s] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(id));
      if (!p) continue;
      const st: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        // step counters keep their dtype (float32 0-dim); other state takes the parameter's dtype, as PyTorch casts it.
        if (isTensor(v)) st[snakeToCamel(k)] = k === 'step' || v.dim() === 0 ? v.clone() : v.to(p.dtype).clone().contiguous();
        else st[snakeToCamel(k)] = v as number | null;
      }
      this.state.set(p, st);
    }
    saved.forEach((sg, gi) => {
      const g = this.paramGroups[gi]!;
      for (const [k, v] of Object.entries(sg)) if (k !== 'params') g[snakeToCamel(k)] = Array.isArray(v) ? v.slice() : v;
    });
  }

  /** PyTorch's repr: class name, then each group's hyperparameters sorted by (PyTorch) name. */
  toString(): string {
    let s = `${this.constructor.name} (`;
    this.paramGroups.forEach((g, i) => {
      s += `\nParameter Group ${i}`;
      const keys = Object.keys(g)
        .filter((k) => k !== 'params')
        .map((k) => [camelToSnake(k), k] as const);
      keys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [snake, k] of keys) {
        const v = g[k];
        // Python prints 1.0 and 1 differently; these hyperparameters are floats in PyTorch (lr=1.0 prints '1.0'),
        // while weight_decay, momentum, dampening, ... default to the int 0.
        const asFloat = FLOAT_HYPERS.has(snake) && (typeof v === 'number' || Array.isArray(v));
        s += `\n    ${snake}: ${asFloat ? pyFloatRepr(v) : pyRepr(v)}`;
      }
    });
    return s + '\n)';
  }
}
