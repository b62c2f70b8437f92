// Tutorial 2.3.2 (reading data): a sample read straight from the loader's dataset (`test_dataloader.dataset[0]`,
// an (image, label) pair) logged with addImage, then every batch of 4 from the DataLoader logged with addImages
// under the tag "loader", one step per batch. The data are Fashion-MNIST's test split (Debian's package under
// /usr/share/datasets/fashion-mnist, or `root`), else the small subset that ships with Board.
// Run: npx tsx --conditions=board-source examples/dataset-images.ts [logdir]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SummaryWriter, data, datasets, transforms } from 'board';
import type { Tensor } from 'board';

/** Fashion-MNIST's test split with ToTensor, from the system copy or `root`, else Board's bundled subset. */
export function fashionTestSet(root = 'data'): { dataset: InstanceType<typeof datasets.FashionMNIST>; name: string } {
  const transform = new transforms.ToTensor();
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

export interface DatasetImagesReport {
  name: string;
  sample: Tensor;
  label: number;
  batches: number;
  lastBatch: number;
}

export async function main(
  logdir = 'logs',
  opts: { limit?: number; root?: string } = {},
  log: (s: string) => void = console.log,
): Promise<DatasetImagesReport> {
  const { dataset: full, name } = fashionTestSet(opts.root);
  const dataset = opts.limit
    ? new data.Subset(
        full,
        Array.from({ length: Math.min(opts.limit, full.length) }, (_, i) => i),
      )
    : full;
  // Batch size 4, reshuffled every epoch, the last short batch kept (as the tutorial's loader).
  const testDataloader = new data.DataLoader(dataset, { batchSize: 4, shuffle: true, dropLast: false, generator: 0 });

  // Read a sample and its label straight from the loader's dataset: an (image, label) pair.
  const pair = (await testDataloader.dataset.getItem(0)) as [Tensor, number];
  log(
    `type of test_dataloader.dataset[0]: ${Array.isArray(pair) ? `a pair of (${pair.map((v) => (typeof v === 'number' ? 'number' : v.constructor.name)).join(', ')})` : typeof pair}`,
  );
  const [img, label] = pair;
  log(`label of the image: ${label}`);
  log(`image type: ${img.constructor.name}, image size: torch.Size([${img.shape.join(', ')}])`);
  let writer = new SummaryWriter(logdir);
  writer.addImage('img', img);
  writer.close();

  // Every batch the loader makes: 4 images stacked into [4, C, H, W], their 4 labels into [4].
  writer = new SummaryWriter(logdir);
  let step = 0;
  let lastBatch = 0;
  for await (const [imgs, targets] of testDataloader as AsyncIterable<[Tensor, Tensor]>) {
    if (step === 0) {
      log(`torch.Size([${imgs.shape.join(', ')}])`);
      log(`torch.Size([${targets.shape.join(', ')}])`);
    }
    writer.addImages('loader', imgs, step);
    lastBatch = imgs.shape[0]!;
    step++;
  }
  writer.close();
  log(`${name}: ${dataset.length} images in ${step} batches of 4 (the last holds ${lastBatch})`);
  return { name, sample: img, label, batches: step, lastBatch };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv[2]);
