// Tutorial 2.2.1: CustomImageDataset reads an annotations CSV (file name, label) and an image
// directory with readImage. Without arguments it first writes a small image folder (in the temp
// directory) from the Fashion-MNIST subset that ships with Board (PNG and JPEG files plus labels.csv).
// Run: npx tsx --conditions=board-source examples/custom-image-dataset.ts [annotations.csv image-dir]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { data, datasets, readImage, transforms } from 'board';
import type { Tensor } from 'board';

/** Minimal CSV reader (comma-separated, optional double quotes): what pandas.read_csv gives the tutorial. */
export function readCsv(path: string): string[][] {
  const rows: string[][] = [];
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        cells.push(cur);
        cur = '';
      } else cur += ch;
    }
    cells.push(cur);
    rows.push(cells);
  }
  return rows;
}

type Fn = (x: any) => any;

export class CustomImageDataset extends data.Dataset<[Tensor, any]> {
  private readonly imgLabels: Array<[string, number]>;
  constructor(
    annotationsFile: string,
    private readonly imgDir: string,
    private readonly transform: Fn | null = null,
    private readonly targetTransform: Fn | null = null,
  ) {
    super();
    const rows = readCsv(annotationsFile);
    // A header row (non-numeric label) is skipped, as pandas would take it as column names.
    const body = rows.length > 0 && Number.isNaN(Number(rows[0][1])) ? rows.slice(1) : rows;
    this.imgLabels = body.map((r, i) => {
      const label = Number(r[1]);
      if (r.length < 2 || !Number.isInteger(label))
        throw new Error(`${annotationsFile}: row ${i + 1} should be "file,label", got "${r.join(',')}"`);
      return [r[0], label];
    });
  }
  get length(): number {
    return this.imgLabels.length;
  }
  getItem(idx: number): [Tensor, any] {
    const [file, labelValue] = this.imgLabels[idx];
    let image: Tensor = readImage(join(this.imgDir, file));
    let label: any = labelValue;
    if (this.transform) image = this.transform(image);
    if (this.targetTransform) label = this.targetTransform(label);
    return [image, label];
  }
}

/** Writes `count` images of the shipped Fashion-MNIST subset as PNG (even) and JPEG (odd) files plus labels.csv. */
export function writeSampleFolder(dir: string, count = 16): { annotations: string; imgDir: string } {
  const fixture = resolve(import.meta.dirname, '../test/fixtures/fashion-mini');
  const ds = new datasets.FashionMNIST({ root: fixture, train: false, searchSystemDirs: false });
  const imgDir = join(dir, 'images');
  mkdirSync(imgDir, { recursive: true });
  const lines = ['file,label'];
  for (let i = 0; i < count; i++) {
    const [img, label] = ds.getItem(i);
    const gray = img.data as Uint8Array;
    if (i % 2 === 0) {
      const png = new PNG({ width: 28, height: 28, colorType: 0, inputColorType: 0, inputHasAlpha: false });
      png.data = Buffer.from(gray);
      const file = `img_${i}.png`;
      writeFileSync(join(imgDir, file), PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
      lines.push(`${file},${label}`);
    } else {
      const rgba = Buffer.alloc(28 * 28 * 4);
      for (let p = 0; p < 28 * 28; p++) rgba.fill(gray[p], 4 * p, 4 * p + 3).writeUInt8(255, 4 * p + 3);
      const file = `img_${i}.jpg`;
      writeFileSync(join(imgDir, file), jpeg.encode({ data: rgba, width: 28, height: 28 }, 95).data);
      lines.push(`${file},${label}`);
    }
  }
  const annotations = join(dir, 'labels.csv');
  writeFileSync(annotations, lines.join('\n') + '\n');
  return { annotations, imgDir };
}

export function main(args: string[] = [], log: (s: string) => void = console.log): { shapes: number[][]; labels: number[] } {
  const { annotations, imgDir } =
    args.length >= 2 ? { annotations: args[0], imgDir: args[1] } : writeSampleFolder(join(tmpdir(), 'board-custom-image-dataset'));
  // JPEG files decode to 3 channels, PNG gray to 1: Grayscale(1) on float tensors makes every sample [1, 28, 28].
  const toFloat = new transforms.ConvertImageDtype('float32');
  const toGray = new transforms.Lambda((t: Tensor) => (t.shape[0] === 3 ? new transforms.Grayscale(1)(t) : t));
  const ds = new CustomImageDataset(annotations, imgDir, new transforms.Compose([toFloat, toGray]));
  log(`CustomImageDataset: ${ds.length} images from ${imgDir}`);
  const loader = new data.DataLoader(ds, { batchSize: 4, shuffle: false });
  const shapes: number[][] = [];
  const labels: number[] = [];
  for (const [imgs, ys] of loader) {
    log(`batch images ${JSON.stringify(imgs.shape)} labels ${JSON.stringify(ys.tolist())}`);
    shapes.push([...imgs.shape]);
    labels.push(...(ys.tolist() as number[]));
  }
  return { shapes, labels };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
