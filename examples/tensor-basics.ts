// Tutorial 1.1-1.4: tensor types (DoubleTensor(2, 3), type()), the creation functions, basic operations and the
// attributes of a tensor. Random tensors print only their shapes (Board's random stream is not PyTorch's).
// Run: npx tsx --conditions=board-source examples/tensor-basics.ts
import { pathToFileURL } from 'node:url';
import { tensor } from 'board';

export function main(log: (s: string) => void = console.log): void {
  // 1.1 data types
  const x = tensor.DoubleTensor(2, 3);
  log(x.type());
  log(String(x));
  for (const T of [tensor.FloatTensor, tensor.DoubleTensor, tensor.LongTensor, tensor.IntTensor, tensor.ByteTensor, tensor.BoolTensor])
    log(T([1, 0]).type());
  // 1.2 creation
  const t1 = tensor.Tensor(2, 3, 3);
  log(`t1 ${t1.shape.join('x')} ${t1.dtype}`);
  const t3 = tensor.Tensor([
    [1, 2],
    [3, 3],
  ]);
  log(String(t3));
  log(String(tensor.eye(2, 3)));
  log(String(tensor.linspace(1, 50, 3)));
  const t6 = tensor.logspace(2, 3, 10);
  log(String(t6));
  log(String(tensor.onesLike(t6)));
  log(String(tensor.zerosLike(t6)));
  log(String(tensor.arange(1, 10, 2)));
  log(
    `rand ${tensor.rand([2, 3]).shape.join('x')}, randn ${tensor.randn([2, 3]).shape.join('x')}, randperm ${[...(tensor.randperm(10).sort().values.tolist() as number[])].join(',')}, empty ${tensor.empty([2, 3]).shape.join('x')}`,
  );
  // 1.3 operations
  const A = tensor(
    [
      [1, -2],
      [-3, 4],
    ],
    { dtype: 'float32' },
  );
  const B = tensor([
    [0.5, 2],
    [1, -1],
  ]);
  log(String(tensor.abs(A)));
  log(String(tensor.add(A, B)));
  log(String(tensor.add(A, 10)));
  log(String(tensor.clamp(A, -1, 2)));
  log(String(tensor.div(A, B)));
  log(String(tensor.pow(A, 2)));
  log(String(tensor.mm(A, B)));
  log(String(tensor.mv(A, tensor([1, 1], { dtype: 'float32' }))));
  log(String(A.T));
  const a = A.numpy();
  log(`numpy ${a.shape.join('x')} [${Array.from(a.data).join(', ')}]`);
  log(String(A.index(0, 1).item()));
  log(`${A.shape.join('x')} ${A.dtype}`);
  log(String(A.view(4)));
  log(String(A.index(tensor.slice(1, null))));
  A.indexPut_([-1, -1], 100);
  log(String(A));
  log(String(A.index(tensor.slice(), tensor.slice(null, -1))));
  log(String(tensor.stack([A, B], 0)));
  log(String(tensor.stack([A, B], 1)));
  // 1.4 attributes
  const w = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
  const y = w.mul(2);
  log(`${String(w.device)} ${String(w.data)} ${String(w.grad)} ${String(w.gradFn)} ${w.requiresGrad} ${w.isLeaf} ${w.dtype}`);
  log(`${y.gradFn?.name} ${y.requiresGrad} ${y.isLeaf}`);
  y.sum().backward();
  log(String(w.grad));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
