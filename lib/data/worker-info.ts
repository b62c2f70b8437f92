// get_worker_info(): inside a DataLoader worker thread, which worker this is; null on the main thread.
import type { DatasetLike } from './dataset.ts';

export interface WorkerInfo {
  id: number;
  numWorkers: number;
  seed: number;
  dataset: DatasetLike;
}

let info: WorkerInfo | null = null;

export function setWorkerInfo(i: WorkerInfo): void {
  info = i;
}

export function getWorkerInfo(): WorkerInfo | null {
  return info;
}
