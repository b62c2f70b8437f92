// torch.optim for Board: optimizers and the lrScheduler namespace.
export { Optimizer, type ParamGroup, type ParamGroupInput, type ParamsInput, type ParamState } from './optimizer.ts';
export { SGD, type SGDOptions } from './sgd.ts';
export { Adam, AdamW, Adamax, NAdam, RAdam, type AdamOptions } from './adam.ts';
export { RMSprop, Adagrad, Adadelta, type RMSpropOptions, type AdagradOptions } from './adaptive.ts';
export * as lrScheduler from './lr_scheduler.ts';
