// Autograd: grad mode, module scopes, profiling, the GradNode graph and the backward engine.
// Gradient rules live in one table (gradients.ts); this file only records nodes and runs them.
import type { DType } from './dtype.ts';
import { legacyTypeName, isFloating } from './dtype.ts';
import { zeros } from './creation.ts';
import { sumToShape } from './reduce.ts';
import type { Tensor } from './tensor.ts';
import { GRADIENTS, type Primitive, type GradCtx, type Rule } from './gradients.ts';

// ---- grad mode, scopes, profiling -------------------------------------------------------------

let gradEnabled = true;
export function isGradEnabled(): boolean { return gradEnabled; }
export function setGradEnabled(on: boolean): void { gradEnabled = on; }

function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = on;
  try { return fn(); } finally { gradEnabled = prev; }
}
/** Run `fn` without recording a graph (torch.no_grad). */
export function noGrad<T>(fn: () => T): T { return withGradMode(false, fn); }
/** Run `fn` with graph recording on (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T { return withGradMode(true, fn); }

const scopes: string[] = [];
/** Enter a module scope; nodes created until popScope() record it (joined by '/'). */
export function pushScope(name: string): void { scopes.push(name); }
export function popScope(): void { scopes.pop(); }
export function currentScope(): string { return scopes.join('/'); }

let profiling = false;
/** When on, nodes record forwardMs (set by the op) and backwardMs (set by the engine). */
export function setProfiling(on: boolean): void { profiling = on; }
export function isProfiling(): boolean { return profiling; }
/** Start time for an op's forward when profiling, else 0 (cheap). */
export function clock(): number { return profiling ? performance.now() : 0; }

// ---- graph nodes ---------------------------------------------------------------------------------

export interface NodeMetadata {
  op: string;
  inputShapes: number[][];
  inputDtypes: (DType | null)[];
  outputShape: number[];
  outputDtype: DType;
  scope: string;
  forwardMs?: number;
  backwardMs?: number;
  attrs?: Record<string, unknown>;
}

/** A saved tensor with its version and producer at save time (for PyTorch's in-place modification error). */
type Saved = { tensor: Tensor; version: number; producer: string | null; outputNr: number } | null;

/** A backward function in the graph (PyTorch's grad_fn). */
export class GradNode {
  readonly name: string;
  readonly nextFunctions: Array<[GradNode | null, number]>;
  readonly metadata: NodeMetadata;
  /** The leaf this AccumulateGrad node writes to (null for other nodes). */
  readonly variable: Tensor | null;
  /** @internal */ readonly rule: Primitive | null;
  /** @internal */ saved: Saved[] | null;
  /** @internal */ attrs: Record<string, any>;
  /** @internal */ ctxBase: Omit<GradCtx, 'saved' | 'grads' | 'attrs'>;
  /** @internal */ numOutputs: number;
  /** @internal non-leaf outputs that called retainGrad(), by output index */
  retained: Map<number, Tensor> | null = null;
  /** @internal gradient hooks of non-leaf outputs (Tensor.registerHook), by output index */
  hooks: Map<number, GradHook[]> | null = null;

  constructor(name: string, rule: Primitive | null, next: Array<[GradNode | null, number]>, meta: NodeMetadata,
    variable: Tensor | null, saved: Saved[], attrs: Record<string, any>, ctxBase: GradNode['ctxBase'], numOutputs: number) {
    this.name = name; this.rule = rule; this.nextFunctions = next; this.metadata = meta; this.variable = variable;
    this.saved = saved; this.attrs = attrs; this.ctxBase = ctxBase; this.numOutputs = numOutputs;
  }

  toString(): string { return `<${this.name}>`; }

