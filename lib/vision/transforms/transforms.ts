// torchvision.transforms classes. Each transform is callable (`t(img)`, as in Python) and also has
// `forward(img)`. Built-in transforms can describe themselves (`toSpec()`) so DataLoader worker
// threads rebuild the same pipeline; Lambda cannot cross threads (functions do not), so a dataset
// using it needs an explicit workerDataset recipe.
import { rand, randint } from '../../engine/index.ts';
import type { Tensor } from '../../engine/index.ts';
import type { DType } from '../../engine/index.ts';
import { NDArray, PILImage } from '../image.ts';
import * as F from './functional.ts';
import type { ImageLike, PaddingMode, ResizeOptions } from './functional.ts';
import type { Interpolation } from './resample.ts';

export interface TransformSpec {
  name: string;
  args: unknown[];
}

export interface Transform<I = any, O = any> {
  (input: I): O;
}

/** Base class: subclasses implement `forward`; instances are callable functions. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- deliberate: the interface above gives instances the call signature that the constructor's returned function really has
export abstract class Transform<I = any, O = any> {
  /** Constructor arguments, for toSpec(); null when the transform cannot be rebuilt elsewhere. */
  declare protected specArgs: unknown[] | null;

  constructor() {
    // The instance is a function (so `t(img)` works, as in Python) with the class's prototype.
    // Base-class field initialisers would land on the discarded `this`, so state is set on fn here.
    const fn = ((input: I): O => (fn as unknown as Transform<I, O>).forward(input)) as unknown as Transform<I, O>;
    Object.defineProperty(fn, 'specArgs', { value: [], writable: true, enumerable: false, configurable: true });
    return Object.setPrototypeOf(fn, new.target.prototype) as Transform<I, O>;
  }

  abstract forward(input: I): O;

  /** A structured-clonable description (name + constructor args) for worker threads. */
  toSpec(): TransformSpec {
    if (this.specArgs === null)
      throw new TypeError(
        `${this.constructor.name} cannot be sent to a DataLoader worker (it wraps a function); give the DataLoader a workerDataset recipe`,
      );
    return { name: this.constructor.name, args: this.specArgs };
  }

  /** PyTorch-style repr, e.g. `Normalize(mean=[0.5], std=[0.5])`. */
  toString(): string {
    return `${this.constructor.name}()`;
  }
}

/** Applies transforms in order. */
export class Compose extends Transform {
  readonly transforms: Array<Transform | ((x: any) => any)>;
  constructor(transforms: Array<Transform | ((x: any) => any)>) {
    super();
    this.transforms = [...transforms];
    this.specArgs = null;
  }
  forward(x: unknown): any {
    let v = x;
    for (const t of this.transforms) v = (t as (x: unknown) => unknown)(v);
    return v;
  }
  override toSpec(): TransformSpec {
    return {
      name: 'Compose',
      args: [
        this.transforms.map((t) => {
          if (!(t instanceof Transform))
            throw new TypeError(
              'Compose: a plain function cannot be sent to a DataLoader worker; give the DataLoader a workerDataset recipe',
            );
          return t.toSpec();
        }),
      ],
    };
  }
  override toString(): string {
    return `Compose(\n${this.transforms.map((t) => `    ${String(t instanceof Transform ? t.toString() : 'function')}`).join('\n')}\n)`;
  }
}

/** PIL image or uint8 NDArray (HWC) to a float CHW tensor in [0, 1]. */
export class ToTensor extends Transform<PILImage | NDArray, Tensor> {
  forward(pic: PILImage | NDArray): Tensor {
    return F.toTensor(pic);
  }
}

export class PILToTensor extends Transform<PILImage, Tensor> {
  forward(pic: PILImage): Tensor {
    return F.pilToTensor(pic);
  }
}

