import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { nn, SummaryWriter, Tensor, tensor } from 'board';
import { encodeGraphDef } from '../../lib/tfevents/graph.ts';

class NeuralNetwork extends nn.Module {
  declare flatten: nn.Flatten;
  declare linear_relu_stack: nn.Sequential;
  constructor() {
    super();
    this.flatten = new nn.Flatten();
    this.linear_relu_stack = new nn.Sequential(new nn.Linear(16, 8), new nn.ReLU(), new nn.Linear(8, 3));
  }
  override forward(x: Tensor): Tensor {
    return this.linear_relu_stack.call(this.flatten.call(x));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'board-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const input = () =>
  tensor(
    Array.from({ length: 32 }, (_, i) => i / 32),
    { dtype: 'float32' },
  ).reshape([2, 4, 4]);

test('traceGraph records ops with module scopes, shapes, forward and backward timings', () => {
  const model = new NeuralNetwork();
  const g = nn.traceGraph(model, input());
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const ops = g.nodes.filter((n) => n.op !== 'IO Node' && n.op !== 'Parameter');
  expect(ops.map((n) => n.scope)).toEqual([
    'NeuralNetwork/Flatten[flatten]',
    'NeuralNetwork/Sequential[linear_relu_stack]/Linear[0]',
    'NeuralNetwork/Sequential[linear_relu_stack]/ReLU[1]',
    'NeuralNetwork/Sequential[linear_relu_stack]/Linear[2]',
  ]);
  const addmm = ops.find(
    (n) => n.scope === 'NeuralNetwork/Sequential[linear_relu_stack]/Linear[2]' && n.attrs?.grad_fn === 'AddmmBackward0',
  )!;
  expect(addmm.outputShapes).toEqual([[2, 3]]);
  expect(addmm.inputs).toEqual([
    ops[2]!.name,
    'NeuralNetwork/Sequential[linear_relu_stack]/Linear[2]/weight',
    'NeuralNetwork/Sequential[linear_relu_stack]/Linear[2]/bias',
  ]);
  for (const n of ops) {
    expect(n.timing!.durationMicros).toBeGreaterThanOrEqual(0);
    expect(typeof n.attrs!.backward_us).toBe('number');
    for (const i of n.inputs) expect(byName.has(i)).toBe(true);
  }
  expect(g.nodes.find((n) => n.name === 'input/input.1')!.outputShapes).toEqual([[2, 4, 4]]);
  expect(g.nodes.find((n) => n.name === 'output/output.1')!.inputs).toEqual([addmm.name]);
  // tracing leaves the model's gradients alone and encodes as a valid GraphDef
  for (const p of model.parameters()) expect(p.grad).toBeNull();
  expect(encodeGraphDef(g).length).toBeGreaterThan(100);
});

test('SummaryWriter.addGraph traces a model through the tracer nn registers', () => {
  const w = new SummaryWriter(join(dir, 'run'));
  w.addGraph(new NeuralNetwork(), input());
  w.close();
  const files = readdirSync(join(dir, 'run'));
  expect(files.some((f) => f.includes('tfevents'))).toBe(true);
  expect(statSync(join(dir, 'run', files[0]!)).size).toBeGreaterThan(500);
});
