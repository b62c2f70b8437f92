// Tutorial 2.2.2: a custom Dataset over tensors (MyDataset), batched by a DataLoader with shuffle.
// Run: npx tsx --conditions=board-source examples/custom-dataset.ts
import { pathToFileURL } from 'node:url';
import { data, tensor } from 'board';
import type { Tensor } from 'board';

/** PyTorch's `class MyDataset(Dataset)` with `__getitem__` and `__len__`. */
export class MyDataset extends data.Dataset<[Tensor, Tensor]> {
  constructor(
    private readonly x: Tensor,
    private readonly y: Tensor,
  ) {
    super();
  }
  getItem(index: number): [Tensor, Tensor] {
    return [this.x.select(0, index), this.y.select(0, index)];
  }
  get length(): number {
    return this.x.shape[0];
  }
}

export function main(log: (s: string) => void = console.log): Array<[number[], number[]]> {
  tensor.manualSeed(0);
  const x = tensor.arange(10);
  const y = tensor.arange(10).add(1);
  const myDataset = new MyDataset(x, y);
  const loader = new data.DataLoader(myDataset, { batchSize: 4, shuffle: true, numWorkers: 0 });
  const batches: Array<[number[], number[]]> = [];
  for (const [bx, by] of loader) {
    log(`x: ${bx.toString()} y: ${by.toString()}`);
    batches.push([bx.tolist() as number[], by.tolist() as number[]]);
  }
  return batches;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
