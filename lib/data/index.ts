// torch.utils.data for Board: datasets, samplers, collate, DataLoader (with worker threads).
import { randint } from '../engine/index.ts';
import { setDefaultSeedHook } from './rng.ts';

export { Dataset, Subset, ConcatDataset, randomSplit, checkIndex } from './dataset.ts';
export type { DatasetLike } from './dataset.ts';
export { TensorDataset } from './tensor-dataset.ts';
export { DataLoader } from './dataloader.ts';
export type { DataLoaderOptions } from './dataloader.ts';
export { defaultCollate, defaultConvert } from './collate.ts';
export type { CollateFn } from './collate.ts';
export { SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } from './sampler.ts';
export type { Sampler, RandomSamplerOptions } from './sampler.ts';
export { IndexGenerator } from './rng.ts';
export type { WorkerRecipe } from './recipe.ts';
export { getWorkerInfo } from './worker-info.ts';
export type { WorkerInfo } from './worker-info.ts';

// As PyTorch, a sampler without its own generator draws its seed from the global tensor RNG, so
// `manualSeed(n)` makes shuffling reproducible.
setDefaultSeedHook(() => Number(randint(0, 2 ** 31 - 1, [2]).dataSync().reduce((a, b) => a * 2 ** 21 + b, 0)) % 2 ** 52);
