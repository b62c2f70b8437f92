// torch.utils.data for Board: datasets, samplers, collate, DataLoader (with worker threads).
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

