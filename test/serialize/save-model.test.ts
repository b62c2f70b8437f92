// Whole-model save/load (torch.save(model) / torch.load): the file holds the state dict under PyTorch's keys and
// the architecture as a spec of registered module classes; load() returns a working Module. With PyTorch installed,
// real torch 1.13 reads the weights into the same architecture and must compute what the loaded Board model computes.
import { expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tensor, nn, save, load, Tensor } from 'board';

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

class Net extends nn.Module {
  declare features: nn.Sequential;
  declare head: nn.Linear;
  declare scale: number;
  constructor(hidden: number) {
    super();
    this.features = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.ReLU(), new nn.Flatten());
    this.head = new nn.Linear(2 * 2 * 2, hidden);
    this.scale = 0.5;
  }
  override forward(x: Tensor): Tensor {
    return this.head.call(this.features.call(x)).mul(this.scale);
  }
}
nn.registerModule(Net);

const input = tensor
  .arange(2 * 16, { dtype: 'float32' })
  .reshape([2, 1, 4, 4])
  .div(10)
  .sin();

test('save(model) then load(path) gives a working module of the same classes, weights, buffers and mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'board-model-'));
  try {
    const net = new Net(3);
    net.train();
    net.call(input); // updates BatchNorm running stats: buffers must round-trip too
    net.eval();
    const path = join(dir, 'net.safetensors');
    save(net, path);
    const back = load(path) as Net;
    expect(back).toBeInstanceOf(Net);
    expect(back).toBeInstanceOf(nn.Module);
    expect(back.features).toBeInstanceOf(nn.Sequential);
    expect(back.head).toBeInstanceOf(nn.Linear);
    expect(back.head.weight).toBeInstanceOf(nn.Parameter);
    expect(back.scale).toBe(0.5);
    expect(back.training).toBe(false);
    expect(String(back)).toBe(String(net));
    const a = net.stateDict(),
      b = back.stateDict();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(b[k]!.tolist()).toEqual(a[k]!.tolist());
    expect(back.call(input).tolist()).toEqual(net.call(input).tolist());
    // the loaded model trains: gradients reach its parameters
    back.train();
    back.call(input).sum().backward();
    expect(back.head.weight.grad).not.toBeNull();
    expect([...back.parameters()].length).toBe([...net.parameters()].length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a model of an unregistered class cannot be saved, and the error says how to fix it', () => {
  class Unregistered extends nn.Module {
    override forward(x: Tensor): Tensor {
      return x;
    }
  }
  const m = new nn.Sequential(new nn.Linear(2, 2));
  (m as unknown as { fn: unknown }).fn = () => 1;
  const dir = mkdtempSync(join(tmpdir(), 'board-model-'));
  try {
    expect(() => save(m, join(dir, 'x.safetensors'))).toThrow(/attribute 'fn' holds a function/);
    // classes register on first construction; a different class under a taken name is refused
    void new Unregistered();
    expect(() => nn.registerModule(class Unregistered extends nn.Module {})).toThrow(/already registered as 'Unregistered'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.skipIf(!hasTorch)('PyTorch 1.13 loads the saved weights into the same architecture and computes the same output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'board-model-'));
  try {
    const model = new nn.Sequential(new nn.Linear(4, 5), new nn.Tanh(), new nn.Linear(5, 2));
    model.eval();
    const path = join(dir, 'seq.safetensors');
    save(model, path);
    const loaded = load(path) as nn.Sequential;
    const x = tensor.arange(12, { dtype: 'float32' }).reshape([3, 4]).div(7).cos();
    const py = `
import json, struct, sys, torch
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n]); meta = h.pop('__metadata__', {}); data = b[8 + n:]
sd = {k: torch.frombuffer(bytearray(data[v['data_offsets'][0]:v['data_offsets'][1]]), dtype=torch.float32).reshape(v['shape']) for k, v in h.items()}
m = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
m.load_state_dict(sd)
x = torch.tensor(json.loads(sys.argv[2]))
print(json.dumps({'out': m(x).tolist(), 'spec': json.loads(meta['board.module'])['class']}))
`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, path, JSON.stringify(x.tolist())], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { out, spec } = JSON.parse(r.stdout) as { out: number[][]; spec: string };
    expect(spec).toBe('Sequential');
    const ours = loaded.call(x).tolist() as number[][];
    ours.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - out[i]![j]!)).toBeLessThan(1e-6)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
