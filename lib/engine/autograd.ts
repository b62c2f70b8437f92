// Autograd's backward engine: runs the recorded graph (graph.ts) with the gradient rules (gradients.ts), plus grad(),
// named composites and custom fused ops. Op modules never import this file; only composite.ts (namedComposite),
// the method registry (Tensor.backward) and the entry module do.
import { legacyTypeName, isFloating } from './dtype.ts';
import { zeros } from './creation.ts';
import { sumToShape } from './reduce.ts';
import { isResident, nativeKernels, residentFloat32 } from './kernels/index.ts';
import { uninitFloat32, uninitLike, trackAllocations, stopTracking, releaseBuffer, untrack } from './kernels/alloc.ts';
import { Tensor } from './tensor.ts';
import { GRADIENTS, type GradCtx, type Rule } from './gradients.ts';
import {
  GradNode,
  accumulateNode,
  edgeOf,
  clock,
  isGradEnabled,
  isProfiling,
  needsGrad,
  noGrad,
  record,
  withGradMode,
  type BackwardOptions,
  type GradHook,
} from './graph.ts';

// ---- engine ----------------------------------------------------------------------------------------

/**
 * True while a plain `backward()` (no create_graph, not autograd.grad) runs: only then may a fused op's backward add
 * a parameter's gradient straight into its `.grad` (see leafGradBuffer).
 */
let directAccumulation = false;

/**
 * For a fused op's backward (customOp): where it may write its gradient for input `t` itself, instead of returning it
 * for AccumulateGrad to add into `t.grad`. Saves a gradient-sized temporary and a pass over it per parameter and step
 * (for a linear layer: the GEMM writes dW with beta = 1 straight into `.grad`). Returns null unless it is exactly
 * equivalent: a plain `backward()`, `t` a float leaf that requires grad with no gradient hooks, and `t.grad` absent
 * or a contiguous, detached tensor of t's shape and dtype. When `.grad` is absent it is created here (uninitialised:
 * `fresh` is true and the caller must write every element, as beta = 0). The caller then returns null for `t`,
 * writes the data, and calls `done()`.
 */
export function leafGradBuffer(t: Tensor | null): { data: Float32Array | Float64Array; fresh: boolean; done: () => void } | null {
  if (!directAccumulation || t === null || !t._requiresGrad || t.gradFn !== null || (t._hooks && t._hooks.length > 0)) return null;
  if (t.dtype !== 'float32' && t.dtype !== 'float64') return null;
  const g = t.grad;
  if (g === null) {
    const n = t.numel();
    // A parameter resident in the wasm heap gets its gradient there too: the GEMM then writes it in place, and the
    // optimizer reads both without copies.
    const resident = residentGradData(t, n);
    const data = resident ?? (t.dtype === 'float32' ? uninitFloat32(n) : (uninitLike(new Float64Array(0), n) as Float64Array));
    untrack(data.buffer); // becomes t.grad: never recycled by this backward pass
    const fresh = Tensor.fromTypedArray(data, t.shape, t.dtype);
    t.grad = fresh;
    return { data, fresh: true, done: () => {} };
  }
  if (g.dtype !== t.dtype || g.requiresGrad || !g.isContiguous() || g.shape.length !== t.shape.length) return null;
  for (let i = 0; i < g.shape.length; i++) if (g.shape[i] !== t.shape[i]) return null;
  const n = g.numel();
  const data = (g.storage as Float32Array | Float64Array).subarray(g.offset, g.offset + n);
  return { data, fresh: false, done: () => g._bumpVersion() };
}

