// Test split used by the DataLoader examples: CIFAR-10 (as the tutorial) when its binary batches
// are under `root`, else Fashion-MNIST (also 10000 test images; Debian's package or `root`),
// else the small subset that ships with Board.
import { resolve } from 'node:path';
import { datasets, transforms } from 'board';

export function tutorialTestSet(root = 'data'): {
  dataset: InstanceType<typeof datasets.CIFAR10> | InstanceType<typeof datasets.FashionMNIST>;
  name: string;
} {
  const transform = new transforms.ToTensor();
  try {
    return { dataset: new datasets.CIFAR10({ root, train: false, transform }), name: 'CIFAR10 test' };
  } catch {
    // not installed: fall through
  }
  try {
    return { dataset: new datasets.FashionMNIST({ root, train: false, transform }), name: 'FashionMNIST test' };
  } catch {
    const fixture = resolve(import.meta.dirname, '../test/fixtures/fashion-mini');
    return {
      dataset: new datasets.FashionMNIST({ root: fixture, train: false, transform, searchSystemDirs: false }),
      name: 'fashion-mini test subset',
    };
  }
}
