// The demo's training run: the tutorial's Fashion-MNIST loop with Board's engine, logging what a
// TensorBoard user expects (losses, accuracy, lr, sample images, histograms, graph, hparams, text).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { manualSeed, noGrad } from '../engine/index.ts';
import { describeBackend } from '../engine/kernels/backend.ts';
import type { Tensor } from '../engine/index.ts';
import * as nn from '../nn/index.ts';
import { Adam, SGD } from '../optim/index.ts';
import type { Optimizer } from '../optim/index.ts';
import { SummaryWriter } from '../tfevents/writer.ts';
import { DataLoader } from '../data/dataloader.ts';
import { IndexGenerator } from '../data/rng.ts';
import { makeGrid } from '../vision/utils.ts';
import type { DemoOptions } from './args.ts';
import { loadDemoData } from './data.ts';
import type { DemoData } from './data.ts';
import { buildModel } from './models.ts';
import { ProgressBar } from './progress.ts';
import { labelledGrid } from './label-grid.ts';

export interface EpochResult {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  accuracy: number;
  seconds: number;
  samplesPerSec: number;
}

function runName(o: DemoOptions): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `fashion_${o.model}_${o.optimizer}_lr${o.lr}_bs${o.batchSize}_${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function numParams(model: nn.Module): number {
  let n = 0;
  for (const p of model.parameters()) n += p.numel();
  return n;
}

/** The tutorial's figure: 9 random training images in a 3x3 grid, each titled with its label. */
function logSamples(writer: SummaryWriter, data: DemoData, seed: number): void {
  const gen = new IndexGenerator(seed + 1);
  const images: Tensor[] = [];
  const labels: string[] = [];
  for (let i = 0; i < 9; i++) {
    const [img, label] = data.train.getItem(gen.randint(data.train.length)) as [Tensor, number];
    images.push(img);
    labels.push(data.classes[label]);
  }
  writer.addImage('samples/3x3_labelled', labelledGrid(images, labels, 3), 0);
  writer.addImage('samples/3x3', makeGrid(images, { nrow: 3, padding: 2 }), 0);
  const rows = [0, 1, 2].map((r) => `| ${labels.slice(r * 3, r * 3 + 3).join(' | ')} |`);
  writer.addText(
    'samples/labels',
    ['Labels of the 3x3 grid (row by row):', '', '| col 1 | col 2 | col 3 |', '|---|---|---|', ...rows].join('\n'),
    0,
  );
}

function logHistograms(writer: SummaryWriter, model: nn.Module, step: number): void {
  for (const [name, p] of model.namedParameters()) {
    writer.addHistogram(`weights/${name}`, p.detach(), step);
    if (p.grad) writer.addHistogram(`grads/${name}`, p.grad, step);
  }
}

function evaluate(model: nn.Module, loader: DataLoader, lossFn: nn.CrossEntropyLoss): { loss: number; accuracy: number } {
  model.eval();
  let lossSum = 0;
  let correct = 0;
  let size = 0;
  let batches = 0;
  noGrad(() => {
    for (const [x, y] of loader as Iterable<[Tensor, Tensor]>) {
      const pred = model.call(x) as Tensor;
      lossSum += (lossFn.call(pred, y) as Tensor).item() as number;
      correct += pred.argmax(1).eq(y).sum().item() as number;
      size += y.shape[0];
      batches++;
    }
  });
  return { loss: lossSum / Math.max(1, batches), accuracy: correct / Math.max(1, size) };
}

export async function trainDemo(
  o: DemoOptions,
  log: (s: string) => void = console.log,
): Promise<{ results: EpochResult[]; logDir: string; data: DemoData }> {
  manualSeed(o.seed);
  log(describeBackend());
  const data = loadDemoData(o.data, o.systemData, o.limit, log, o.download);
  log(`Data: ${data.source}: ${data.train.length} training / ${data.test.length} test images${o.limit ? ` (--limit ${o.limit})` : ''}`);
  const trainLoader = new DataLoader(data.train, {
    batchSize: o.batchSize,
    shuffle: true,
    generator: o.seed,
    numWorkers: o.numWorkers,
    persistentWorkers: o.numWorkers > 0,
  });
  const testLoader = new DataLoader(data.test, { batchSize: o.batchSize });
  const model = buildModel(o.model);
  const lossFn = new nn.CrossEntropyLoss();
  const optimizer: Optimizer =
    o.optimizer === 'adam' ? new Adam(model.parameters(), { lr: o.lr }) : new SGD(model.parameters(), { lr: o.lr });
  const logDir = join(o.logdir, runName(o));
  mkdirSync(o.logdir, { recursive: true });
  const writer = new SummaryWriter(logDir);
  log(`Model (${numParams(model)} parameters):\n${model.toString()}`);
  log(`Logging to ${resolve(logDir)}`);

  const [x0] = testLoader[Symbol.iterator]().next().value as [Tensor, Tensor];
  try {
    writer.addGraph(model, x0);
  } catch (e) {
    log(`(graph not logged: ${(e as Error).message})`);
  }
  logSamples(writer, data, o.seed);
  writer.flush();

  const results: EpochResult[] = [];
  // At least ~10 loss points per epoch on short runs.
  const logEvery = Math.max(1, Math.min(o.logEvery, Math.ceil(trainLoader.length / 10)));
  let step = 0;
  const started = performance.now();
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      model.train();
      const bar = new ProgressBar(`epoch ${epoch}/${o.epochs}`, data.train.length);
      const t0 = performance.now();
      let seen = 0;
      // The bar shows the mean loss of the last 50 steps.
      const recent = new Float64Array(50);
      let runningLoss = NaN;
      let lossSum = 0;
      let batches = 0;
      let firstBatch = true;
      for await (const [x, y] of trainLoader as AsyncIterable<[Tensor, Tensor]>) {
        if (firstBatch) {
          writer.addImages('train/batch', x, epoch);
          firstBatch = false;
        }
        // zeroGrad first (not after step) so the last step's gradients are still there for the histograms.
        optimizer.zeroGrad();
        const pred = model.call(x) as Tensor;
        const loss = lossFn.call(pred, y) as Tensor;
        loss.backward();
        optimizer.step();
        const lv = loss.item() as number;
        recent[batches % recent.length] = lv;
        lossSum += lv;
        batches++;
        runningLoss = recent.subarray(0, Math.min(batches, recent.length)).reduce((a, b) => a + b, 0) / Math.min(batches, recent.length);
        seen += y.shape[0];
        step++;
        if (step % logEvery === 0) {
          writer.addScalar('train/loss', lv, step);
          writer.addScalar('train/learning_rate', optimizer.paramGroups[0].lr as number, step);
          writer.addScalar('train/samples_per_sec', bar.rate(seen), step);
        }
        bar.update(seen, runningLoss);
      }
      bar.finish(seen, runningLoss);
      const seconds = (performance.now() - t0) / 1000;
      const { loss: testLoss, accuracy } = evaluate(model, testLoader, lossFn);
      writer.addScalar('test/loss', testLoss, epoch);
      writer.addScalar('test/accuracy', accuracy, epoch);
      writer.addScalar('train/epoch_loss', lossSum / Math.max(1, batches), epoch);
      logHistograms(writer, model, epoch);
      writer.flush();
      const r: EpochResult = {
        epoch,
        trainLoss: lossSum / Math.max(1, batches),
        testLoss,
        accuracy,
        seconds,
        samplesPerSec: seen / seconds,
      };
      results.push(r);
      log(
        `epoch ${epoch} test accuracy: ${accuracy.toFixed(4)} (test loss ${testLoss.toFixed(4)}, ${seconds.toFixed(1)} s, ${Math.round(r.samplesPerSec)} samples/s)`,
      );
    }
  } finally {
    await trainLoader.close();
  }
  const last = results[results.length - 1];
  writer.addHparams(
    { model: o.model, optimizer: o.optimizer, lr: o.lr, batch_size: o.batchSize, epochs: o.epochs, train_samples: data.train.length },
    { 'hparam/accuracy': last.accuracy, 'hparam/test_loss': last.testLoss },
  );
  const total = (performance.now() - started) / 1000;
  writer.addText(
    'summary',
    [
      `## Fashion-MNIST ${o.model.toUpperCase()} with ${o.optimizer === 'adam' ? 'Adam' : 'SGD'}`,
      '',
      `- data: ${data.source}, ${data.train.length} training / ${data.test.length} test images${data.fallback ? ' (fallback subset: the full dataset was not found)' : ''}`,
      `- model: ${numParams(model)} parameters`,
      `- recipe: lr ${o.lr}, batch size ${o.batchSize}, ${o.epochs} epoch(s), seed ${o.seed}`,
      `- final test accuracy: **${last.accuracy.toFixed(4)}**, test loss ${last.testLoss.toFixed(4)}`,
      `- training time: ${total.toFixed(1)} s`,
      '',
      '| epoch | train loss | test loss | test accuracy | samples/s |',
      '|---|---|---|---|---|',
      ...results.map(
        (r) =>
          `| ${r.epoch} | ${r.trainLoss.toFixed(4)} | ${r.testLoss.toFixed(4)} | ${r.accuracy.toFixed(4)} | ${Math.round(r.samplesPerSec)} |`,
      ),
      '',
      '```',
      model.toString(),
      '```',
    ].join('\n'),
    o.epochs,
  );
  writer.close();
  return { results, logDir, data };
}
