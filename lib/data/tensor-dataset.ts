// TensorDataset: samples are the i-th rows of tensors sharing their first dimension.
import { Tensor } from '../engine/index.ts';
import { Dataset, checkIndex } from './dataset.ts';
import type { WorkerRecipe } from './recipe.ts';
import { decodeValue, encodeValue } from './wire.ts';

export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new RangeError('TensorDataset: give at least one tensor');
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.dim() === 0) throw new RangeError(`TensorDataset: tensor ${i} is 0-dimensional; every tensor needs a first (sample) dimension`);
      if (t.shape[0] !== n) throw new RangeError(`TensorDataset: size mismatch between tensors: tensor 0 has ${n} rows (shape [${tensors[0].shape.join(', ')}]) but tensor ${i} has shape [${t.shape.join(', ')}]`);
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Tensor[] {
    const i = checkIndex(index, this.length, 'TensorDataset');
    return this.tensors.map((t) => t.select(0, i));
  }

  override workerRecipe(): WorkerRecipe {
    // Worker threads receive a copy of the tensors (structured clone of the raw storage).
    return { module: import.meta.url, export: 'tensorDatasetFromWire', args: [encodeValue(this.tensors.map((t) => t.detach()), null)] };
  }
}

/** Rebuilds a TensorDataset inside a worker thread. */
export function tensorDatasetFromWire(wire: unknown): TensorDataset {
  return new TensorDataset(...(decodeValue(wire) as Tensor[]));
}