export class ToPILImage extends Transform<Tensor, PILImage> {
  constructor(readonly mode?: 'L' | 'LA' | 'RGB' | 'RGBA') {
    super();
    this.specArgs = [mode];
  }
  forward(pic: Tensor): PILImage {
    return F.toPilImage(pic, this.mode);
  }
}

export class ConvertImageDtype extends Transform<Tensor, Tensor> {
  constructor(readonly dtype: DType) {
    super();
    this.specArgs = [dtype];
  }
  forward(t: Tensor): Tensor {
    return F.convertImageDtype(t, this.dtype);
  }
}

export class Normalize extends Transform<Tensor, Tensor> {
  readonly mean: number[];
  readonly std: number[];
  constructor(
    mean: ArrayLike<number> | Tensor,
    std: ArrayLike<number> | Tensor,
    readonly inplace = false,
  ) {
    super();
    const toList = (v: ArrayLike<number> | Tensor): number[] =>
      typeof (v as Tensor).dataSync === 'function' ? Array.from((v as Tensor).dataSync()) : Array.from(v as ArrayLike<number>);
    this.mean = toList(mean);
    this.std = toList(std);
    this.specArgs = [this.mean, this.std, inplace];
  }
  forward(t: Tensor): Tensor {
    return F.normalize(t, this.mean, this.std, this.inplace);
  }
  override toString(): string {
    return `Normalize(mean=[${this.mean.join(', ')}], std=[${this.std.join(', ')}])`;
  }
}

export interface ResizeCtorOptions {
  interpolation?: Interpolation;
  maxSize?: number;
  antialias?: boolean | null;
}

export class Resize extends Transform<ImageLike, ImageLike> {
  readonly size: number | number[];
  readonly options: ResizeOptions;
  constructor(size: number | readonly number[], opts: ResizeCtorOptions = {}) {
    super();
    this.size = typeof size === 'number' ? size : [...size];
    if (typeof size !== 'number' && (size.length < 1 || size.length > 2))
      throw new RangeError(`Resize: size should be an int or a sequence of 1 or 2 ints, got [${size.join(', ')}]`);
    this.options = { interpolation: opts.interpolation ?? 'bilinear', maxSize: opts.maxSize, antialias: opts.antialias ?? null };
    this.specArgs = [this.size, this.options];
  }
  forward<T extends ImageLike>(img: T): T {
    return F.resize(img, this.size, this.options);
  }
  override toString(): string {
    return `Resize(size=${Array.isArray(this.size) ? `[${this.size.join(', ')}]` : this.size}, interpolation=${this.options.interpolation}, max_size=${this.options.maxSize ?? 'None'}, antialias=${this.options.antialias ?? 'None'})`;
  }
}

export class CenterCrop extends Transform<ImageLike, ImageLike> {
  readonly size: [number, number];
  constructor(size: number | readonly number[]) {
    super();
    this.size = F.normalizeSize(size, 'CenterCrop');
    this.specArgs = [this.size];
  }
  forward<T extends ImageLike>(img: T): T {
    return F.centerCrop(img, this.size);
  }
}

export class Pad extends Transform<ImageLike, ImageLike> {
  constructor(
    readonly padding: number | number[],
    readonly fill: number | number[] = 0,
    readonly paddingMode: PaddingMode = 'constant',
  ) {
    super();
    F.parsePadding(padding);
    if (!['constant', 'edge', 'reflect', 'symmetric'].includes(paddingMode))
      throw new RangeError(`Pad: padding mode should be constant, edge, reflect or symmetric, got ${paddingMode}`);
    this.specArgs = [padding, fill, paddingMode];
  }
  forward<T extends ImageLike>(img: T): T {
    return F.pad(img, this.padding, this.fill, this.paddingMode);
  }
}

export interface RandomCropOptions {
  padding?: number | number[];
  padIfNeeded?: boolean;
  fill?: number | number[];
  paddingMode?: PaddingMode;
}

