import { describe, expect, test } from 'vitest';
import { nn, tensor as makeTensor, Tensor } from 'board';

/** Float32 tensors from literals (integer literals would make int64 tensors, as in PyTorch). */
const tensor = (data: unknown, opts: { dtype?: 'float32' | 'float64' } = {}): Tensor =>
  makeTensor(data as number[], { dtype: opts.dtype ?? 'float32' });

/** The tutorial's network (PyTorch "Build the Neural Network" chapter). */
class NeuralNetwork extends nn.Module {
  declare flatten: nn.Flatten;
  declare linear_relu_stack: nn.Sequential;
  constructor() {
    super();
    this.flatten = new nn.Flatten();
    this.linear_relu_stack = new nn.Sequential(
      new nn.Linear(28 * 28, 512),
      new nn.ReLU(),
      new nn.Linear(512, 512),
      new nn.ReLU(),
      new nn.Linear(512, 10),
    );
  }
  override forward(x: Tensor): Tensor {
    return this.linear_relu_stack.call(this.flatten.call(x));
  }
}

const TUTORIAL_REPR = `NeuralNetwork(
  (flatten): Flatten(start_dim=1, end_dim=-1)
  (linear_relu_stack): Sequential(
    (0): Linear(in_features=784, out_features=512, bias=True)
    (1): ReLU()
    (2): Linear(in_features=512, out_features=512, bias=True)
    (3): ReLU()
    (4): Linear(in_features=512, out_features=10, bias=True)
  )
)`;

describe('Module registration', () => {
  test('assignment registers submodules and parameters in insertion order with PyTorch names', () => {
    const model = new NeuralNetwork();
    expect(String(model)).toBe(TUTORIAL_REPR);
    expect(Object.keys(model.stateDict())).toEqual([
      'linear_relu_stack.0.weight',
      'linear_relu_stack.0.bias',
      'linear_relu_stack.2.weight',
      'linear_relu_stack.2.bias',
      'linear_relu_stack.4.weight',
      'linear_relu_stack.4.bias',
    ]);
    expect([...model.namedChildren()].map(([n]) => n)).toEqual(['flatten', 'linear_relu_stack']);
    expect([...model.namedModules()].map(([n]) => n)).toEqual([
      '',
      'flatten',
      'linear_relu_stack',
      'linear_relu_stack.0',
      'linear_relu_stack.1',
      'linear_relu_stack.2',
      'linear_relu_stack.3',
      'linear_relu_stack.4',
    ]);
    let n = 0;
    for (const p of model.parameters()) n += p.numel();
    expect(n).toBe(669_706);
    expect(
      model.call(
        tensor([[0.5]])
          .expand([2, 784])
          .reshape([2, 28, 28]),
      ).shape,
    ).toEqual([2, 10]);
  });

  test('class-field initializers register too, and shared parameters are listed once', () => {
    class Tied extends nn.Module {
      a = new nn.Linear(3, 3);
      b = new nn.Linear(3, 3);
      constructor() {
        super();
        this.b.weight = this.a.weight;
      }
      override forward(x: Tensor): Tensor {
        return this.b.call(this.a.call(x));
      }
    }
    const m = new Tied();
    expect([...m.namedParameters()].map(([k]) => k)).toEqual(['a.weight', 'a.bias', 'b.bias']);
    expect(Object.keys(m.stateDict())).toEqual(['a.weight', 'a.bias', 'b.weight', 'b.bias']);
  });

  test('buffers, parameters set to null, reassignment errors', () => {
    class M extends nn.Module {
      declare w: nn.Parameter;
      constructor() {
        super();
        this.w = new nn.Parameter(tensor([1, 2]));
        this.registerBuffer('running', tensor([0, 0]));
        this.registerBuffer('scratch', tensor([9]), { persistent: false });
        this.registerParameter('maybe', null);
      }
    }
    const m = new M();
    expect([...m.namedBuffers()].map(([k]) => k)).toEqual(['running', 'scratch']);
    expect(Object.keys(m.stateDict())).toEqual(['w', 'running']);
    expect(() => {
      (m as unknown as Record<string, unknown>).w = tensor([1, 2]);
    }).toThrow(/cannot assign 'Tensor' as parameter 'w'/);
    (m as unknown as Record<string, unknown>).running = tensor([5, 5]);
    expect(Array.from(m.stateDict().running!.dataSync())).toEqual([5, 5]);
    delete (m as unknown as Record<string, unknown>).w;
    expect([...m.namedParameters()]).toHaveLength(0);
  });
});

