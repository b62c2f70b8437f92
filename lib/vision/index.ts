// torchvision for Board: transforms, datasets, image I/O and utils.
export * as transforms from './transforms/index.ts';
export * as datasets from './datasets/index.ts';
export { readImage, openImage, decodeImage, PILImage, NDArray, ImageReadMode } from './image.ts';
export type { ImageMode, DecodedImage } from './image.ts';
export { makeGrid } from './utils.ts';
export type { MakeGridOptions } from './utils.ts';
