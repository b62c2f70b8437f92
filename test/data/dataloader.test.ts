import { describe, expect, it } from 'vitest';
import { arange, manualSeed } from '../../lib/engine/index.ts';
import type { Tensor } from '../../lib/engine/index.ts';
import { DataLoader } from '../../lib/data/dataloader.ts';
import { Dataset } from '../../lib/data/dataset.ts';
import { BatchSampler, SequentialSampler } from '../../lib/data/sampler.ts';
import { TensorDataset } from '../../lib/data/tensor-dataset.ts';

const ds10 = () => new TensorDataset(arange(20).view(10, 2).float(), arange(10));

function firsts(loader: Iterable<[Tensor, Tensor]>): number[][] {
  return [...loader].map(([, y]) => y.tolist() as number[]);
}

describe('DataLoader (main thread)', () => {
  it('batches in order, keeps or drops the last batch, and reports its length', () => {
    const keep = new DataLoader(ds10(), { batchSize: 4 });
    expect(keep.length).toBe(3);
    const batches = [...keep] as [Tensor, Tensor][];
    expect(batches.map(([x]) => x.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(batches[2][1].tolist()).toEqual([8, 9]);
    expect(batches[0][1].dtype).toBe('int64');
    const drop = new DataLoader(ds10(), { batchSize: 4, dropLast: true });
    expect(drop.length).toBe(2);
    expect(firsts(drop)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it('the tutorial lesson: 10000 samples in batches of 64 leave 16', () => {
    const n = 10000;
    const ds = { length: n, getItem: (i: number) => i };
    const keep = new DataLoader(ds, { batchSize: 64 });
    const drop = new DataLoader(ds, { batchSize: 64, dropLast: true });
    expect(keep.length).toBe(157);
    expect(drop.length).toBe(156);
    const lastKeep = [...keep].pop() as Tensor;
    expect(lastKeep.shape).toEqual([16]);
    expect(([...drop] as Tensor[]).reduce((a, b) => a + b.shape[0], 0)).toBe(9984);
  });

  it('shuffles with a new order every epoch, reproducibly for a seed', () => {
    const loader = new DataLoader(ds10(), { batchSize: 10, shuffle: true, generator: 5 });
    const e1 = firsts(loader)[0];
    const e2 = firsts(loader)[0];
    expect([...e1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e2).not.toEqual(e1);
    const again = new DataLoader(ds10(), { batchSize: 10, shuffle: true, generator: 5 });
    expect(firsts(again)[0]).toEqual(e1);
  });

  it('without a generator, shuffling follows manualSeed', () => {
    manualSeed(123);
    const a = firsts(new DataLoader(ds10(), { batchSize: 10, shuffle: true }))[0];
    manualSeed(123);
    const b = firsts(new DataLoader(ds10(), { batchSize: 10, shuffle: true }))[0];
    expect(b).toEqual(a);
  });

  it('supports sampler, batchSampler, collateFn and batchSize null', () => {
    const s = new DataLoader(ds10(), { batchSize: 3, sampler: [9, 8, 7, 6] as unknown as SequentialSampler });
    expect(firsts(s)).toEqual([[9, 8, 7], [6]]);
    const bs = new DataLoader(ds10(), { batchSampler: [[1, 3], [5]] as unknown as BatchSampler });
    expect(firsts(bs)).toEqual([[1, 3], [5]]);
    const custom = new DataLoader(ds10(), { batchSize: 5, collateFn: (samples: Tensor[][]) => samples.length });
    expect([...custom]).toEqual([5, 5]);
    const single = new DataLoader(ds10(), { batchSize: null });
    const items = [...single] as Tensor[][];
    expect(items).toHaveLength(10);
    expect(items[0][0].shape).toEqual([2]);
  });

  it('rejects conflicting options with PyTorch-like messages', () => {
    expect(() => new DataLoader(ds10(), { shuffle: true, sampler: new SequentialSampler(ds10()) })).toThrow(/mutually exclusive with shuffle/);
    expect(() => new DataLoader(ds10(), { batchSampler: new BatchSampler(new SequentialSampler(ds10()), 2, false), batchSize: 4 })).toThrow(/batchSampler option is mutually exclusive/);
    expect(() => new DataLoader(ds10(), { batchSize: 0 })).toThrow(/batchSize should be a positive integer/);
    expect(() => new DataLoader(ds10(), { numWorkers: -1 })).toThrow(/numWorkers/);
    expect(() => new DataLoader({} as never)).toThrow(/getItem/);
  });

  it('for await works, including datasets whose getItem is async; for...of explains', async () => {
    class AsyncDs extends Dataset<number> {
      get length() {
        return 5;
      }
      async getItem(i: number) {
        await new Promise((r) => setTimeout(r, 1));
        return i * 10;
      }
    }
    const loader = new DataLoader(new AsyncDs(), { batchSize: 2 });
    const out: number[][] = [];
    for await (const b of loader) out.push((b as Tensor).tolist() as number[]);
    expect(out).toEqual([[0, 10], [20, 30], [40]]);
    expect(() => [...loader]).toThrow(/returned a Promise.*for await/);
    const sync = new DataLoader(ds10(), { batchSize: 4 });
    const viaAwait: number[][] = [];
    for await (const [, y] of sync as AsyncIterable<[Tensor, Tensor]>) viaAwait.push(y.tolist() as number[]);
    expect(viaAwait).toEqual(firsts(sync));
  });
});