describe('stateDict / loadStateDict', () => {
  test('round trip copies values in place', () => {
    const a = new NeuralNetwork();
    const b = new NeuralNetwork();
    const w = b.linear_relu_stack.at(0) as nn.Linear;
    const before = w.weight;
    b.loadStateDict(a.stateDict());
    expect(w.weight).toBe(before);
    expect(Array.from(w.weight.dataSync().slice(0, 5))).toEqual(
      Array.from((a.linear_relu_stack.at(0) as nn.Linear).weight.dataSync().slice(0, 5)),
    );
  });

  test('errors name missing and unexpected keys and shape mismatches', () => {
    const m = new nn.Sequential(new nn.Linear(2, 3));
    const sd = { '0.weight': tensor([[1, 2, 3]]), extra: tensor([1]) };
    let msg = '';
    try {
      m.loadStateDict(sd);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('Error(s) in loading state_dict for Sequential');
    expect(msg).toContain('Missing key(s) in state_dict: "0.bias"');
    expect(msg).toContain('Unexpected key(s) in state_dict: "extra"');
    expect(msg).toContain(
      'size mismatch for 0.weight: copying a param with shape torch.Size([1, 3]) from checkpoint, the shape in current model is torch.Size([3, 2])',
    );
    const res = new nn.Sequential(new nn.Linear(2, 3)).loadStateDict(
      { '0.bias': tensor([1, 2, 3]), extra: tensor([1]) },
      { strict: false },
    );
    expect(res).toEqual({ missingKeys: ['0.weight'], unexpectedKeys: ['extra'] });
    expect(() => new nn.Sequential(new nn.Linear(2, 3)).loadStateDict({ '0.bias': tensor([1, 2]) }, { strict: false })).toThrow(
      /size mismatch for 0.bias/,
    );
  });

  test('BatchNorm buffers use PyTorch names and num_batches_tracked is int64', () => {
    const bn = new nn.BatchNorm2d(3);
    const sd = bn.stateDict();
    expect(Object.keys(sd)).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(sd.num_batches_tracked!.dtype).toBe('int64');
  });
});

describe('calling, hooks, modes', () => {
  test('forward hooks and pre-hooks run in call(), not in forward()', () => {
    const lin = new nn.Linear(2, 2);
    const seen: string[] = [];
    const pre = lin.registerForwardPreHook((_m, input) => {
      seen.push('pre');
      return [(input[0] as Tensor).mul(0)];
    });
    const post = lin.registerForwardHook((_m, _i, out) => {
      seen.push('post');
      return (out as Tensor).add(1);
    });
    const y = lin.call(tensor([[1, 2]]));
    expect(seen).toEqual(['pre', 'post']);
    const b = lin.bias!.dataSync();
    expect(Array.from(y.dataSync())).toEqual([Math.fround(b[0]! + 1), Math.fround(b[1]! + 1)]);
    lin.forward(tensor([[1, 2]]));
    expect(seen).toHaveLength(2);
    pre.remove();
    post.remove();
    lin.call(tensor([[1, 2]]));
    expect(seen).toHaveLength(2);
  });

  test('train/eval propagate; apply visits children first; zeroGrad follows PyTorch 1.13', () => {
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.Dropout(0.5));
    m.eval();
    expect([...m.modules()].every((x) => !x.training)).toBe(true);
    m.train();
    expect((m.at(1) as nn.Dropout).training).toBe(true);
    const order: string[] = [];
    m.apply((x) => order.push(x.constructor.name));
    expect(order).toEqual(['Linear', 'Dropout', 'Sequential']);
    const out = m.call(tensor([[1, 2]])).sum();
    out.backward();
    const lin = m.at(0) as nn.Linear;
    m.zeroGrad();
    expect(lin.weight.grad).not.toBeNull();
    expect(Array.from(lin.weight.grad!.dataSync())).toEqual([0, 0, 0, 0]);
    m.zeroGrad({ setToNone: true });
    expect(lin.weight.grad).toBeNull();
  });

  test('to(dtype) casts parameters in place of the same Parameter objects; to("cpu") is a no-op', () => {
    const lin = new nn.Linear(2, 2);
    const w = lin.weight;
    expect(lin.to('cpu')).toBe(lin);
    lin.double();
    expect(lin.weight.dtype).toBe('float64');
    expect(lin.weight).toBe(w);
    expect(lin.call(tensor([[1, 2]], { dtype: 'float64' })).dtype).toBe('float64');
    const bn = new nn.BatchNorm1d(2).double();
    expect(bn.stateDict().running_mean!.dtype).toBe('float64');
    expect(bn.stateDict().num_batches_tracked!.dtype).toBe('int64');
  });
});

describe('containers', () => {
  test('Sequential named form, slicing, ModuleList/ModuleDict, ParameterList repr', () => {
    const s = new nn.Sequential({ fc: new nn.Linear(2, 3), act: new nn.ReLU() });
    expect(Object.keys(s.stateDict())).toEqual(['fc.weight', 'fc.bias']);
    expect(s.length).toBe(2);
    expect(s.at(-1)).toBeInstanceOf(nn.ReLU);
    expect(String(s.slice(1))).toBe('Sequential(\n  (act): ReLU()\n)');
    const l = new nn.ModuleList([new nn.ReLU()]).append(new nn.Tanh());
    expect([...l].map((m) => m.constructor.name)).toEqual(['ReLU', 'Tanh']);
    const d = new nn.ModuleDict({ a: new nn.Linear(1, 1) });
    d.set('b', new nn.Identity());
    expect(d.keys()).toEqual(['a', 'b']);
    expect(Object.keys(d.stateDict())).toEqual(['a.weight', 'a.bias']);
    const pl = new nn.ParameterList([
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      tensor([1], { dtype: 'float64' }),
    ]);
    expect(String(pl)).toBe(
      'ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2x3]\n    (1): Parameter containing: [torch.float64 of size 1]\n)',
    );
    // one entry stays on one line, as PyTorch 1.13 prints it
    expect(String(new nn.ParameterList([tensor([1])]))).toBe('ParameterList(  (0): Parameter containing: [torch.float32 of size 1])');
    const pd = new nn.ParameterDict({ scale: tensor([1]) });
    expect([...pd.namedParameters()].map(([k]) => k)).toEqual(['scale']);
  });

  test('Parameter prints as PyTorch and shares storage with its source tensor', () => {
    const t = tensor([0.5]);
    const p = new nn.Parameter(t);
    expect(String(p)).toBe('Parameter containing:\ntensor([0.5000], requires_grad=True)');
    expect(p.storage).toBe(t.storage);
  });
});
