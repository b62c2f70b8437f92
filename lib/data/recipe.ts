// Worker recipes. A worker thread cannot receive a dataset object (functions and classes do not
// cross threads), so it rebuilds the dataset from a recipe: a module URL, an exported factory and
// structured-clonable arguments. Built-in datasets provide `workerRecipe()`; user datasets pass
// `workerDataset` to the DataLoader (or implement `workerRecipe()` themselves).
import type { DatasetLike } from './dataset.ts';

export interface WorkerRecipe {
  /** Module URL or absolute path (`import.meta.url` of the module that exports the factory). */
  module: string;
  /** Name of the exported factory: `(...args) => DatasetLike | Promise<DatasetLike>`. */
  export: string;
  /** Structured-clonable arguments for the factory. */
  args?: unknown[];
}

export function isWorkerRecipe(v: unknown): v is WorkerRecipe {
  return typeof v === 'object' && v !== null && typeof (v as WorkerRecipe).module === 'string' && typeof (v as WorkerRecipe).export === 'string';
}

function toImportSpecifier(module: string): string {
  if (/^[a-z]+:/i.test(module)) return module;
  if (module.startsWith('/')) return new URL(`file://${module}`).href;
  return module;
}

/** Imports the recipe's module and calls its factory. */
export async function buildFromRecipe(recipe: WorkerRecipe): Promise<any> {
  const mod = (await import(toImportSpecifier(recipe.module))) as Record<string, unknown>;
  const factory = mod[recipe.export];
  if (typeof factory !== 'function') {
    throw new TypeError(`worker recipe: module ${recipe.module} has no exported function "${recipe.export}" (exports: ${Object.keys(mod).join(', ') || 'none'})`);
  }
  return await (factory as (...a: unknown[]) => unknown)(...(recipe.args ?? []));
}

export async function subsetFromRecipe(inner: WorkerRecipe, indices: number[]): Promise<DatasetLike> {
  const { Subset } = await import('./dataset.ts');
  return new Subset((await buildFromRecipe(inner)) as DatasetLike, indices);
}

export async function concatFromRecipes(inner: WorkerRecipe[]): Promise<DatasetLike> {
  const { ConcatDataset } = await import('./dataset.ts');
  return new ConcatDataset(await Promise.all(inner.map((r) => buildFromRecipe(r) as Promise<DatasetLike>)));
}
