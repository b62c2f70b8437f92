// DataLoader with worker threads: real parallel loading, prefetch, ordering, errors.
import { describe, expect, it } from 'vitest';
import { arange } from '../../lib/engine/index.ts';
import type { Tensor } from '../../lib/engine/index.ts';
import { DataLoader } from '../../lib/data/dataloader.ts';
import { TensorDataset } from '../../lib/data/tensor-dataset.ts';
import { blockFor, makeSlowDataset, now } from './slow-dataset.ts';

const SLOW = new URL('./slow-dataset.ts', import.meta.url).href;

interface SlowBatch {
  index: Tensor;
  value: Tensor;
  start: Tensor;
  end: Tensor;
  worker: Tensor;
}

describe('DataLoader workers', () => {
  it('gives the same batches as the main thread, in order (TensorDataset recipe)', async () => {
    const ds = new TensorDataset(arange(40).view(20, 2).float(), arange(20));
    const expected = [...new DataLoader(ds, { batchSize: 3 })].map(([, y]) => (y as Tensor).tolist());
    const loader = new DataLoader(ds, { batchSize: 3, numWorkers: 2 });
    const got: unknown[] = [];
    for await (const [x, y] of loader as AsyncIterable<[Tensor, Tensor]>) {
      expect(x.dtype).toBe('float32');
      got.push(y.tolist());
    }
    expect(got).toEqual(expected);
    expect(() => [...loader]).toThrow(/for await/);
  });

  it('overlaps slow loading with the training step on the main thread', async () => {
    const loadMs = 60;
    const trainMs = 60;
    const batches = 8;
    const loader = new DataLoader(makeSlowDataset(batches * 2, loadMs / 2), {
      batchSize: 2,
      numWorkers: 2,
      prefetchFactor: 2,
      workerDataset: { module: SLOW, export: 'makeSlowDataset', args: [batches * 2, loadMs / 2] },
    });
    const train: Array<[number, number]> = [];
    const loads: Array<[number, number, number]> = [];
    let t0 = 0;
    for await (const b of loader as AsyncIterable<SlowBatch>) {
      if (t0 === 0) t0 = now(); // worker start-up (module loading) is not part of the comparison
      const starts = b.start.tolist() as number[];
      const ends = b.end.tolist() as number[];
      loads.push([Math.min(...starts), Math.max(...ends), (b.worker.tolist() as number[])[0]]);
      const s = now();
      blockFor(trainMs); // the "training step": blocks this thread
      train.push([s, now()]);
    }
    const total = now() - t0;
    expect(loads).toHaveLength(batches);
    // Both workers took part.
    expect(new Set(loads.map((l) => l[2]))).toEqual(new Set([0, 1]));
    // Batches after the first were loaded while the main thread was busy training on earlier ones.
    let overlapped = 0;
    for (let k = 1; k < batches; k++) {
      const [ls, le] = loads[k];
      if (train.slice(0, k).some(([ts, te]) => ls < te && le > ts)) overlapped++;
    }
    expect(overlapped).toBeGreaterThanOrEqual(batches - 3);
    // After the first batch, serial loading would take (batches - 1) * (load + train) + train;
    // overlapped, loading hides behind training.
    expect(total).toBeLessThan(0.9 * ((batches - 1) * (loadMs + trainMs) + trainMs));
  });

  it('runs an importable collate function in the workers, and a plain one on the main thread', async () => {
    const recipe = { module: SLOW, export: 'makeSlowDataset', args: [10, 0] };
    const inWorker = new DataLoader(makeSlowDataset(10, 0), { batchSize: 5, numWorkers: 1, workerDataset: recipe, workerCollate: { module: SLOW, export: 'sumCollate' } });
    const sums: unknown[] = [];
    for await (const s of inWorker) sums.push(s);
    expect(sums).toEqual([10, 35]);
    const onMain = new DataLoader(makeSlowDataset(10, 0), { batchSize: 5, numWorkers: 1, workerDataset: recipe, collateFn: (s: Array<{ index: number }>) => s.map((x) => x.index) });
    const lists: unknown[] = [];
    for await (const s of onMain) lists.push(s);
    expect(lists).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
  });

  it('reports errors from workers with the worker id and message', async () => {
    const loader = new DataLoader(makeSlowDataset(6, 0, 4), { batchSize: 2, numWorkers: 2, workerDataset: { module: SLOW, export: 'makeSlowDataset', args: [6, 0, 4] } });
    const run = async () => {
      for await (const _ of loader) void _;
    };
    await expect(run()).rejects.toThrow(/Caught an error in DataLoader worker 0:[\s\S]*sample 4 is broken on purpose/);
  });

  it('explains datasets that cannot be rebuilt in a worker, and bad recipes', async () => {
    const plain = { length: 3, getItem: (i: number) => i };
    const loader = new DataLoader(plain, { numWorkers: 1 });
    await expect(loader[Symbol.asyncIterator]().next()).rejects.toThrow(/has no workerRecipe\(\).*workerDataset/);
    const bad = new DataLoader(plain, { numWorkers: 1, workerDataset: { module: SLOW, export: 'nope' } });
    await expect(bad[Symbol.asyncIterator]().next()).rejects.toThrow(/no exported function "nope"/);
    const notDs = new DataLoader(plain, { numWorkers: 1, workerDataset: { module: SLOW, export: 'notADataset' } });
    await expect(notDs[Symbol.asyncIterator]().next()).rejects.toThrow(/did not return a dataset/);
  });

  it('keeps persistent workers across epochs until close()', async () => {
    const ds = new TensorDataset(arange(8));
    const loader = new DataLoader(ds, { batchSize: 4, numWorkers: 1, persistentWorkers: true, shuffle: true, generator: 1 });
    const epochs: number[][] = [];
    for (let e = 0; e < 2; e++) {
      const seen: number[] = [];
      for await (const [y] of loader as AsyncIterable<[Tensor]>) seen.push(...(y.tolist() as number[]));
      epochs.push(seen);
    }
    await loader.close();
    expect([...epochs[0]].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(epochs[1]).not.toEqual(epochs[0]);
  });

  it('seeds each worker from the loader seed (base_seed + worker_id), reproducibly', async () => {
    const draw = async (seed: number): Promise<number[]> => {
      const loader = new DataLoader({ length: 8, getItem: () => 0 }, { batchSize: 2, numWorkers: 2, generator: seed, workerDataset: { module: SLOW, export: 'makeRandomDataset' } });
      const out: number[] = [];
      for await (const b of loader as AsyncIterable<Tensor>) out.push(...(b.tolist() as number[]));
      return out;
    };
    const a = await draw(7);
    expect(await draw(7)).toEqual(a);
    // Batches 0 and 1 come from workers 0 and 1: different seeds, different draws.
    expect(a.slice(0, 2)).not.toEqual(a.slice(2, 4));
  });
});
