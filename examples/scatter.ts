// Tutorial 2.0.1: torch.scatter / scatter_ write src into input at the rows (dim=0) or columns (dim=1) that index
// names: input[index[i][j]][j] = src[i][j] for dim=0, input[i][index[i][j]] = src[i][j] for dim=1. scatter returns a
// new tensor; scatter_ changes input in place.
// Run: npx tsx --conditions=board-source examples/scatter.ts
import { pathToFileURL } from 'node:url';
import { tensor } from 'board';

export function main(log: (s: string) => void = console.log): void {
  const src = tensor.arange(1, 11).reshape([2, 5]);
  log(String(src));
  const index0 = tensor([[0, 1, 2, 0]]);
  log(String(tensor.zeros([3, 5], { dtype: src.dtype }).scatter(0, index0, src)));
  const index1 = tensor([
    [0, 1, 2],
    [0, 1, 4],
  ]);
  log(String(tensor.zeros([3, 5], { dtype: src.dtype }).scatter(1, index1, src)));
  const input = tensor.zeros([3, 5], { dtype: src.dtype });
  input.scatter_(
    0,
    tensor([
      [0, 0, 1],
      [1, 0, 0],
    ]),
    src,
  );
  log(String(input));
  log(String(tensor.full([2, 4], 2, { dtype: 'float32' }).scatter(1, tensor([[2], [3]]), 1.23, { reduce: 'multiply' })));
  log(String(tensor.full([2, 4], 2, { dtype: 'float32' }).scatter(1, tensor([[2], [3]]), 1.23, { reduce: 'add' })));
  // one-hot labels, the tutorial's use of scatter_
  const labels = tensor([2, 0, 1]);
  log(String(tensor.zeros([3, 4]).scatter_(1, labels.unsqueeze(1), 1)));
  try {
    tensor.zeros([3, 5]).scatter(0, index0, src);
  } catch (e) {
    log(`error: ${(e as Error).message.split(' (')[0]}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
