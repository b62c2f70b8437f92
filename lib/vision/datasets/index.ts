// torchvision.datasets for Board.
export { MNIST, FashionMNIST, KMNIST } from './mnist.ts';
export { CIFAR10 } from './cifar.ts';
export { VisionDataset } from './vision.ts';
export type { VisionDatasetOptions, TransformFn } from './vision.ts';
export { parseIdx, encodeIdxUint8, readMaybeGzip } from './idx.ts';
export { downloadUrl, downloadFromMirrors, checkIntegrity, md5Hex } from './download.ts';
export { readTar, extractTar, createTar } from './tar.ts';
