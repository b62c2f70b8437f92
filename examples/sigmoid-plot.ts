// Tutorial 4.2.3 (activation modules): nn.Sigmoid on 20 points of linspace(-6, 6), and the tutorial's scatter plot
// of sigmoid(x) against x ('Sigmoid', x label 'x', y label 'sigmoid(x)'). The board gets the plot twice: the 20
// values as the scalar curve 'sigmoid(x)' (step = point index), and the scatter plot drawn as an image 'Sigmoid'.
// Run: npx tsx --conditions=board-source examples/sigmoid-plot.ts [logdir]
import { pathToFileURL } from 'node:url';
import { SummaryWriter, nn, tensor } from 'board';

export const PLOT = { width: 240, height: 160, margin: 16 };

/** Pixel (row, col) of a point in the plot: x in [-6, 6] across, y in [0, 1] bottom to top, inside the margin. */
export function plotPixel(x: number, y: number): [number, number] {
  const { width, height, margin } = PLOT;
  const col = Math.round(margin + ((x + 6) / 12) * (width - 2 * margin - 1));
  const row = Math.round(height - 1 - margin - y * (height - 2 * margin - 1));
  return [row, col];
}

/** A white HWC uint8 scatter plot with grey axes (y = 0 and x = 0) and a 3x3 blue dot per point. */
export function scatterPlot(xs: readonly number[], ys: readonly number[]): Uint8Array {
  const { width, height } = PLOT;
  const px = new Uint8Array(width * height * 3).fill(255);
  const set = (r: number, c: number, rgb: [number, number, number]) => {
    if (r < 0 || r >= height || c < 0 || c >= width) return;
    px.set(rgb, (r * width + c) * 3);
  };
  const [axisRow] = plotPixel(0, 0);
  const [, axisCol] = plotPixel(0, 0);
  for (let c = 0; c < width; c++) set(axisRow, c, [160, 160, 160]);
  for (let r = 0; r < height; r++) set(r, axisCol, [160, 160, 160]);
  xs.forEach((x, i) => {
    const [r, c] = plotPixel(x, ys[i]!);
    for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) set(r + dr, c + dc, [31, 119, 180]);
  });
  return px;
}

export function main(logdir = 'logs/sigmoid', log: (s: string) => void = console.log): { xs: number[]; ys: number[] } {
  // A 1-D tensor of 20 points
  const x = tensor.linspace(-6, 6, 20);
  // The Sigmoid module, applied to the tensor
  const sigmoid = new nn.Sigmoid();
  const ysigmoid = sigmoid.call(x);
  log(String(ysigmoid));
  // The scatter plot: x.data.numpy().tolist() against ysigmoid.data.numpy().tolist()
  const xs = x.detach().tolist() as number[];
  const ys = ysigmoid.detach().tolist() as number[];
  const writer = new SummaryWriter(logdir);
  ys.forEach((y, i) => writer.addScalar('sigmoid(x)', y, i));
  writer.addImage('Sigmoid', { data: scatterPlot(xs, ys), shape: [PLOT.height, PLOT.width, 3] }, 0, { dataformats: 'HWC' });
  writer.close();
  log(
    `Sigmoid: ${xs.length} points, x from ${xs[0]} to ${xs[xs.length - 1]}, sigmoid(x) from ${ys[0]!.toFixed(4)} to ${ys[ys.length - 1]!.toFixed(4)}`,
  );
  return { xs, ys };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv[2]);