/** Apply a node's gradient rule (from THE table, gradients.ts) to the gradients of its outputs. */
function applyRule(node: GradNode, grads: (Tensor | null)[]): (Tensor | null)[] {
  if (node.saved === null) {
    throw new Error(
      'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.',
    );
  }
  const saved = node.saved.map((s) => {
    if (s === null) return null;
    if (s.tensor.version !== s.version) {
      throw new Error(
        `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `[${legacyTypeName(s.tensor.dtype)} [${s.tensor.shape.join(', ')}]]` +
          (s.producer ? `, which is output ${s.outputNr} of ${s.producer},` : '') +
          ` is at version ${s.tensor.version}; expected version ${s.version} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).`,
      );
    }
    return s.tensor;
  });
  const ctx: GradCtx = { ...node.ctxBase, saved, grads, attrs: node.attrs };
  const first = grads[0] ?? zeros(node.ctxBase.outShapes[0]!, { dtype: node.metadata.outputDtype });
  const res: (Tensor | null)[] = (GRADIENTS[node.rule!] as Rule)(first, ctx);
  // Gradients take their input's dtype (a float64 0-dim operand of a float32 op gets a float64 grad).
  return res.map((g, i) => {
    const d = node.ctxBase.inDtypes[i];
    return g && d && g.dtype !== d && isFloating(d) ? g.to(d) : g;
  });
}

function runHooks(hooks: readonly GradHook[] | undefined, g: Tensor | null): Tensor | null {
  if (!hooks || !g) return g;
  for (const h of hooks) {
    const r = h(g);
    if (r) g = r;
  }
  return g;
}

interface RunTarget {
  node: GradNode;
  nr: number;
  slot: number;
}

/**
 * Run backward from `roots` with seed gradients. When `targets` is given (autograd.grad), gradients are
 * captured at those (node, output) pairs instead of being accumulated into leaves' .grad.
 */
function runBackward(roots: Tensor[], seeds: Tensor[], opts: BackwardOptions, targets: RunTarget[] | null): (Tensor | null)[] {
  const outer = directAccumulation;
  directAccumulation = !targets && !(opts.createGraph ?? false);
  try {
    return runGraph(roots, seeds, opts, targets);
  } finally {
    directAccumulation = outer;
  }
}

function runGraph(roots: Tensor[], seeds: Tensor[], opts: BackwardOptions, targets: RunTarget[] | null): (Tensor | null)[] {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const captured: (Tensor | null)[] = targets ? targets.map(() => null) : [];

  // Discover the graph and count incoming edges.
  const deps = new Map<GradNode, number>();
  const stack: GradNode[] = [];
  const rootEdges = roots.map(edgeOf);
  for (const [n] of rootEdges)
    if (n && !deps.has(n)) {
      deps.set(n, 0);
      stack.push(n);
    }
  while (stack.length) {
    const n = stack.pop()!;
    for (const [m] of n.nextFunctions) {
      if (!m) continue;
      if (!deps.has(m)) {
        deps.set(m, 0);
        stack.push(m);
      }
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
        if (n.nextFunctions.some(([m]) => m && needed!.has(m))) {
          needed.add(n);
          changed = true;
        }
      }
    }
  }

  // Caching allocator (kernels/alloc.ts): in a plain backward() the gradients passed between nodes belong to this
  // pass. Buffers allocated during it are counted while pending gradients refer to them (views included, by their
  // ArrayBuffer) and go back to the cache when the last such gradient has been consumed. Gradients seen by hooks,
  // retained or returned to the caller escape (are never released).
  const born = !createGraph && !targets ? trackAllocations() : null;
  const refs = new Map<ArrayBufferLike, number>();
  const hold = (g: Tensor): void => {
    if (born === null) return;
    const b = g.storage.buffer;
    if (born.has(b as ArrayBuffer)) refs.set(b, (refs.get(b) ?? 0) + 1);
  };
  const drop = (g: Tensor | null | undefined): void => {
    if (born === null || !g) return;
    const b = g.storage.buffer;
    const c = refs.get(b);
    if (c === undefined) return;
    if (c > 1) refs.set(b, c - 1);
    else {
      refs.delete(b);
      born.delete(b as ArrayBuffer);
      releaseBuffer(b as ArrayBuffer);
    }
  };
  const escape = (g: Tensor | null | undefined): void => {
    if (born === null || !g) return;
    born.delete(g.storage.buffer as ArrayBuffer);
    refs.delete(g.storage.buffer);
  };

  const buffers = new Map<GradNode, (Tensor | null)[]>();
  const addTo = (n: GradNode, nr: number, g: Tensor): void => {
    let b = buffers.get(n);
    if (!b) {
      b = new Array(n.numOutputs).fill(null);
      buffers.set(n, b);
    }
    hold(g);
    const prev = b[nr];
    if (prev) {
      const sum = prev.add(g);
      hold(sum);
      b[nr] = sum;
      drop(prev);
      drop(g);
    } else b[nr] = g;
  };

  try {
    return runReady();
  } finally {
    stopTracking(born);
  }

  function runReady(): (Tensor | null)[] {
    return withGradMode(createGraph, () => {
      rootEdges.forEach(([n, nr], i) => {
        if (n) addTo(n, nr, seeds[i]!);
      });
      const ready: GradNode[] = [];
      for (const [n] of rootEdges) if (n && deps.get(n) === 0 && !ready.includes(n)) ready.push(n);
      while (ready.length) {
        const node = ready.pop()!;
        const grads = buffers.get(node) ?? new Array(node.numOutputs).fill(null);
        buffers.delete(node);
        // Hooks may keep the gradient they see or the one they return, and retained gradients belong to the tensor.
        const exposed = !!(node.hooks || node.variable?._hooks?.length || node.retained);
        if (exposed) for (const g of grads as (Tensor | null)[]) escape(g);
        if (node.hooks) for (const [nr, hs] of node.hooks) grads[nr] = runHooks(hs, grads[nr] ?? null);
        if (node.variable) grads[0] = runHooks(node.variable._hooks, grads[0] ?? null);
        if (exposed) for (const g of grads as (Tensor | null)[]) escape(g);
        if (node.retained) {
          for (const [nr, t] of node.retained) {
            const g = grads[nr];
            if (g) t.grad = t.grad ? t.grad.add(g.detach()) : g.detach().clone();
          }
        }
        if (targets)
          targets.forEach((t, i) => {
            if (t.node === node && grads[t.nr]) captured[i] = grads[t.nr]!;
          });
        if (node.variable) {
          if (!targets && grads[0]) accumulateInto(node.variable, grads[0], createGraph);
        } else if (!needed || needed.has(node)) {
          const profiling = isProfiling();
          const t0 = profiling ? performance.now() : 0;
          const inGrads = grads.some((g) => g) ? applyRule(node, grads) : node.nextFunctions.map(() => null);
          if (profiling) node.metadata.backwardMs = (node.metadata.backwardMs ?? 0) + performance.now() - t0;
          node.nextFunctions.forEach(([m, nr], i) => {
            const g = inGrads[i];
            if (m && g) addTo(m, nr, validGrad(node, i, g));
          });
          if (!retainGraph) node.release();
        }
        for (const g of grads as (Tensor | null)[]) drop(g);
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
}

/** PyTorch's validate_outputs: a gradient must have its input's shape, or broadcast to it (then it is summed back). */
function validGrad(node: GradNode, i: number, g: Tensor): Tensor {
  const want = node.ctxBase.inShapes[i];
  if (!want || (want.length === g.shape.length && want.every((s, k) => s === g.shape[k]))) return g;
  const lead = g.shape.length - want.length;
  const expandable = lead >= 0 && want.every((s, k) => s === g.shape[lead + k] || s === 1);
  if (!expandable) {
    throw new Error(
      `Function ${node.name} returned an invalid gradient at index ${i} - got [${g.shape.join(', ')}] but expected shape compatible with [${want.join(', ')}]`,
    );
  }
  return sumToShape(g, want);
}

/** Leaves that have been given a gradient in the wasm heap (residentGradData). */
const residentGradGiven = new WeakSet<Tensor>();

/**
 * A zeroed array of n floats in the wasm heap for the gradient of leaf t when t itself lives there (the GEMMs then
 * write the gradient in place and the optimizer reads both without copies); null otherwise. Once per leaf: heap
 * blocks return only when a finalizer runs, which a synchronous training loop never lets happen, so a loop that drops
 * .grad every step (zeroGrad({ setToNone: true })) would pile up a block per step. Later gradients of the same leaf
 * are ordinary arrays.
 */
function residentGradData(t: Tensor, n: number): Float32Array | null {
  if (t.dtype !== 'float32' || residentGradGiven.has(t) || !isResident(t.storage as Float32Array)) return null;
  const data = residentFloat32(n);
  if (data !== null) residentGradGiven.add(t);
  return data;
}

/** For a leaf resident in the wasm heap (see leafGradBuffer): a copy of g there, to be its .grad; else null. */
function residentClone(leaf: Tensor, g: Tensor): Tensor | null {
  const data = residentGradData(leaf, g.numel());
  if (data === null) return null;
  const c = Tensor.fromTypedArray(data, g.shape, 'float32');
  c.copy_(g.detach());
  return c;
}

function accumulateInto(leaf: Tensor, g: Tensor, createGraph: boolean): void {
  if (g.dtype !== leaf.dtype) g = g.to(leaf.dtype);
  if (leaf.grad === null) {
    leaf.grad = createGraph ? g : (residentClone(leaf, g) ?? g.detach().clone());
  } else if (createGraph) {
    leaf.grad = leaf.grad.add(g);
  } else {
    const acc = leaf.grad;
    // Fast path (the training-step case): same shape, contiguous float storages -> one loop, no temporary.
    // g may be a transposed view (weight grads of linear layers come through TBackward0): walk it 2-D.
    if (
      acc.dtype === g.dtype &&
      (acc.dtype === 'float32' || acc.dtype === 'float64') &&
      acc.isContiguous() &&
      acc.shape.length === g.shape.length &&
      acc.shape.length <= 2 &&
      acc.shape.every((s, i) => s === g.shape[i])
    ) {
      const a = acc.storage,
        b = g.storage,
        ao = acc.offset,
        bo = g.offset;
      const rows = acc.shape.length === 2 ? acc.shape[0]! : 1,
        cols = acc.shape.length === 0 ? 1 : acc.shape[acc.shape.length - 1]!;
      const rs = acc.shape.length === 2 ? g.strides[0]! : 0,
        cs = acc.shape.length === 0 ? 0 : g.strides[g.strides.length - 1]!;
      const nat = nativeKernels();
      if (nat && a instanceof Float32Array && b instanceof Float32Array) nat.addStrided(a, ao, b, bo, rows, cols, rs, cs);
      else
        for (let r = 0; r < rows; r++) {
          const ar = ao + r * cols,
            br = bo + r * rs;
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
      throw new RangeError(
        `${what}: Mismatch in shape: grad_output[0] has a shape of [${g.shape.join(', ')}] and output[0] has a shape of [${t.shape.join(', ')}].`,
      );
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
  runBackward(
    roots,
    roots.map((r, i) => seedFor(r, gradients[i], 'backward')),
    opts,
    null,
  );
}

export interface GradOptions extends BackwardOptions {
  gradOutputs?: (Tensor | null)[] | Tensor | null;
  allowUnused?: boolean;
}

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
  const targets: RunTarget[] = ins.map((t, slot) =>
    t.gradFn ? { node: t.gradFn, nr: t.outputNr, slot } : { node: accumulateNode(t), nr: 0, slot },
  );
  const res = runBackward(
    outs,
    outs.map((o, i) => seedFor(o, gos[i], 'grad')),
    opts,
    targets,
  );
  res.forEach((g, i) => {
    if (g === null && !opts.allowUnused) {
      throw new Error(
        'One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.',
      );
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
export function namedComposite<T extends Tensor | Tensor[]>(
  name: string,
  inputs: (Tensor | null)[],
  fn: (...xs: (Tensor | null)[]) => T,
  op?: string,
): T {
  if (!needsGrad(...inputs)) return fn(...inputs);
  const t0 = clock();
  const proxies = inputs.map((t) => (t ? (t.requiresGrad ? t.detach().requiresGrad_(true) : t) : null));
  const inner = fn(...proxies);
  const innerOuts = Array.isArray(inner) ? inner : [inner];
  const results = innerOuts.map((o) => o.detach());
  const diff = innerOuts.map((o, i) => (o.requiresGrad ? i : -1)).filter((i) => i >= 0);
  // Absent optional inputs (null) are not edges, as in PyTorch.
  const present = inputs.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
  record(
    'composite',
    name,
    present.map((i) => inputs[i]!),
    diff.map((i) => results[i]!),
    [],
    { backward: compositeBackward, fn, inputs, present, proxies, innerOuts: diff.map((i) => innerOuts[i]!) },
    t0,
    op ?? name,
  );
  return (Array.isArray(inner) ? results : results[0]) as T;
}

/** @internal Backward of a named composite. */
export function compositeBackward(grads: (Tensor | null)[], attrs: Record<string, any>): (Tensor | null)[] {
  const inputs = attrs.inputs as (Tensor | null)[];
  const wrt = inputs.map((t, i) => (t && t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  let outs: Tensor[], srcs: Tensor[];
  const gradEnabled = isGradEnabled();
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
  wrt.forEach((i, k) => {
    res[i] = got[k] ?? null;
  });
  return (attrs.present as number[]).map((i) => res[i]!);
}

// ---- custom fused ops --------------------------------------------------------------------------------

/**
 * A fused op with its own backward (conv, pooling, fused losses...). `forward` runs with grad disabled;
 * `backward` returns one gradient per input (null when none). The node is named `name` (e.g. 'ConvolutionBackward0').
 * In a plain backward() the gradOutputs it receives belong to the engine, which hands their buffers to the caching
 * allocator once `backward` has run (kernels/alloc.ts): it may return them or views of them, but must not keep them.
 */
export function customOp(
  name: string,
  inputs: (Tensor | null)[],
  forward: () => Tensor | Tensor[],
  backwardFn: (gradOutputs: (Tensor | null)[], outputs: Tensor[]) => (Tensor | null)[],
  meta?: { op?: string; attrs?: Record<string, unknown> },
): Tensor | Tensor[] {
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