  /** @internal Apply the gradient rule. */
  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    if (this.saved === null) {
      throw new Error('Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.');
    }
    const saved = this.saved.map((s) => {
      if (s === null) return null;
      if (s.tensor.version !== s.version) {
        throw new Error(`one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `[${legacyTypeName(s.tensor.dtype)} [${s.tensor.shape.join(', ')}]]` +
          (s.producer ? `, which is output ${s.outputNr} of ${s.producer},` : '') +
          ` is at version ${s.tensor.version}; expected version ${s.version} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).`);
      }
      return s.tensor;
    });
    const ctx: GradCtx = { ...this.ctxBase, saved, grads, attrs: this.attrs };
    const first = grads[0] ?? zeros(this.ctxBase.outShapes[0]!, { dtype: this.metadata.outputDtype });
    const res: (Tensor | null)[] = (GRADIENTS[this.rule!] as Rule)(first, ctx);
    // Gradients take their input's dtype (a float64 0-dim operand of a float32 op gets a float64 grad).
    return res.map((g, i) => {
      const d = this.ctxBase.inDtypes[i];
      return g && d && g.dtype !== d && isFloating(d) ? g.to(d) : g;
    });
  }

  /** @internal Free saved tensors (after a backward without retainGraph). */
  release(): void {
    if (this.variable !== null) return;
    this.saved = null;
    if (this.rule === 'composite') this.attrs = {};
  }
}

/** The AccumulateGrad node of a leaf that requires grad (cached on the leaf, as PyTorch does). */
export function accumulateNode(t: Tensor): GradNode {
  if (t._accNode) return t._accNode;
  const meta: NodeMetadata = { op: 'AccumulateGrad', inputShapes: [], inputDtypes: [], outputShape: [...t.shape],
    outputDtype: t.dtype, scope: currentScope() };
  t._accNode = new GradNode('AccumulateGrad', null, [], meta, t, [], {}, { inShapes: [], inDtypes: [], outShapes: [] }, 1);
  return t._accNode;
}

function edgeOf(t: Tensor | null): [GradNode | null, number] {
  if (t === null || !t.requiresGrad) return [null, 0];
  if (t.gradFn) return [t.gradFn, t.outputNr];
  return [accumulateNode(t), 0];
}

/** True when an op on these inputs should record a node. */
export function needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/**
 * Record a node for an op whose outputs were computed by raw kernels. No-op when no input requires grad.
 * `saved` tensors get version-checked when backward runs; `attrs` carries non-tensor parameters.
 */
export function record(rule: Primitive, name: string, inputs: (Tensor | null)[], outputs: Tensor[],
  saved: (Tensor | null)[] = [], attrs: Record<string, any> = {}, t0 = 0, op?: string): GradNode | null {
  if (!needsGrad(...inputs)) return null;
  const first = outputs[0]!;
  const meta: NodeMetadata = {
    op: op ?? rule,
    inputShapes: inputs.map((t) => (t ? [...t.shape] : [])),
    inputDtypes: inputs.map((t) => (t ? t.dtype : null)),
    outputShape: [...first.shape], outputDtype: first.dtype, scope: currentScope(),
  };
  if (profiling && t0) meta.forwardMs = performance.now() - t0;
  const ctxBase = { inShapes: meta.inputShapes, inDtypes: meta.inputDtypes, outShapes: outputs.map((o) => [...o.shape]) };
  const node = new GradNode(name, rule, inputs.map(edgeOf), meta, null,
    saved.map((t) => {
      if (!t) return null;
      const out = outputs.indexOf(t);
      return { tensor: t, version: t.version, producer: out >= 0 ? name : t.gradFn?.name ?? null, outputNr: out >= 0 ? out : t.outputNr };
    }), attrs, ctxBase, outputs.length);
  outputs.forEach((o, i) => { o.gradFn = node; o.outputNr = i; });
  return node;
}

// ---- engine ----------------------------------------------------------------------------------------

export interface BackwardOptions { retainGraph?: boolean; createGraph?: boolean }

/** A tensor gradient hook: may return a replacement gradient. */
export type GradHook = (grad: Tensor) => Tensor | void | null | undefined;

function runHooks(hooks: readonly GradHook[] | undefined, g: Tensor | null): Tensor | null {
  if (!hooks || !g) return g;
  for (const h of hooks) { const r = h(g); if (r) g = r; }
  return g;
}

interface RunTarget { node: GradNode; nr: number; slot: number }

/**
 * Run backward from `roots` with seed gradients. When `targets` is given (autograd.grad), gradients are
 * captured at those (node, output) pairs instead of being accumulated into leaves' .grad.
 */
function runBackward(roots: Tensor[], seeds: Tensor[], opts: BackwardOptions, targets: RunTarget[] | null): (Tensor | null)[] {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const captured: (Tensor | null)[] = targets ? targets.map(() => null) : [];

  // Discover the graph and count incoming edges.
  const deps = new Map<GradNode, number>();
  const stack: GradNode[] = [];
  const rootEdges = roots.map(edgeOf);
  for (const [n] of rootEdges) if (n && !deps.has(n)) { deps.set(n, 0); stack.push(n); }
  while (stack.length) {
    const n = stack.pop()!;
    for (const [m] of n.nextFunctions) {
      if (!m) continue;
      if (!deps.has(m)) { deps.set(m, 0); stack.push(m); }
      deps.set(m, deps.get(m)! + 1);
    }
  }
  // autograd.grad only runs nodes that lead to a target.
  let needed: Set<GradNode> | null = null;
  if (targets) {
    needed = new Set(targets.map((t) => t.node));
    let changed = true;
    while (changed) {
      changed = false;
      for (const n of deps.keys()) {
        if (needed.has(n)) continue;
        if (n.nextFunctions.some(([m]) => m && needed!.has(m))) { needed.add(n); changed = true; }
      }
    }
  }

  const buffers = new Map<GradNode, (Tensor | null)[]>();
  const addTo = (n: GradNode, nr: number, g: Tensor): void => {
    let b = buffers.get(n);
    if (!b) { b = new Array(n.numOutputs).fill(null); buffers.set(n, b); }
    b[nr] = b[nr] ? b[nr]!.add(g) : g;
  };

  return withGradMode(createGraph, () => {
    rootEdges.forEach(([n, nr], i) => { if (n) addTo(n, nr, seeds[i]!); });
    const ready: GradNode[] = [];
    for (const [n] of rootEdges) if (n && deps.get(n) === 0 && !ready.includes(n)) ready.push(n);
    while (ready.length) {
      const node = ready.pop()!;
      const grads = buffers.get(node) ?? new Array(node.numOutputs).fill(null);
      buffers.delete(node);
      if (node.hooks) for (const [nr, hs] of node.hooks) grads[nr] = runHooks(hs, grads[nr] ?? null);
      if (node.variable) grads[0] = runHooks(node.variable._hooks, grads[0] ?? null);
      if (node.retained) {
        for (const [nr, t] of node.retained) {
          const g = grads[nr];
          if (g) t.grad = t.grad ? t.grad.add(g.detach()) : g.detach().clone();
        }
      }
      if (targets) targets.forEach((t, i) => { if (t.node === node && grads[t.nr]) captured[i] = grads[t.nr]!; });
      if (node.variable) {
        if (!targets && grads[0]) accumulateInto(node.variable, grads[0], createGraph);
      } else if (!needed || needed.has(node)) {
        const t0 = profiling ? performance.now() : 0;
        const inGrads = grads.some((g) => g) ? node.apply(grads) : node.nextFunctions.map(() => null);
        if (profiling) node.metadata.backwardMs = (node.metadata.backwardMs ?? 0) + performance.now() - t0;
        node.nextFunctions.forEach(([m, nr], i) => {
          const g = inGrads[i];
          if (m && g) addTo(m, nr, validGrad(node, i, g));
        });
        if (!retainGraph) node.release();
      }
      for (const [m] of node.nextFunctions) {
        if (!m) continue;
        const left = deps.get(m)! - 1;
        deps.set(m, left);
        if (left === 0) ready.push(m);
      }
    }
    return captured;
  });
}

/** PyTorch's validate_outputs: a gradient must have its input's shape, or broadcast to it (then it is summed back). */
function validGrad(node: GradNode, i: number, g: Tensor): Tensor {
  const want = node.ctxBase.inShapes[i];
  if (!want || (want.length === g.shape.length && want.every((s, k) => s === g.shape[k]))) return g;
  const lead = g.shape.length - want.length;
  const expandable = lead >= 0 && want.every((s, k) => s === g.shape[lead + k] || s === 1);
  if (!expandable) {
    throw new Error(`Function ${node.name} returned an invalid gradient at index ${i} - got [${g.shape.join(', ')}] but expected shape compatible with [${want.join(', ')}]`);
  }
  return sumToShape(g, want);
}

function accumulateInto(leaf: Tensor, g: Tensor, createGraph: boolean): void {
  if (g.dtype !== leaf.dtype) g = g.to(leaf.dtype);
  if (leaf.grad === null) {
    leaf.grad = createGraph ? g : g.detach().clone();
  } else if (createGraph) {
    leaf.grad = leaf.grad.add(g);
  } else {
    const acc = leaf.grad;
    // Fast path (the training-step case): same shape, contiguous float storages -> one loop, no temporary.
    // g may be a transposed view (weight grads of linear layers come through TBackward0): walk it 2-D.
    if (acc.dtype === g.dtype && (acc.dtype === 'float32' || acc.dtype === 'float64') && acc.isContiguous() &&
        acc.shape.length === g.shape.length && acc.shape.length <= 2 && acc.shape.every((s, i) => s === g.shape[i])) {
      const a = acc.storage, b = g.storage, ao = acc.offset, bo = g.offset;
      const rows = acc.shape.length === 2 ? acc.shape[0]! : 1, cols = acc.shape.length === 0 ? 1 : acc.shape[acc.shape.length - 1]!;
      const rs = acc.shape.length === 2 ? g.strides[0]! : 0, cs = acc.shape.length === 0 ? 0 : g.strides[g.strides.length - 1]!;
      for (let r = 0; r < rows; r++) {
        const ar = ao + r * cols, br = bo + r * rs;
        if (cs === 1) for (let c = 0; c < cols; c++) a[ar + c] += b[br + c]!;
        else for (let c = 0; c < cols; c++) a[ar + c] += b[br + c * cs]!;
      }
      acc._bumpVersion();
    } else {
      acc.detach().add_(g.detach());
    }
  }
}

function seedFor(t: Tensor, g: Tensor | null | undefined, what: string): Tensor {
  if (g) {
    if (g.shape.length !== t.shape.length || g.shape.some((s, i) => s !== t.shape[i])) {
      throw new RangeError(`${what}: Mismatch in shape: grad_output[0] has a shape of [${g.shape.join(', ')}] and output[0] has a shape of [${t.shape.join(', ')}].`);
    }
    return g;
  }
  if (t.numel() !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
  return t.onesLikeRaw();
}

/** Tensor.backward: accumulate d(root)/d(leaf) into every leaf's .grad. */
export function backward(root: Tensor, gradient?: Tensor | null, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) throw new Error('element 0 of tensors does not require grad and does not have a grad_fn');
  runBackward([root], [seedFor(root, gradient, 'backward')], opts, null);
}

/** torch.autograd.backward(tensors, grad_tensors): backward from several roots at once. */
export function backwardAll(roots: Tensor[], gradients: (Tensor | null | undefined)[] = [], opts: BackwardOptions = {}): void {
  roots.forEach((r, i) => {
    if (!r.requiresGrad) throw new Error(`element ${i} of tensors does not require grad and does not have a grad_fn`);
  });
  runBackward(roots, roots.map((r, i) => seedFor(r, gradients[i], 'backward')), opts, null);
}

export interface GradOptions extends BackwardOptions { gradOutputs?: (Tensor | null)[] | Tensor | null; allowUnused?: boolean }

/** torch.autograd.grad: gradients of outputs w.r.t. inputs, returned (not accumulated into .grad). */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const gos = opts.gradOutputs == null ? [] : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs];
  outs.forEach((o, i) => {
    if (!o.requiresGrad) throw new Error(`element ${i} of tensors does not require grad and does not have a grad_fn`);
  });
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new Error(`One of the differentiated Tensors (input ${i}) does not require grad`);
  });
  const targets: RunTarget[] = ins.map((t, slot) => (t.gradFn ? { node: t.gradFn, nr: t.outputNr, slot } : { node: accumulateNode(t), nr: 0, slot }));
  const res = runBackward(outs, outs.map((o, i) => seedFor(o, gos[i], 'grad')), opts, targets);
  res.forEach((g, i) => {
    if (g === null && !opts.allowUnused) {
      throw new Error('One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.');
    }
    if (g && g.dtype !== ins[i]!.dtype) res[i] = g.to(ins[i]!.dtype);
  });
  return res;
}

// ---- named composites ---------------------------------------------------------------------------------

/**
 * Run a composite op (built from primitives) as ONE node with PyTorch's name (e.g. 'LerpBackward0'). Its backward
 * differentiates the composite's own primitive sub-graph, so the op needs no gradient code; with createGraph the
 * sub-graph is rebuilt on the real inputs so higher-order gradients stay exact. Outputs that do not require grad
 * (indices) get no history.
 */
export function namedComposite<T extends Tensor | Tensor[]>(name: string, inputs: (Tensor | null)[],
  fn: (...xs: (Tensor | null)[]) => T, op?: string): T {
  if (!needsGrad(...inputs)) return fn(...inputs);
  const t0 = clock();
  const proxies = inputs.map((t) => (t ? (t.requiresGrad ? t.detach().requiresGrad_(true) : t) : null));
  const inner = fn(...proxies);
  const innerOuts = Array.isArray(inner) ? inner : [inner];
  const results = innerOuts.map((o) => o.detach());
  const diff = innerOuts.map((o, i) => (o.requiresGrad ? i : -1)).filter((i) => i >= 0);
  // Absent optional inputs (null) are not edges, as in PyTorch.
  const present = inputs.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
  record('composite', name, present.map((i) => inputs[i]!), diff.map((i) => results[i]!), [],
    { fn, inputs, present, proxies, innerOuts: diff.map((i) => innerOuts[i]!) }, t0, op ?? name);
  return (Array.isArray(inner) ? results : results[0]) as T;
}

/** @internal Backward of a named composite. */
export function compositeBackward(grads: (Tensor | null)[], attrs: Record<string, any>): (Tensor | null)[] {
  const inputs = attrs.inputs as (Tensor | null)[];
  const wrt = inputs.map((t, i) => (t && t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  let outs: Tensor[], srcs: Tensor[];
  if (gradEnabled) {
    // createGraph: differentiate a fresh sub-graph over the real inputs.
    const again = (attrs.fn as (...xs: (Tensor | null)[]) => Tensor | Tensor[])(...inputs);
    const all = Array.isArray(again) ? again : [again];
    outs = all.filter((o) => o.requiresGrad);
    srcs = wrt.map((i) => inputs[i]!);
  } else {
    outs = attrs.innerOuts as Tensor[];
    srcs = wrt.map((i) => (attrs.proxies as Tensor[])[i]!);
  }
  const seeds = outs.map((o, k) => grads[k] ?? o.onesLikeRaw().mul(0));
  const got = grad(outs, srcs, { gradOutputs: seeds, retainGraph: true, createGraph: gradEnabled, allowUnused: true });
  const res: (Tensor | null)[] = inputs.map(() => null);
  wrt.forEach((i, k) => { res[i] = got[k] ?? null; });
  return (attrs.present as number[]).map((i) => res[i]!);
}

// ---- custom fused ops --------------------------------------------------------------------------------

/**
 * A fused op with its own backward (conv, pooling, fused losses...). `forward` runs with grad disabled;
 * `backward` returns one gradient per input (null when none). The node is named `name` (e.g. 'ConvolutionBackward0').
 */
export function customOp(name: string, inputs: (Tensor | null)[], forward: () => Tensor | Tensor[],
  backwardFn: (gradOutputs: (Tensor | null)[], outputs: Tensor[]) => (Tensor | null)[],
  meta?: { op?: string; attrs?: Record<string, unknown> }): Tensor | Tensor[] {
  const t0 = clock();
  const res = noGrad(forward);
  const outs = Array.isArray(res) ? res : [res];
  if (needsGrad(...inputs)) {
    // Outputs are referenced weakly through attrs so user code in backward can read them.
    const node = record('custom', name, inputs, outs, [], { fn: backwardFn, outputs: outs, ...(meta?.attrs ?? {}) }, t0, meta?.op ?? name);
    if (node && meta?.attrs) node.metadata.attrs = meta.attrs;
  }
  return res;
}
