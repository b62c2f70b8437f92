// The autograd graph as ops record it: grad mode, module scopes, profiling, GradNode and record().
// Every op module depends on this file and it depends on none of them (only on types), so ops can record nodes
// without an import cycle. Running the graph backward is autograd.ts; the gradient rules are gradients.ts.
import type { DType } from './dtype.ts';
import type { Tensor } from './tensor.ts';
import type { Primitive, GradCtx } from './gradients.ts';

// ---- grad mode, scopes, profiling -------------------------------------------------------------

let gradEnabled = true;
export function isGradEnabled(): boolean {
  return gradEnabled;
}
export function setGradEnabled(on: boolean): void {
  gradEnabled = on;
}

/** @internal Run `fn` with grad mode set to `on`, restoring the previous mode after. */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = on;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}
/** Run `fn` without recording a graph (torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}
/** Run `fn` with graph recording on (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

const scopes: string[] = [];
/** Enter a module scope; nodes created until popScope() record it (joined by '/'). */
export function pushScope(name: string): void {
  scopes.push(name);
}
export function popScope(): void {
  scopes.pop();
}
export function currentScope(): string {
  return scopes.join('/');
}

let profiling = false;
/** When on, nodes record forwardMs (set by the op) and backwardMs (set by the engine). */
export function setProfiling(on: boolean): void {
  profiling = on;
}
export function isProfiling(): boolean {
  return profiling;
}
/** Start time for an op's forward when profiling, else 0 (cheap). */
export function clock(): number {
  return profiling ? performance.now() : 0;
}

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
export type Saved = { tensor: Tensor; version: number; producer: string | null; outputNr: number } | null;

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

  constructor(
    name: string,
    rule: Primitive | null,
    next: Array<[GradNode | null, number]>,
    meta: NodeMetadata,
    variable: Tensor | null,
    saved: Saved[],
    attrs: Record<string, any>,
    ctxBase: GradNode['ctxBase'],
    numOutputs: number,
  ) {
    this.name = name;
    this.rule = rule;
    this.nextFunctions = next;
    this.metadata = meta;
    this.variable = variable;
    this.saved = saved;
    this.attrs = attrs;
    this.ctxBase = ctxBase;
    this.numOutputs = numOutputs;
  }

  toString(): string {
    return `<${this.name}>`;
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
  const meta: NodeMetadata = {
    op: 'AccumulateGrad',
    inputShapes: [],
    inputDtypes: [],
    outputShape: [...t.shape],
    outputDtype: t.dtype,
    scope: currentScope(),
  };
  t._accNode = new GradNode('AccumulateGrad', null, [], meta, t, [], {}, { inShapes: [], inDtypes: [], outShapes: [] }, 1);
  return t._accNode;
}

/** @internal The (node, output) edge a gradient for `t` flows into. */
export function edgeOf(t: Tensor | null): [GradNode | null, number] {
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
export function record(
  rule: Primitive,
  name: string,
  inputs: (Tensor | null)[],
  outputs: Tensor[],
  saved: (Tensor | null)[] = [],
  attrs: Record<string, any> = {},
  t0 = 0,
  op?: string,
): GradNode | null {
  if (!needsGrad(...inputs)) return null;
  const first = outputs[0]!;
  const meta: NodeMetadata = {
    op: op ?? rule,
    inputShapes: inputs.map((t) => (t ? [...t.shape] : [])),
    inputDtypes: inputs.map((t) => (t ? t.dtype : null)),
    outputShape: [...first.shape],
    outputDtype: first.dtype,
    scope: currentScope(),
  };
  if (profiling && t0) meta.forwardMs = performance.now() - t0;
  const ctxBase = { inShapes: meta.inputShapes, inDtypes: meta.inputDtypes, outShapes: outputs.map((o) => [...o.shape]) };
  const node = new GradNode(
    name,
    rule,
    inputs.map(edgeOf),
    meta,
    null,
    saved.map((t) => {
      if (!t) return null;
      const out = outputs.indexOf(t);
      return { tensor: t, version: t.version, producer: out >= 0 ? name : (t.gradFn?.name ?? null), outputNr: out >= 0 ? out : t.outputNr };
    }),
    attrs,
    ctxBase,
    outputs.length,
  );
  outputs.forEach((o, i) => {
    o.gradFn = node;
    o.outputNr = i;
  });
  return node;
}

/** Options of Tensor.backward / backwardAll. */
export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
}

/** A tensor gradient hook: may return a replacement gradient. */
export type GradHook = (grad: Tensor) => Tensor | void | null | undefined;
