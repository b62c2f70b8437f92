// CIFAR-10 from the binary version (cifar-10-batches-bin/*.bin): records of 1 label byte then
// 3072 bytes (1024 red, 1024 green, 1024 blue, row-major 32x32). Samples are [PILImage RGB, label].
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../../engine/index.ts';
import { checkIndex } from '../../data/dataset.ts';
import type { WorkerRecipe } from '../../data/recipe.ts';
import { PILImage } from '../image.ts';
import type { TransformSpec } from '../transforms/transforms.ts';
import { downloadSync } from './find.ts';
import { extractTar } from './tar.ts';
import { VisionDataset, transformFromNullableSpec } from './vision.ts';
import type { VisionDatasetOptions } from './vision.ts';

const RECORD = 1 + 3072;

export class CIFAR10 extends VisionDataset {
  static mirrors: string[] = ['https://www.cs.toronto.edu/~kriz/'];
  static archive: [string, string] = ['cifar-10-binary.tar.gz', 'c32a1d4ab5d03f1284b67883e8d87530'];
  static baseFolder = 'cifar-10-batches-bin';
  static trainList = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
  static testList = ['test_batch.bin'];
  static classes: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

  readonly train: boolean;
  /** HWC uint8 pixels of all images (N x 32 x 32 x 3), as torchvision's `data`. */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  private dataTensor: Tensor | null = null;

  constructor(opts: VisionDatasetOptions = {}) {
    super(opts);
    this.train = opts.train ?? true;
    const ctor = this.constructor as typeof CIFAR10;
    const list = this.train ? ctor.trainList : ctor.testList;
    const candidates = [join(this.root, ctor.baseFolder), this.root];
    let dir = candidates.find((d) => list.every((f) => existsSync(join(d, f)))) ?? null;
    if (!dir && opts.download) {
      const [file, md5] = ctor.archive;
      downloadSync({ mirrors: ctor.mirrors, files: [[file, md5]], dir: this.root });
      extractTar(readFileSync(join(this.root, file)), this.root, file);
      dir = candidates.find((d) => list.every((f) => existsSync(join(d, f)))) ?? null;
    }
    if (!dir) {
      const missing = list.filter((f) => !existsSync(join(candidates[0], f)));
      throw new Error(
        `${ctor.name}: dataset not found. Missing ${missing.join(', ')} in ${candidates[0]} (also looked in ${this.root}).\n` +
          `To fix, pass download: true to fetch ${ctor.mirrors[0]}${ctor.archive[0]}\n  or unpack that archive (the binary version) into ${this.root}/ so that ${candidates[0]}/ holds ${list.join(', ')}`,
      );
    }
    const chunks: Uint8Array[] = [];
    for (const f of list) {
      const path = join(dir, f);
      const size = statSync(path).size;
      if (size % RECORD !== 0)
        throw new Error(
          `${path}: size ${size} is not a multiple of the ${RECORD}-byte CIFAR record (corrupt or not the binary version; the record at offset ${size - (size % RECORD)} is cut short)`,
        );
      chunks.push(readFileSync(path));
    }
    const n = chunks.reduce((a, c) => a + c.length / RECORD, 0);
    this.pixels = new Uint8Array(n * 3072);
    this.labels = new Uint8Array(n);
    let k = 0;
    for (const chunk of chunks) {
      for (let r = 0; r < chunk.length / RECORD; r++, k++) {
        const base = r * RECORD;
        const label = chunk[base];
        if (label > 9) throw new Error(`${ctor.name}: bad label ${label} in record ${r} (offset ${base}); labels are 0-9`);
        this.labels[k] = label;
        const out = k * 3072;
        for (let p = 0; p < 1024; p++) {
          this.pixels[out + 3 * p] = chunk[base + 1 + p];
          this.pixels[out + 3 * p + 1] = chunk[base + 1 + 1024 + p];
          this.pixels[out + 3 * p + 2] = chunk[base + 1 + 2048 + p];
        }
      }
    }
  }

  get classes(): readonly string[] {
    return (this.constructor as typeof CIFAR10).classes;
  }

  get classToIdx(): Record<string, number> {
    return Object.fromEntries(this.classes.map((c, i) => [c, i]));
  }

  get length(): number {
    return this.labels.length;
  }

  /** All images as a uint8 tensor [N, 32, 32, 3] (HWC, as torchvision's numpy `data`). */
  get data(): Tensor {
    this.dataTensor ??= Tensor.fromTypedArray(this.pixels, [this.length, 32, 32, 3], 'uint8');
    return this.dataTensor;
  }

  /** Labels as a list of numbers (torchvision's `targets`). */
  get targets(): number[] {
    return Array.from(this.labels);
  }

  getItem(index: number): [any, any] {
    const i = checkIndex(index, this.length, this.constructor.name);
    const img = new PILImage(this.pixels.subarray(i * 3072, (i + 1) * 3072), 32, 32, 'RGB');
    return this.applyTransforms(img, this.labels[i]);
  }

  protected override extraRepr(): string[] {
    return [`Split: ${this.train ? 'Train' : 'Test'}`];
  }

  override workerRecipe(): WorkerRecipe | null {
    const specs = this.transformSpecs();
    if (!specs || this.constructor !== CIFAR10) return null;
    return { module: import.meta.url, export: 'cifar10FromRecipe', args: [{ root: this.root, train: this.train, ...specs }] };
  }
}

export function cifar10FromRecipe(a: {
  root: string;
  train: boolean;
  transform: TransformSpec | null;
  targetTransform: TransformSpec | null;
}): CIFAR10 {
  return new CIFAR10({
    root: a.root,
    train: a.train,
    transform: transformFromNullableSpec(a.transform),
    targetTransform: transformFromNullableSpec(a.targetTransform),
  });
}
