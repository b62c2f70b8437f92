// torch.nn for Board: Module and containers, layers, losses, `functional` (F) and `init`. Importing this module
// registers the graph tracer used by SummaryWriter.addGraph.
export {
  Module,
  registerModule,
  registeredModule,
  type StateDict,
  type ForwardHook,
  type ForwardPreHook,
  type RemovableHandle,
} from './module.ts';
export { Parameter } from './parameter.ts';
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict } from './containers.ts';
export { Identity, Linear, Bilinear, Flatten, Unflatten, Dropout, Dropout1d, Dropout2d, Dropout3d, Embedding } from './layers/basic.ts';
export { Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, type PaddingMode } from './layers/conv.ts';
export {
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  AvgPool1d,
  AvgPool2d,
  AvgPool3d,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  AdaptiveAvgPool3d,
  AdaptiveMaxPool3d,
  MaxUnpool1d,
  MaxUnpool2d,
  MaxUnpool3d,
} from './layers/pooling.ts';
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm, GroupNorm } from './layers/norm.ts';
export {
  ReLU,
  ReLU6,
  SELU,
  SiLU,
  Sigmoid,
  Tanh,
  LogSigmoid,
  LeakyReLU,
  ELU,
  Hardtanh,
  Softplus,
  GELU,
  Softmax,
  LogSoftmax,
} from './layers/activation.ts';
export {
  MSELoss,
  L1Loss,
  SmoothL1Loss,
  HuberLoss,
  NLLLoss,
  CrossEntropyLoss,
  BCELoss,
  BCEWithLogitsLoss,
  KLDivLoss,
  MarginRankingLoss,
  HingeEmbeddingLoss,
  SoftMarginLoss,
  CosineEmbeddingLoss,
  TripletMarginLoss,
  PoissonNLLLoss,
} from './layers/loss.ts';
export {
  ConstantPad1d,
  ConstantPad2d,
  ConstantPad3d,
  ZeroPad2d,
  ReflectionPad1d,
  ReflectionPad2d,
  ReplicationPad1d,
  ReplicationPad2d,
  ReplicationPad3d,
} from './layers/padding.ts';
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RNNOptions } from './layers/rnn.ts';
export * as functional from './functional/index.ts';
export * as init from './init.ts';
export * as utils from './utils.ts';
export { traceGraph } from './trace.ts';

import { setGraphTracer } from '../tfevents/graph.ts';
import { traceGraph as tracer } from './trace.ts';
import type { Module as ModuleType } from './module.ts';
import type { Tensor } from '../engine/index.ts';
setGraphTracer((model, input) => tracer(model as ModuleType, input as Tensor | Tensor[]));
