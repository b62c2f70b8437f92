// MNIST and Fashion-MNIST (torchvision.datasets.MNIST / FashionMNIST): IDX files, gzipped or not.
// Samples are [PILImage (mode L, 28x28), label]; `data` / `targets` hold the whole split as tensors.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../../engine/index.ts';
import { checkIndex } from '../../data/dataset.ts';
import type { WorkerRecipe } from '../../data/recipe.ts';
import { PILImage } from '../image.ts';
import type { TransformSpec } from '../transforms/transforms.ts';
import { downloadSync, findFile } from './find.ts';
import { parseIdx, readMaybeGzip } from './idx.ts';
import { VisionDataset, transformFromNullableSpec } from './vision.ts';
import type { VisionDatasetOptions } from './vision.ts';

interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  rows: number;
  cols: number;
}

// Parsed splits, keyed by file path + mtime: constructing a dataset twice does not re-read 30 MB.
const cache = new Map<string, Split>();

function loadSplit(imagesPath: string, labelsPath: string): Split {
  const key = `${imagesPath}:${statSync(imagesPath).mtimeMs}|${labelsPath}:${statSync(labelsPath).mtimeMs}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const img = parseIdx(readMaybeGzip(imagesPath), imagesPath);
  const lab = parseIdx(readMaybeGzip(labelsPath), labelsPath);
  if (img.type !== 'uint8' || img.shape.length !== 3)
    throw new Error(`${imagesPath}: expected a uint8 IDX array of shape [N, rows, cols], got ${img.type} [${img.shape.join(', ')}]`);
  if (lab.type !== 'uint8' || lab.shape.length !== 1)
    throw new Error(`${labelsPath}: expected a uint8 IDX array of shape [N], got ${lab.type} [${lab.shape.join(', ')}]`);
  if (img.shape[0] !== lab.shape[0])
    throw new Error(`${imagesPath} has ${img.shape[0]} images but ${labelsPath} has ${lab.shape[0]} labels`);
  const split: Split = { images: img.data as Uint8Array, labels: lab.data as Uint8Array, rows: img.shape[1], cols: img.shape[2] };
  cache.set(key, split);
  return split;
}

export class MNIST extends VisionDataset {
  static mirrors: string[] = ['http://yann.lecun.com/exdb/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/'];
  static resources: Array<[string, string]> = [
    ['train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'],
    ['train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'],
    ['t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'],
    ['t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'],
  ];
  static classes: readonly string[] = [
    '0 - zero',
    '1 - one',
    '2 - two',
    '3 - three',
    '4 - four',
    '5 - five',
    '6 - six',
    '7 - seven',
    '8 - eight',
    '9 - nine',
  ];
  /** System-wide install locations searched after `root`. */
  static systemDirs: string[] = [];
  /** The distribution package that installs the files there, for the error message. */
  static systemPackage: string | null = null;

  readonly train: boolean;
  /** Raw split: images as N*rows*cols bytes, labels as N bytes. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  /** Files the split was read from. */
  readonly files: { images: string; labels: string };
  private readonly searchSystemDirs: boolean;
  private dataTensor: Tensor | null = null;
  private targetsTensor: Tensor | null = null;

  constructor(opts: VisionDatasetOptions = {}) {
    super(opts);
    this.train = opts.train ?? true;
    this.searchSystemDirs = opts.searchSystemDirs ?? true;
    const ctor = this.constructor as typeof MNIST;
    const prefix = this.train ? 'train' : 't10k';
    const imagesName = `${prefix}-images-idx3-ubyte`;
    const labelsName = `${prefix}-labels-idx1-ubyte`;
    const rawDir = join(this.root, ctor.name, 'raw');
    const userDirs = [this.root, rawDir, join(this.root, ctor.name)];
    const dirs = this.searchSystemDirs ? [...userDirs, ...ctor.systemDirs] : userDirs;
    let imagesPath = findFile(dirs, imagesName);
    let labelsPath = findFile(dirs, labelsName);
    if ((!imagesPath || !labelsPath) && opts.download) {
      const files = ctor.resources.filter(([f]) => f.startsWith(`${prefix}-`));
      downloadSync({ mirrors: ctor.mirrors, files, dir: rawDir });
      imagesPath = findFile([rawDir], imagesName);
      labelsPath = findFile([rawDir], labelsName);
    }
    if (!imagesPath || !labelsPath)
      throw new Error(this.notFoundMessage(dirs, [imagesPath ? null : imagesName, labelsPath ? null : labelsName], rawDir));
    this.files = { images: imagesPath, labels: labelsPath };
    const split = loadSplit(imagesPath, labelsPath);
    this.images = split.images;
    this.labels = split.labels;
    this.rows = split.rows;
    this.cols = split.cols;
  }

  private notFoundMessage(dirs: string[], missing: Array<string | null>, rawDir: string): string {
    const ctor = this.constructor as typeof MNIST;
    const names = missing.filter((m): m is string => m !== null).map((m) => `${m}(.gz)`);
    const all = ctor.resources.map(([f]) => f).join(', ');
    const fixes: string[] = [];
    if (ctor.systemPackage && ctor.systemDirs.length > 0) {
      fixes.push(`install the Debian package: sudo apt-get install ${ctor.systemPackage}   (it puts the files in ${ctor.systemDirs[0]})`);
    }
    fixes.push(`pass download: true to fetch them from ${ctor.mirrors[0]}`);
    fixes.push(`or put ${all} into ${rawDir}/`);
    return `${ctor.name}: dataset not found. Missing ${names.join(' and ')}; looked in: ${dirs.join(', ')}.\nTo fix, ${fixes.join('\n  or ')}`;
  }

  static get classToIdx(): Record<string, number> {
    return Object.fromEntries(this.classes.map((c, i) => [c, i]));
  }

  get classes(): readonly string[] {
    return (this.constructor as typeof MNIST).classes;
  }

  get classToIdx(): Record<string, number> {
    return (this.constructor as typeof MNIST).classToIdx;
  }

  get length(): number {
    return this.labels.length;
  }

  /** All images as a uint8 tensor [N, rows, cols] (shares memory with `images`). */
  get data(): Tensor {
    this.dataTensor ??= Tensor.fromTypedArray(this.images, [this.length, this.rows, this.cols], 'uint8');
    return this.dataTensor;
  }

  /** All labels as an int64 tensor [N]. */
  get targets(): Tensor {
    this.targetsTensor ??= Tensor.fromTypedArray(Float64Array.from(this.labels), [this.length], 'int64');
    return this.targetsTensor;
  }

  /** [image, label]: the image is a mode-L PILImage (a view, not a copy) before `transform`. */
  getItem(index: number): [any, any] {
    const i = checkIndex(index, this.length, this.constructor.name);
    const n = this.rows * this.cols;
    const img = new PILImage(this.images.subarray(i * n, (i + 1) * n), this.cols, this.rows, 'L');
    return this.applyTransforms(img, this.labels[i]);
  }

  protected override extraRepr(): string[] {
    return [`Split: ${this.train ? 'Train' : 'Test'}`];
  }

  override workerRecipe(): WorkerRecipe | null {
    const specs = this.transformSpecs();
    if (!specs) return null;
    const kind = this.constructor.name;
    if (!(kind in DATASET_CLASSES)) return null;
    return {
      module: import.meta.url,
      export: 'mnistFromRecipe',
      args: [{ kind, root: this.root, train: this.train, searchSystemDirs: this.searchSystemDirs, ...specs }],
    };
  }
}

export class FashionMNIST extends MNIST {
  static override mirrors = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'];
  static override resources: Array<[string, string]> = [
    ['train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'],
    ['train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'],
    ['t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'],
    ['t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310'],
  ];
  static override classes: readonly string[] = [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ];
  static override systemDirs = ['/usr/share/datasets/fashion-mnist'];
  static override systemPackage: string | null = 'dataset-fashion-mnist';
}

export class KMNIST extends MNIST {
  static override mirrors = ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/'];
  static override resources: Array<[string, string]> = [
    ['train-images-idx3-ubyte.gz', 'bdb82020997e1d708af4cf47b453dcf7'],
    ['train-labels-idx1-ubyte.gz', 'e144d726b3acfaa3e44228e80efcd344'],
    ['t10k-images-idx3-ubyte.gz', '5c965bf0a639b31b8f53240b1b52f4d7'],
    ['t10k-labels-idx1-ubyte.gz', '7320c461ea6c1c855c0b718fb2a4b134'],
  ];
  static override classes: readonly string[] = ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'];
}

const DATASET_CLASSES: Record<string, typeof MNIST> = { MNIST, FashionMNIST, KMNIST };

interface MnistRecipeArgs {
  kind: string;
  root: string;
  train: boolean;
  searchSystemDirs: boolean;
  transform: TransformSpec | null;
  targetTransform: TransformSpec | null;
}

/** Rebuilds an (Fashion-)MNIST dataset inside a DataLoader worker thread. */
export function mnistFromRecipe(a: MnistRecipeArgs): MNIST {
  const cls = DATASET_CLASSES[a.kind];
  if (!cls) throw new TypeError(`mnistFromRecipe: unknown dataset ${a.kind}`);
  return new cls({
    root: a.root,
    train: a.train,
    searchSystemDirs: a.searchSystemDirs,
    transform: transformFromNullableSpec(a.transform),
    targetTransform: transformFromNullableSpec(a.targetTransform),
  });
}
