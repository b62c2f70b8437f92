// The tfevents format module: reading (resumable, resynchronizing), normalizing and writing
// TensorBoard event files. See types.ts for the normalized model.
export * from './types.ts';
export { RunNormalizer, PLUGIN, type ScalarSink } from './normalize.ts';
export { decodeEventBuffer, readEventFile, streamEventFile, type DecodeResult, type DecodeOptions } from './reader.ts';
export { EventInfo, GRAPH_TAG, type EventKind } from './event-decode.ts';
export { discoverRuns, isEventFileName, type DiscoveredRun } from '../discovery/index.ts';
export { crc32c, maskCrc, unmaskCrc, maskedCrc32c } from './crc32c.ts';
export { encodeRecord, scanRecords } from './record.ts';
export { SummaryWriter, defaultLogDir, type SummaryWriterOptions, type ImageOptions } from './writer.ts';
export { EventFileWriter, eventFileName } from './event-file-writer.ts';
export {
  setGraphTracer,
  decodeGraphDef,
  decodeRunMetadata,
  type GraphDescription,
  type GraphNode,
  type GraphTracer,
  type GraphAttr,
} from './graph.ts';
export { encodePng, decodePng } from './image.ts';
