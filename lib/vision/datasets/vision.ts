// Shared parts of torchvision-style datasets: options, transforms, the repr.
import { Dataset } from '../../data/dataset.ts';
import type { TransformSpec } from '../transforms/transforms.ts';
import { Transform, transformFromSpec } from '../transforms/transforms.ts';

export type TransformFn = ((x: any) => any) | Transform;

export interface VisionDatasetOptions {
  /** Directory holding the data (default "data"). */
  root?: string;
  /** Training split (true, default) or test split. */
  train?: boolean;
  /** Fetch missing files from the canonical URLs (MD5-checked, with a progress bar). */
  download?: boolean;
  transform?: TransformFn | null;
  targetTransform?: TransformFn | null;
  /** Also look in system-wide installs such as /usr/share/datasets/fashion-mnist (default true). */
  searchSystemDirs?: boolean;
}

export abstract class VisionDataset<S = [any, any]> extends Dataset<S> {
  readonly root: string;
  readonly transform: TransformFn | null;
  readonly targetTransform: TransformFn | null;

  constructor(opts: VisionDatasetOptions) {
    super();
    this.root = opts.root ?? 'data';
    this.transform = opts.transform ?? null;
    this.targetTransform = opts.targetTransform ?? null;
  }

  protected applyTransforms(img: unknown, target: unknown): [any, any] {
    const x = this.transform ? (this.transform as (v: unknown) => unknown)(img) : img;
    const y = this.targetTransform ? (this.targetTransform as (v: unknown) => unknown)(target) : target;
    return [x, y];
  }

  protected extraRepr(): string[] {
    return [];
  }

  /** torchvision's repr: name, size, root, split and transforms. */
  override toString(): string {
    const lines = [
      `Dataset ${this.constructor.name}`,
      `    Number of datapoints: ${this.length}`,
      `    Root location: ${this.root}`,
      ...this.extraRepr().map((l) => `    ${l}`),
    ];
    if (this.transform) lines.push(`    Transform: ${String(this.transform)}`);
    if (this.targetTransform) lines.push(`    Target transform: ${String(this.targetTransform)}`);
    return lines.join('\n');
  }

  /** Transform specs for worker threads, or a clear error when a transform cannot cross threads. */
  protected transformSpecs(): { transform: TransformSpec | null; targetTransform: TransformSpec | null } | null {
    const spec = (t: TransformFn | null): TransformSpec | null | undefined => {
      if (!t) return null;
      if (t instanceof Transform) {
        try {
          return t.toSpec();
        } catch {
          return undefined;
        }
      }
      return undefined;
    };
    const a = spec(this.transform);
    const b = spec(this.targetTransform);
    if (a === undefined || b === undefined) return null;
    return { transform: a, targetTransform: b };
  }
}

export function transformFromNullableSpec(spec: TransformSpec | null): Transform | null {
  return spec ? transformFromSpec(spec) : null;
}
