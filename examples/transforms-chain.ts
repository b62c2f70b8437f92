// Tutorial chapter 3: ToTensor on a uint8 HWC array, Normalize with the per-channel mean/std the
// tutorial computes (unsqueeze, view(N, C, -1), mean(2)/std(2), sum(0), / N), Resize and Compose.
// Run: npx tsx --conditions=board-source examples/transforms-chain.ts
import { pathToFileURL } from 'node:url';
import { tensor, transforms, vision } from 'board';
import type { Tensor } from 'board';

/** The tutorial's calculate(data): per-channel mean and std of a [C, H, W] image. */
export function calculate(img: Tensor): [Tensor, Tensor] {
  let d = img.unsqueeze(0);
  let nbSamples = 0;
  let channelMean = tensor.zeros(3);
  let channelStd = tensor.zeros(3);
  const [N, C] = d.shape;
  d = d.view(N, C, -1);
  channelMean = channelMean.add(d.mean(2).sum(0));
  channelStd = channelStd.add(d.std(2).sum(0));
  nbSamples += N;
  channelMean = channelMean.div(nbSamples);
  channelStd = channelStd.div(nbSamples);
  return [channelMean, channelStd];
}

export function main(log: (s: string) => void = console.log): {
  toTensor: Tensor;
  normalized: Tensor;
  mean: Tensor;
  std: Tensor;
  resized: Tensor;
  composed: Tensor;
} {
  // 3.1 ToTensor: a 5x5x3 uint8 image whose rows hold 1..5 becomes [3, 5, 5] floats / 255.
  const arr = new Uint8Array(5 * 5 * 3);
  for (let r = 0; r < 5; r++) arr.fill(r + 1, r * 15, r * 15 + 15);
  const toTensor = new transforms.ToTensor()(new vision.NDArray(arr, [5, 5, 3]));
  log(`data.shape= [5, 5, 3]\n${toTensor.toString()}\n${JSON.stringify(toTensor.shape)}`);

  // 3.2 Normalize with the computed per-channel statistics of a random 28x28x3 image in [0, 1).
  const img = new transforms.ToTensor()(new vision.NDArray(tensor.rand(28, 28, 3).dataSync(), [28, 28, 3]));
  const [mean, std] = calculate(img);
  const normalized = new transforms.Normalize(mean, std)(img);
  log(`mean ${mean.toString()}\nstd ${std.toString()}`);

  // 3.3 Resize keeps the channels and changes H and W.
  const resized = new transforms.Resize([250, 250])(img) as Tensor;
  log(`img ${JSON.stringify(img.shape)} -> resized ${JSON.stringify(resized.shape)}`);

  // 3.4 Compose: Resize, ToTensor, Normalize(0.5, 0.5) on a PIL image.
  const pil = vision.PILImage.fromArray(
    Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 37) % 256),
    [32, 32, 3],
    'RGB',
  );
  const chain = new transforms.Compose([
    new transforms.Resize([256, 256]),
    new transforms.ToTensor(),
    new transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]),
  ]);
  const composed = chain(pil) as Tensor;
  log(`${chain.toString()}\n-> ${JSON.stringify(composed.shape)}`);
  return { toTensor, normalized, mean, std, resized, composed };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
