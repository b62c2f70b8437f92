// A dataset module for DataLoader worker tests: worker threads import it by URL and call the
// factories. getItem can be slow (a blocking wait, like decoding a big image) and records when
// it ran, so tests can check that loading overlapped the training step on the main thread.
import { Dataset } from '../../lib/data/dataset.ts';
import { getWorkerInfo } from '../../lib/data/worker-info.ts';
import { rand } from '../../lib/engine/index.ts';

const randValue = (): number => rand([1]).item() as number;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

export const now = (): number => performance.timeOrigin + performance.now();

export interface SlowSample {
  index: number;
  value: Float32Array;
  start: number;
  end: number;
  worker: number;
}

export class SlowDataset extends Dataset<SlowSample> {
  constructor(readonly n: number, readonly ms: number, readonly failAt = -1) {
    super();
  }
  get length(): number {
    return this.n;
  }
  getItem(index: number): SlowSample {
    if (index === this.failAt) throw new RangeError(`sample ${index} is broken on purpose`);
    const start = now();
    blockFor(this.ms);
    return { index, value: Float32Array.of(index, index * 2), start, end: now(), worker: getWorkerInfo()?.id ?? -1 };
  }
}

export function makeSlowDataset(n: number, ms: number, failAt = -1): SlowDataset {
  return new SlowDataset(n, ms, failAt);
}

/** A collate function workers can import: sums of the indices. */
export function sumCollate(samples: SlowSample[]): number {
  return samples.reduce((a, s) => a + s.index, 0);
}

export function notADataset(): unknown {
  return { hello: 'world' };
}

/** Samples draw from the worker's tensor RNG (random transforms do the same). */
export class RandomDataset extends Dataset<number> {
  get length(): number {
    return 8;
  }
  getItem(): number {
    return randValue();
  }
}

export function makeRandomDataset(): RandomDataset {
  return new RandomDataset();
}
