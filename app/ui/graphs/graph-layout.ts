// dagre layout of a VisibleGraph (top to bottom), with room for edge labels.
import dagre from '@dagrejs/dagre';
import type { VisibleGraph } from './graph-model.ts';

export interface Placed {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface PlacedEdge {
  from: string;
  to: string;
  label: string;
  control: boolean;
  points: Array<{ x: number; y: number }>;
  lx: number;
  ly: number;
}
export interface Layout {
  nodes: Map<string, Placed>;
  edges: PlacedEdge[];
  width: number;
  height: number;
}

const CHAR_W = 6.6;

export function layoutGraph(g: VisibleGraph): Layout {
  const dg = new dagre.graphlib.Graph({ multigraph: false });
  dg.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 42, edgesep: 10, marginx: 20, marginy: 20 });
  dg.setDefaultEdgeLabel(() => ({}));
  for (const n of g.nodes) {
    const text = n.kind === 'scope' ? `${n.label} (${n.size})` : n.label;
    const sub = n.kind === 'op' ? (n.node?.op ?? '') : 'scope';
    dg.setNode(n.id, { width: Math.max(70, Math.max(text.length, sub.length) * CHAR_W + 20), height: 38 });
  }
  for (const e of g.edges)
    dg.setEdge(e.from, e.to, { label: e.label, width: e.label.length * 5.4, height: e.label ? 12 : 0, labelpos: 'c' });
  dagre.layout(dg);
  const nodes = new Map<string, Placed>();
  for (const id of dg.nodes()) {
    const n = dg.node(id);
    nodes.set(id, { id, x: n.x, y: n.y, w: n.width, h: n.height });
  }
  const edges: PlacedEdge[] = g.edges.map((e) => {
    const de = dg.edge(e.from, e.to) as { points: Array<{ x: number; y: number }>; x?: number; y?: number };
    const mid = de.points[Math.floor(de.points.length / 2)]!;
    return { ...e, points: de.points, lx: de.x ?? mid.x, ly: de.y ?? mid.y };
  });
  const graph = dg.graph();
  return { nodes, edges, width: graph.width ?? 0, height: graph.height ?? 0 };
}
