// The demo's data: real Fashion-MNIST (root, then Debian's /usr/share/datasets/fashion-mnist),
// else the small subset shipped in test/fixtures/fashion-mini, said plainly.
import { resolve } from 'node:path';
import { FashionMNIST } from '../vision/datasets/mnist.ts';
import { ToTensor } from '../vision/transforms/transforms.ts';
import { Subset } from '../data/dataset.ts';
import type { DatasetLike } from '../data/dataset.ts';

export const FIXTURE_DIR = resolve(import.meta.dirname, '../../test/fixtures/fashion-mini');

export interface DemoData {
  train: DatasetLike;
  test: DatasetLike;
  classes: readonly string[];
  /** Where the files came from, for the terminal and the text summary. */
  source: string;
  fallback: boolean;
}

function limited(ds: FashionMNIST, limit: number): DatasetLike {
  if (limit <= 0 || limit >= ds.length) return ds;
  return new Subset(
    ds,
    Array.from({ length: limit }, (_, i) => i),
  );
}

function openSplits(root: string, systemData: boolean, download: boolean): [FashionMNIST, FashionMNIST] {
  const transform = new ToTensor();
  return [
    new FashionMNIST({ root, train: true, transform, searchSystemDirs: systemData, download }),
    new FashionMNIST({ root, train: false, transform, searchSystemDirs: systemData, download }),
  ];
}

/**
 * Real Fashion-MNIST from `root` or the system install; else a download into `root` (when allowed);
 * else the shipped subset.
 */
export function loadDemoData(
  root: string,
  systemData: boolean,
  limit: number,
  log: (s: string) => void = console.log,
  download = true,
): DemoData {
  const transform = new ToTensor();
  let train: FashionMNIST;
  let test: FashionMNIST;
  let fallback = false;
  try {
    try {
      [train, test] = openSplits(root, systemData, false);
    } catch (e) {
      if (!download) throw e;
      log(`Fashion-MNIST not found locally: trying to download it into ${resolve(root, 'FashionMNIST/raw')} ...`);
      [train, test] = openSplits(root, systemData, true);
    }
  } catch (e) {
    fallback = true;
    log(
      `Full Fashion-MNIST not available (${(e as Error).message.split('\n').slice(0, 2).join(' ').trim()}).\n` +
        `Falling back to the small subset that ships with Board (${FIXTURE_DIR}: 3000 training and 1000 test images).\n` +
        'Accuracy on it is lower than on the full set. For the real dataset: sudo apt-get install dataset-fashion-mnist,\n' +
        `or put the four *-ubyte.gz files into ${resolve(root, 'FashionMNIST/raw')}/.`,
    );
    train = new FashionMNIST({ root: FIXTURE_DIR, train: true, transform, searchSystemDirs: false });
    test = new FashionMNIST({ root: FIXTURE_DIR, train: false, transform, searchSystemDirs: false });
  }
  const source = fallback ? `fashion-mini subset (${FIXTURE_DIR})` : `Fashion-MNIST (${resolve(train.files.images, '..')})`;
  return { train: limited(train, limit), test: limited(test, limit), classes: FashionMNIST.classes, source, fallback };
}
