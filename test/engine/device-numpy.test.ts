// The public device API (a CPU-only build) and numpy()/fromNumpy memory sharing, through 'board' as users write it.
// Values and messages are PyTorch 1.13's (see test/fixtures/oracle/python/generate.py, api_* cases, for the
// golden runs of the same behaviours through the oracle).
import { expect, test } from 'vitest';
import { tensor, nn } from 'board';

test('device("cpu"), cuda.isAvailable(), to("cpu") / to({ device, dtype }) and module.to("cpu"); cuda raises', () => {
  const cpu = tensor.device('cpu');
  expect(String(cpu)).toBe('cpu');
  expect(tensor.cuda.isAvailable()).toBe(false);
  const x = tensor.ones([2], { device: 'cpu' });
  expect(x.to('cpu')).toBe(x);
  expect(x.to(cpu)).toBe(x);
  expect(x.to({ device: 'cpu', dtype: 'float64' }).dtype).toBe('float64');
  expect(x.to('cpu', 'int64').tolist()).toEqual([1, 1]);
  expect(() => x.to('cuda')).toThrow('Torch not compiled with CUDA enabled');
  expect(() => x.cuda()).toThrow('Torch not compiled with CUDA enabled');
  expect(() => tensor.zeros([2], { device: 'cuda:0' })).toThrow('Torch not compiled with CUDA enabled');
  expect(() => tensor.device('gpu')).toThrow(/device type at start of device string: gpu/);
  const m = new nn.Linear(2, 3);
  expect(m.to('cpu')).toBe(m);
  expect(() => m.to('cuda')).toThrow('Torch not compiled with CUDA enabled');
  expect(m.to({ device: 'cpu', dtype: 'float64' }).weight.dtype).toBe('float64');
});

test('numpy() keeps the shape and shares memory; fromNumpy shares memory the other way', () => {
  const x = tensor.arange(6, { dtype: 'float32' }).reshape([2, 3]);
  const a = x.numpy();
  expect(a.shape).toEqual([2, 3]);
  expect(a.dtype).toBe('float32');
  a.data[4] = 40;
  expect(x.tolist()).toEqual([
    [0, 1, 2],
    [3, 40, 5],
  ]);
  x.index(0).fill_(-1);
  expect(Array.from(a.data)).toEqual([-1, -1, -1, 3, 40, 5]);
  // a transposed view: strides say how to read the shared buffer
  const t = x.t().numpy();
  expect(t.shape).toEqual([3, 2]);
  expect(t.strides).toEqual([1, 3]);
  const back = tensor.fromNumpy(t);
  expect(back.tolist()).toEqual(x.t().tolist());
  const raw = new Float64Array([1, 2, 3, 4]);
  const y = tensor.fromNumpy(raw, [2, 2]);
  raw[3] = 9;
  expect(y.tolist()).toEqual([
    [1, 2],
    [3, 9],
  ]);
  y.mul_(2);
  expect(Array.from(raw)).toEqual([2, 4, 6, 18]);
  expect(() => tensor.ones([2], { requiresGrad: true }).numpy()).toThrow("Can't call numpy() on Tensor that requires grad");
});

test('legacy constructors and type()', () => {
  expect(tensor.Tensor(2, 3).shape).toEqual([2, 3]);
  expect(tensor.Tensor([1, 2]).dtype).toBe('float32');
  expect(tensor.LongTensor([1.7, -2.5]).tolist()).toEqual([1, -2]);
  expect(tensor.ones([1]).type()).toBe('torch.FloatTensor');
  expect(tensor.ones([1]).type('torch.DoubleTensor').dtype).toBe('float64');
  expect(tensor.Tensor(1) instanceof tensor.Tensor).toBe(true);
});
