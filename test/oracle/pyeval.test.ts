// The oracle's Python-snippet evaluator: literals keep int vs float, statements, blocks, operators.
import { test, expect } from 'vitest';
import { createTorchEnv } from '../oracle/torchenv.ts';
import { PyFloat } from '../oracle/pyeval.ts';
import { Tensor } from '../../lib/engine/index.ts';

test('literals, arithmetic, comparisons, containers, comprehension, ternary, lambda', () => {
  const env = createTorchEnv();
  expect(env.run('1 + 2')).toBe(3);
  expect(env.run('7 // 2')).toBe(3);
  expect(env.run('-7 // 2')).toBe(-4);
  expect((env.run('1.5 * 2') as PyFloat).v).toBe(3);
  expect(env.run('2.0') instanceof PyFloat).toBe(true);
  expect(env.run('[i * 2 for i in range(3)]')).toEqual([0, 2, 4]);
  expect(env.run('(1, 2) == (1, 2)')).toBe(true);
  expect(env.run('(1, 2) == [1, 2]')).toBe(false);
  expect(env.run('"ab" if 1 > 2 else "cd"')).toBe('cd');
  expect(env.run('f = lambda a, b: a * b\nf(3, 4)')).toBe(12);
  expect(env.run('{"a": 1}["a"]')).toBe(1);
  expect(env.run('x = [1, 2, 3]\nx[-1]')).toBe(3);
  expect(env.run('"hello"[1:3]')).toBe('el');
});

test('torch snippets: dtypes from literals, keyword arguments, with-blocks, for-loops, setitem, in-place augmented ops', () => {
  const env = createTorchEnv();
  expect((env.run('torch.tensor([1., 2])') as Tensor).dtype).toBe('float32');
  expect((env.run('torch.tensor([1, 2])') as Tensor).dtype).toBe('int64');
  expect((env.run('torch.full((2,), 7)') as Tensor).dtype).toBe('int64');
  expect((env.run('torch.full((2,), 7.)') as Tensor).dtype).toBe('float32');
  expect((env.run('torch.arange(5.)') as Tensor).dtype).toBe('float32');
  expect((env.run('torch.tensor([1, 2]) + 2.0') as Tensor).dtype).toBe('float32');
  expect(env.run('torch.ones(2).dtype == torch.float32')).toBe(true);
  expect((env.run('torch.sum(torch.ones(2, 3), dim=1, keepdim=True)') as Tensor).shape).toEqual([2, 1]);
  env.run(`w = torch.tensor([1., 2.], requires_grad=True)
for i in range(2):
    (w * w).sum().backward()
    with torch.no_grad():
        w -= 0.5 * w.grad
    w.grad.zero_()
m = torch.zeros(2, 2)
m[0, 1] = 3.
m[:, 0] += 1`);
  expect((env.vars.get('w') as Tensor).tolist()).toEqual([0, 0]);
  expect((env.vars.get('m') as Tensor).tolist()).toEqual([
    [1, 3],
    [1, 0],
  ]);
  expect(() => env.run('undefined_name + 1')).toThrow(/name 'undefined_name' is not defined/);
});

test('def with return and decorators, if/elif/else, assert, autograd.functional', () => {
  const env = createTorchEnv();
  env.run(`def f(x, k=2):
    if x > 10:
        return 'big'
    elif x > 5:
        return 'mid'
    else:
        return x * k
@torch.no_grad()
def g(t):
    return t * 2
w = torch.ones(2, requires_grad=True)
out = g(w)
assert 1 < 2
torch.set_grad_enabled(False)
z = w * 3
torch.set_grad_enabled(True)
J = torch.autograd.functional.jacobian(lambda t: t ** 2, torch.tensor([1., 2.]))
H = torch.autograd.functional.hessian(lambda t: (t ** 3).sum(), torch.tensor([1., 2.]))`);
  expect(env.run('[f(20), f(7), f(3, 3)]')).toEqual(['big', 'mid', 9]);
  expect((env.vars.get('out') as Tensor).requiresGrad).toBe(false);
  expect((env.vars.get('z') as Tensor).requiresGrad).toBe(false);
  expect((env.vars.get('J') as Tensor).tolist()).toEqual([
    [2, 0],
    [0, 4],
  ]);
  expect((env.vars.get('H') as Tensor).tolist()).toEqual([
    [6, 0],
    [0, 12],
  ]);
  expect(() => env.run('assert 2 < 1')).toThrow('AssertionError');
});

test('storage identity: data_ptr and _base show views without copies', () => {
  const env = createTorchEnv();
  env.run('x = torch.arange(6.).view(2, 3)');
  expect(env.run('x.view(-1).data_ptr() == x.data_ptr()')).toBe(true);
  expect(env.run('x[1].data_ptr() == x.data_ptr() + 12')).toBe(true);
  expect(env.run('x.t().contiguous().data_ptr() == x.data_ptr()')).toBe(false);
  expect(env.run('x.t()._base is x._base')).toBe(true);
  expect(env.run('x[0].untyped_storage().data_ptr() == x.untyped_storage().data_ptr()')).toBe(true);
});
