// Graph export for SummaryWriter.addGraph: runs the model once with profiling on, then walks the autograd DAG from the
// outputs. Every recorded op becomes a node named by its module scope (NeuralNetwork/Sequential[linear_relu_stack]/
// Linear[0]/addmm_3) carrying its shapes, dtype, forward time, and its backward node's name and time (measured by a
// backward pass through autograd.grad, which leaves the model's .grad untouched).
import { Tensor, GradNode, setProfiling, isProfiling, grad } from '../engine/index.ts';
import type { GraphDescription, GraphNode } from '../tfevents/graph.ts';
import { Module } from './module.ts';

function collectTensors(x: unknown, out: Tensor[]): void {
  if (x instanceof Tensor) out.push(x);
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, out);
}

/** Scope string of every submodule: root class name, then `Class[attr]` per level (PyTorch's tracer convention). */
function moduleScopes(model: Module): Map<Module, string> {
  const scopes = new Map<Module, string>();
  const visit = (m: Module, scope: string) => {
    scopes.set(m, scope);
    for (const [name, child] of m.namedChildren()) {
      if (!scopes.has(child)) visit(child, `${scope}/${child.constructor.name}[${name}]`);
    }
  };
  visit(model, model.constructor.name);
  return scopes;
}

/** Traces `model.call(...inputs)` into a GraphDescription. */
export function traceGraph(model: Module, input: Tensor | Tensor[]): GraphDescription {
  if (!(model instanceof Module)) throw new TypeError('traceGraph: model must be an nn.Module');
  const rawInputs = Array.isArray(input) ? input : [input];
  // Inputs are re-created as grad-requiring leaves so ops that touch only the input are recorded too.
  const inputs = rawInputs.map((t) => {
    if (!(t instanceof Tensor)) throw new TypeError('traceGraph: inputs must be Tensors');
    const c = t.detach().clone();
    if (c.dtype === 'float32' || c.dtype === 'float64') c.requiresGrad_(true);
    return c;
  });
  const wasProfiling = isProfiling();
  const t0 = performance.now();
  setProfiling(true);
  let outputs: Tensor[] = [];
  try {
    const out = (model.call as (...a: unknown[]) => unknown)(...inputs);
    collectTensors(out, outputs);
    outputs = outputs.filter((o) => o.gradFn !== null);
    // Backward timings: gradients w.r.t. all leaves reached, without touching .grad.
    const leaves: Tensor[] = [];
    const seenNodes = new Set<GradNode>();
    const stack = outputs.map((o) => o.gradFn!);
    while (stack.length) {
      const n = stack.pop()!;
      if (seenNodes.has(n)) continue;
      seenNodes.add(n);
      if (n.variable) leaves.push(n.variable);
      for (const [m] of n.nextFunctions) if (m) stack.push(m);
    }
    if (outputs.length && leaves.length) {
      grad(outputs, leaves, { gradOutputs: outputs.map((o) => o.detach().clone().fill_(1)), allowUnused: true });
    }
  } finally {
    setProfiling(wasProfiling);
  }
  return describe(model, inputs, outputs, t0);
}

function describe(model: Module, inputs: Tensor[], outputs: Tensor[], t0: number): GraphDescription {
  const scopes = moduleScopes(model);
  const paramNames = new Map<Tensor, string>();
  for (const [m, scope] of scopes) {
    for (const [name, p] of m._parameters) if (p && !paramNames.has(p)) paramNames.set(p, `${scope}/${name}`);
    for (const [name, b] of m._buffers) if (b && !paramNames.has(b)) paramNames.set(b, `${scope}/${name}`);
  }
  const nodes: GraphNode[] = [];
  const names = new Map<GradNode, string>();
  const inputNames = new Map<Tensor, string>();
  const used = new Set<string>();
  const unique = (base: string) => {
    let n = base;
    for (let k = 1; used.has(n); k++) n = `${base}_${k}`;
    used.add(n);
    return n;
  };
  inputs.forEach((t, i) => {
    const name = unique(`input/input.${i + 1}`);
    nodes.push({ name, op: 'IO Node', inputs: [], outputShapes: [[...t.shape]], dtype: t.dtype, scope: 'input' });
    inputNames.set(t, name);
  });
  // Post-order DFS from the outputs gives producers before consumers (the forward order).
  const order: GradNode[] = [];
  const state = new Map<GradNode, 1 | 2>();
  for (const o of outputs) {
    const stack: Array<[GradNode, number]> = [[o.gradFn!, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [n, i] = top;
      if (i === 0) {
        if (state.has(n)) {
          stack.pop();
          continue;
        }
        state.set(n, 1);
      }
      if (i < n.nextFunctions.length) {
        top[1]++;
        const m = n.nextFunctions[i]![0];
        if (m && !state.has(m)) stack.push([m, 0]);
      } else {
        state.set(n, 2);
        order.push(n);
        stack.pop();
      }
    }
  }
  let clock = 0;
  const startBase = (performance.timeOrigin + t0) * 1000;
  for (const n of order) {
    if (names.has(n)) continue;
    const md = n.metadata;
    if (n.variable && inputNames.has(n.variable)) {
      names.set(n, inputNames.get(n.variable)!);
      continue;
    }
    if (n.variable) {
      const pname = paramNames.get(n.variable) ?? `${md.scope || model.constructor.name}/leaf`;
      const name = unique(pname);
      names.set(n, name);
      nodes.push({
        name,
        op: 'Parameter',
        inputs: [],
        outputShapes: [[...n.variable.shape]],
        dtype: n.variable.dtype,
        scope: pname.split('/').slice(0, -1).join('/'),
      });
      continue;
    }
    const scope = md.scope || model.constructor.name;
    const name = unique(`${scope}/${md.op}`);
    names.set(n, name);
    const fwdUs = (md.forwardMs ?? 0) * 1000;
    const attrs: Record<string, string | number> = { grad_fn: n.name };
    if (md.backwardMs !== undefined) attrs.backward_us = Math.round(md.backwardMs * 1000 * 100) / 100;
    if (md.attrs) {
      for (const [k, v] of Object.entries(md.attrs)) {
        if (typeof v === 'number' || typeof v === 'string') attrs[k] = v;
        else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) attrs[k] = `[${v.join(', ')}]`;
      }
    }
    nodes.push({
      name,
      op: md.op,
      scope,
      inputs: n.nextFunctions.filter(([m]) => m && names.has(m)).map(([m]) => names.get(m!)!),
      outputShapes: [md.outputShape],
      dtype: md.outputDtype,
      attrs,
      timing: { startMicros: startBase + clock, durationMicros: fwdUs },
    });
    clock += fwdUs;
  }
  outputs.forEach((o, i) => {
    const src = names.get(o.gradFn!);
    nodes.push({
      name: unique(`output/output.${i + 1}`),
      op: 'IO Node',
      inputs: src ? [src] : [],
      outputShapes: [[...o.shape]],
      dtype: o.dtype,
      scope: 'output',
    });
  });
  return { nodes };
}
