// Graph view model: turns GraphDef nodes into what is drawn, with name scopes ('/'-separated)
// collapsed into single boxes unless expanded, edges deduplicated and labelled with shapes.
// Pure (no React, no DOM): unit-tested in test/app/graph-model.test.ts.
import type { GraphNode } from '../../../lib/store/types.ts';

export interface VisibleNode {
  id: string;
  label: string;
  kind: 'op' | 'scope';
  /** For scopes: how many graph nodes are inside. */
  size: number;
  node?: GraphNode;
  backward: boolean;
  param: boolean;
}
export interface VisibleEdge {
  from: string;
  to: string;
  label: string;
  control: boolean;
}
export interface VisibleGraph {
  nodes: VisibleNode[];
  edges: VisibleEdge[];
  scopes: string[];
}

const DTYPES: Record<number, string> = {
  1: 'float32',
  2: 'float64',
  3: 'int32',
  4: 'uint8',
  5: 'int16',
  6: 'int8',
  7: 'string',
  9: 'int64',
  10: 'bool',
  14: 'bfloat16',
  19: 'float16',
};
const PARAM_OPS = new Set(['Parameter', 'Variable', 'VariableV2', 'VarHandleOp', 'prim::GetAttr', 'Const', 'AccumulateGrad']);

/** 'a/b:1' and '^a/b' (control input) -> 'a/b'. */
export function inputName(input: string): { name: string; control: boolean } {
  const control = input.startsWith('^');
  const raw = control ? input.slice(1) : input;
  const m = /^(.*?)(:\d+)?$/.exec(raw)!;
  return { name: m[1]!, control };
}

/** Every scope (proper '/'-prefix) of the node names, outermost first. */
export function scopesOf(nodes: GraphNode[]): string[] {
  const set = new Set<string>();
  for (const n of nodes) {
    const parts = n.name.split('/');
    for (let i = 1; i < parts.length; i++) set.add(parts.slice(0, i).join('/'));
  }
  return [...set].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

/** The drawn node a graph node belongs to: its outermost collapsed scope, or itself. */
export function representative(name: string, expanded: ReadonlySet<string>): string {
  const parts = name.split('/');
  for (let i = 1; i < parts.length; i++) {
    const scope = parts.slice(0, i).join('/');
    if (!expanded.has(scope)) return `scope:${scope}`;
  }
  return name;
}

function dims(shape: unknown): string | null {
  if (!Array.isArray(shape)) return null;
  if (shape.every((d) => typeof d === 'number'))
    return shape.length === 0 ? 'scalar' : shape.map((d) => (d < 0 ? '?' : String(d))).join('×');
  return null;
}

/** Output shape(s) of a node, from `_output_shapes` (TF/PyTorch/ours) or a `shape` attr. */
export function shapeLabel(node: GraphNode | undefined): string {
  if (!node) return '';
  const a = node.attrs;
  const os = a._output_shapes ?? a.output_shapes;
  if (Array.isArray(os)) {
    const parts = os.map(dims).filter((x): x is string => x !== null);
    if (parts.length) return parts.join(', ');
  }
  return dims(a.shape) ?? '';
}

export function dtypeLabel(node: GraphNode | undefined): string {
  if (!node) return '';
  const d = node.attrs.dtype ?? node.attrs.T;
  if (d && typeof d === 'object' && 'dtype' in (d as object))
    return DTYPES[(d as { dtype: number }).dtype] ?? `dtype ${(d as { dtype: number }).dtype}`;
  return typeof d === 'string' ? d : '';
}

export function isBackward(n: GraphNode): boolean {
  return /Backward\d*$/.test(n.op) || /Backward\d*$/.test(n.name.split('/').pop() ?? '');
}

export function buildVisible(nodes: GraphNode[], expanded: ReadonlySet<string>): VisibleGraph {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const visible = new Map<string, VisibleNode>();
  for (const n of nodes) {
    const id = representative(n.name, expanded);
    const existing = visible.get(id);
    if (existing) {
      existing.size++;
      if (isBackward(n)) existing.backward = true;
      continue;
    }
    if (id.startsWith('scope:')) {
      const scope = id.slice(6);
      visible.set(id, { id, label: scope.split('/').pop()!, kind: 'scope', size: 1, backward: isBackward(n), param: false });
    } else {
      visible.set(id, {
        id,
        label: n.name.split('/').pop()!,
        kind: 'op',
        size: 1,
        node: n,
        backward: isBackward(n),
        param: PARAM_OPS.has(n.op),
      });
    }
  }
  const edges = new Map<string, VisibleEdge>();
  for (const n of nodes) {
    const to = representative(n.name, expanded);
    for (const input of n.inputs) {
      const { name, control } = inputName(input);
      if (!byName.has(name)) continue;
      const from = representative(name, expanded);
      if (from === to) continue;
      const key = `${from}\u0000${to}`;
      if (edges.has(key)) continue;
      edges.set(key, { from, to, label: shapeLabel(byName.get(name)), control });
    }
  }
  return { nodes: [...visible.values()], edges: [...edges.values()], scopes: scopesOf(nodes) };
}
