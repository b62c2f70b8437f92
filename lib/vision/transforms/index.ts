// torchvision.transforms for Board: `import { transforms } from 'board'; new transforms.ToTensor()`.
export {
  Transform,
  Compose,
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
  Lambda,
  transformFromSpec,
} from './transforms.ts';
export type { TransformSpec, ResizeCtorOptions, RandomCropOptions } from './transforms.ts';
export * as functional from './functional.ts';
export type { Interpolation } from './resample.ts';
/** torchvision's InterpolationMode (values are the mode strings). */
export const InterpolationMode = { NEAREST: 'nearest', BILINEAR: 'bilinear' } as const;
