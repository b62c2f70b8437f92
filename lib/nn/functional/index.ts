// torch.nn.functional for Board (camelCase names: F.crossEntropy, F.maxPool2d, ...).
export * from './activation.ts';
export * from './linear.ts';
export * from './conv.ts';
export * from './pooling.ts';
export * from './norm.ts';
export * from './loss.ts';
