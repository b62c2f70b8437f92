// Public API of Board: `import { SummaryWriter, tensor, nn, optim, data, transforms, datasets } from 'board'`.
// Each part owns one section below and re-exports only its public surface.

// --- tfevents: format + SummaryWriter ---
export {
  SummaryWriter,
  setGraphTracer,
  RunNormalizer,
  decodeEventBuffer,
  readEventFile,
  streamEventFile,
  isEventFileName,
  discoverRuns,
  decodeGraphDef,
  decodeRunMetadata,
  PLUGIN,
  GRAPH_TAG,
} from './tfevents/index.ts';
export type {
  SummaryWriterOptions,
  ImageOptions,
  GraphDescription,
  GraphNode,
  GraphTracer,
  DecodeResult,
  DecodeOptions,
  DiscoveredRun,
  NormalizedValue,
  ValueKind,
  ValueData,
  Step,
  CorruptRecord,
  ScalarSink,
} from './tfevents/index.ts';

// --- engine: Tensor + autograd ---
export { tensorNamespace as tensor, Tensor, Generator, GradNode, noGrad, enableGrad, slice } from './engine/index.ts';
export type { DType, TypedArray, NodeMetadata, IndexItem } from './engine/index.ts';
// Compute backend (native OpenBLAS addon / WebAssembly / TypeScript) and torch.set_num_threads.
export { setBackend, getBackend, availableBackends, describeBackend, setNumThreads, getNumThreads } from './engine/kernels/backend.ts';
export type { Backend } from './engine/kernels/backend.ts';

// --- nn / optim / save-load ---
export * as nn from './nn/index.ts';
export * as optim from './optim/index.ts';
export { save, load } from './serialize/index.ts';

// --- data / vision ---
export * as data from './data/index.ts';
export { transforms, datasets, readImage } from './vision/index.ts';
export * as vision from './vision/index.ts';

export {};
