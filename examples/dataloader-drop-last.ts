// Tutorial 2.3.2 (visualising drop_last): iterate a DataLoader (batch 64, shuffled) and write every batch with
// SummaryWriter.addImages, once with dropLast=false and once with dropLast=true. With 10000 test
// images, 10000 % 64 = 16: the last step shows 16 images, or disappears with dropLast.
// Run: npx tsx --conditions=board-source examples/dataloader-drop-last.ts [logdir]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SummaryWriter, data } from 'board';
import type { Tensor } from 'board';
import { tutorialTestSet } from './tutorial-data.ts';

export interface DropLastReport {
  dataset: string;
  size: number;
  batches: { dropLast: boolean; steps: number; lastBatch: number; images: number }[];
}

export function main(
  logdir = 'logs/drop_last',
  opts: { limit?: number; batchSize?: number; root?: string } = {},
  log: (s: string) => void = console.log,
): DropLastReport {
  const { dataset: full, name } = tutorialTestSet(opts.root);
  const dataset = opts.limit
    ? new data.Subset(
        full,
        Array.from({ length: Math.min(opts.limit, full.length) }, (_, i) => i),
      )
    : full;
  const batchSize = opts.batchSize ?? 64;
  const report: DropLastReport = { dataset: name, size: dataset.length, batches: [] };
  for (const dropLast of [false, true]) {
    const loader = new data.DataLoader(dataset, { batchSize, shuffle: true, dropLast, generator: 0 });
    const writer = new SummaryWriter(join(logdir, `drop_last_${dropLast}`));
    let step = 0;
    let lastBatch = 0;
    let images = 0;
    for (const [imgs] of loader as Iterable<[Tensor, Tensor]>) {
      writer.addImages('loader', imgs, step);
      lastBatch = imgs.shape[0];
      images += lastBatch;
      step++;
    }
    writer.close();
    report.batches.push({ dropLast, steps: step, lastBatch, images });
    log(
      `${name}: ${dataset.length} images, batchSize ${batchSize}, dropLast=${dropLast}: ${step} steps (len(loader) = ${loader.length}), last batch ${lastBatch} images, ${dataset.length - images} images dropped`,
    );
  }
  log(
    `${dataset.length} % ${batchSize} = ${dataset.length % batchSize}: that many images are kept in a last short batch, or dropped with dropLast=true.`,
  );
  return report;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv[2]);
