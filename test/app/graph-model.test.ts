import { expect, test } from 'vitest';
import type { GraphNode } from '../../lib/store/types.ts';
import { buildVisible, dtypeLabel, inputName, representative, scopesOf, shapeLabel } from '../../app/ui/graphs/graph-model.ts';
import { layoutGraph } from '../../app/ui/graphs/graph-layout.ts';

const n = (name: string, inputs: string[] = [], attrs: Record<string, unknown> = {}, op = 'Op'): GraphNode => ({ name, op, inputs, attrs });
const nodes = [
  n('x', [], { _output_shapes: [[8, 4]], dtype: { dtype: 1 } }, 'Input'),
  n('net/fc/w', [], { _output_shapes: [[16, 4]] }, 'Parameter'),
  n('net/fc/addmm', ['x', 'net/fc/w:0', '^x'], { _output_shapes: [[8, -1]] }),
  n('net/relu', ['net/fc/addmm']),
  n('loss', ['net/relu']),
  n('grad/AddmmBackward0', ['loss'], {}, 'AddmmBackward0'),
];

test('input names drop control markers and output indices', () => {
  expect(inputName('^a/b')).toEqual({ name: 'a/b', control: true });
  expect(inputName('a/b:1')).toEqual({ name: 'a/b', control: false });
});

test('scopes and representatives', () => {
  expect(scopesOf(nodes)).toEqual(['grad', 'net', 'net/fc']);
  expect(representative('net/fc/addmm', new Set())).toBe('scope:net');
  expect(representative('net/fc/addmm', new Set(['net']))).toBe('scope:net/fc');
  expect(representative('net/fc/addmm', new Set(['net', 'net/fc']))).toBe('net/fc/addmm');
});

test('collapsed scopes become one node with deduplicated edges; no self loops', () => {
  const g = buildVisible(nodes, new Set());
  expect(g.nodes.map((v) => v.id).sort()).toEqual(['loss', 'scope:grad', 'scope:net', 'x']);
  expect(g.nodes.find((v) => v.id === 'scope:net')!.size).toBe(3);
  expect(g.nodes.find((v) => v.id === 'scope:grad')!.backward).toBe(true);
  expect(g.edges.map((e) => `${e.from}->${e.to}`).sort()).toEqual(['loss->scope:grad', 'scope:net->loss', 'x->scope:net']);
  expect(g.edges.find((e) => e.from === 'x')!.label).toBe('8×4');
});

test('expanded graph labels edges with shapes and lays out every node', () => {
  const g = buildVisible(nodes, new Set(['net', 'net/fc', 'grad']));
  expect(g.nodes).toHaveLength(6);
  expect(g.edges.find((e) => e.from === 'net/fc/addmm')!.label).toBe('8×?');
  const layout = layoutGraph(g);
  expect(layout.nodes.size).toBe(6);
  expect(layout.nodes.get('x')!.y).toBeLessThan(layout.nodes.get('loss')!.y);
  expect(shapeLabel(nodes[0])).toBe('8×4');
  expect(dtypeLabel(nodes[0])).toBe('float32');
});
