// toString() details beyond the oracle's printing cases: Python's half-to-even formatting, nan/inf, wrapping of
// suffixes, summarized 3-D tensors, empty tensors of other dtypes.
import { test, expect } from 'vitest';
import { tensor, arange, zeros, ones } from '../../lib/engine/index.ts';
import { pyFixed, pyExp } from '../../lib/engine/print.ts';

test('Python float formatting: exact ties round half to even, two-digit exponents', () => {
  expect(pyFixed(1.03125, 4)).toBe('1.0312');
  expect(pyFixed(1.09375, 4)).toBe('1.0938');
  expect(pyFixed(-1.03125, 4)).toBe('-1.0312');
  expect(pyFixed(0.5, 0)).toBe('0');
  expect(pyFixed(2.5, 0)).toBe('2');
  expect(pyFixed(-0, 4)).toBe('-0.0000');
  expect(pyExp(0.00012, 4)).toBe('1.2000e-04');
  expect(pyExp(123456789, 4)).toBe('1.2346e+08');
  expect(pyExp(1e-100, 4)).toBe('1.0000e-100');
});

test('non-finite values and mixed widths', () => {
  expect(tensor([NaN, 1.5, Infinity], { dtype: 'float32' }).toString()).toBe('tensor([   nan, 1.5000,    inf])');
  expect(tensor([NaN, 1, -Infinity], { dtype: 'float32' }).toString()).toBe('tensor([nan, 1., -inf])');
  expect(tensor([0, 0], { dtype: 'float32' }).toString()).toBe('tensor([0., 0.])');
  expect(zeros([0], { dtype: 'int64' }).toString()).toBe('tensor([], dtype=torch.int64)');
  expect(zeros([2, 0]).toString()).toBe('tensor([], size=(2, 0))');
});

test('summarized 3-D tensors print edge slices with ... rows', () => {
  const s = arange(2 * 1001)
    .view(2, 1001)
    .toString();
  expect(s).toBe('tensor([[   0,    1,    2,  ...,  998,  999, 1000],\n        [1001, 1002, 1003,  ..., 1999, 2000, 2001]])');
  const t = arange(8 * 2 * 100)
    .view(8, 2, 100)
    .toString();
  expect(t.split('\n').some((l) => l.trim() === '...,')).toBe(true);
  expect(t.startsWith('tensor([[[   0,    1,    2,  ...,   97,   98,   99],')).toBe(true);
});

test('suffixes wrap at 80 columns', () => {
  const s = ones([1, 9], { dtype: 'float64', requiresGrad: true }).mul(1.5).toString();
  expect(s).toBe(
    'tensor([[1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000]],\n       dtype=torch.float64, grad_fn=<MulBackward0>)',
  );
});
