// Tutorial 2.3.3 (visualising shuffle): two epochs over a shuffled DataLoader (batch 64, dropLast),
// each epoch written under its own tag "Epoch:E" with one image grid per step. The board shows
// that every epoch sees the images in a different order.
// Run: npx tsx --conditions=board-source examples/dataloader-shuffle.ts [logdir]
import { pathToFileURL } from 'node:url';
import { SummaryWriter, data } from 'board';
import type { Tensor } from 'board';
import { tutorialTestSet } from './tutorial-data.ts';

export function main(
  logdir = 'logs/shuffle',
  opts: { limit?: number; epochs?: number; root?: string } = {},
  log: (s: string) => void = console.log,
): { firstLabels: number[][]; steps: number[] } {
  const { dataset: full, name } = tutorialTestSet(opts.root);
  const dataset = opts.limit
    ? new data.Subset(
        full,
        Array.from({ length: Math.min(opts.limit, full.length) }, (_, i) => i),
      )
    : full;
  const loader = new data.DataLoader(dataset, { batchSize: 64, shuffle: true, dropLast: true, generator: 0 });
  const writer = new SummaryWriter(logdir);
  const firstLabels: number[][] = [];
  const steps: number[] = [];
  for (let epoch = 0; epoch < (opts.epochs ?? 2); epoch++) {
    let step = 0;
    for (const [imgs, targets] of loader as Iterable<[Tensor, Tensor]>) {
      if (step === 0) firstLabels.push((targets.tolist() as number[]).slice(0, 16));
      writer.addImages(`Epoch:${epoch}`, imgs, step);
      step++;
    }
    steps.push(step);
    log(`${name}, epoch ${epoch}: ${step} steps; labels of the first batch: ${firstLabels[epoch].join(' ')}`);
  }
  writer.close();
  return { firstLabels, steps };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv[2]);