/** Random-position crop; positions come from the global tensor RNG (manualSeed makes them reproducible). */
export class RandomCrop extends Transform<ImageLike, ImageLike> {
  readonly size: [number, number];
  constructor(
    size: number | readonly number[],
    readonly options: RandomCropOptions = {},
  ) {
    super();
    this.size = F.normalizeSize(size, 'RandomCrop');
    this.specArgs = [this.size, options];
  }
  forward<T extends ImageLike>(input: T): T {
    let img = input;
    const { padding, padIfNeeded = false, fill = 0, paddingMode = 'constant' } = this.options;
    if (padding !== undefined) img = F.pad(img, padding, fill, paddingMode);
    const [th, tw] = this.size;
    let [h, w] = F.getImageSize(img);
    if (padIfNeeded && w < tw) img = F.pad(img, [tw - w, 0], fill, paddingMode);
    if (padIfNeeded && h < th) img = F.pad(img, [0, th - h], fill, paddingMode);
    [h, w] = F.getImageSize(img);
    if (h < th || w < tw)
      throw new RangeError(`RandomCrop: required crop size (${th}, ${tw}) is larger than the input image size (${h}, ${w})`);
    if (h === th && w === tw) return img;
    const top = randint(0, h - th + 1, [1]).item() as number;
    const left = randint(0, w - tw + 1, [1]).item() as number;
    return F.crop(img, top, left, th, tw);
  }
}

export class RandomHorizontalFlip extends Transform<ImageLike, ImageLike> {
  constructor(readonly p = 0.5) {
    super();
    this.specArgs = [p];
  }
  forward<T extends ImageLike>(img: T): T {
    return (rand([1]).item() as number) < this.p ? F.hflip(img) : img;
  }
  override toString(): string {
    return `RandomHorizontalFlip(p=${this.p})`;
  }
}

export class RandomVerticalFlip extends Transform<ImageLike, ImageLike> {
  constructor(readonly p = 0.5) {
    super();
    this.specArgs = [p];
  }
  forward<T extends ImageLike>(img: T): T {
    return (rand([1]).item() as number) < this.p ? F.vflip(img) : img;
  }
}

export class Grayscale extends Transform<ImageLike, ImageLike> {
  constructor(readonly numOutputChannels: 1 | 3 = 1) {
    super();
    this.specArgs = [numOutputChannels];
  }
  forward<T extends ImageLike>(img: T): T {
    return F.rgbToGrayscale(img, this.numOutputChannels);
  }
}

/** Wraps a user function. */
export class Lambda<I = any, O = any> extends Transform<I, O> {
  constructor(readonly lambd: (x: I) => O) {
    super();
    if (typeof lambd !== 'function') throw new TypeError(`Lambda: argument should be a function, got ${typeof lambd}`);
    this.specArgs = null;
  }
  forward(x: I): O {
    return this.lambd(x);
  }
}

const REGISTRY: Record<string, new (...args: any[]) => Transform> = {
  ToTensor,
  PILToTensor,
  ToPILImage,
  ConvertImageDtype,
  Normalize,
  Resize,
  CenterCrop,
  Pad,
  RandomCrop,
  RandomHorizontalFlip,
  RandomVerticalFlip,
  Grayscale,
};

/** Rebuilds a transform from its spec (inside worker threads). */
export function transformFromSpec(spec: TransformSpec): Transform {
  if (spec.name === 'Compose') return new Compose((spec.args[0] as TransformSpec[]).map(transformFromSpec));
  const cls = REGISTRY[spec.name];
  if (!cls) throw new TypeError(`transformFromSpec: unknown transform ${spec.name}`);
  return new cls(...spec.args);
}

/** A transform (or plain function) as a spec, or null when it cannot cross threads. */
export function specOf(t: unknown): TransformSpec | null {
  if (t === undefined || t === null) return null;
  if (t instanceof Transform) {
    try {
      return t.toSpec();
    } catch {
      return null;
    }
  }
  return null;
}
