// Event -> Summary -> Value walk, by hand over the record bytes (the decode hot path). Everything a
// value means is decided in normalize.ts; this file only finds the fields.
import { parseMetadata, PLUGIN, RunNormalizer, ValueField, ValueFields, type ScalarSink } from './normalize.ts';
import { decodeUtf8, ProtoReader, WIRE_LEN, WireError } from './wire.ts';
import type { NormalizedValue, Step } from './types.ts';

/** What the Event's `what` oneof held (event_kinds in EXPECTED.json). */
export type EventKind =
  'file_version' | 'graph_def' | 'summary' | 'log_message' | 'session_log' | 'tagged_run_metadata' | 'meta_graph_def' | 'empty';

const KIND_BY_FIELD: Record<number, EventKind> = {
  3: 'file_version',
  4: 'graph_def',
  5: 'summary',
  6: 'log_message',
  7: 'session_log',
  8: 'tagged_run_metadata',
  9: 'meta_graph_def',
};

/** Tag under which an Event-level graph_def is reported. */
export const GRAPH_TAG = '__graph__';

/** Per-event facts the caller may want besides the values (reused between events). */
export class EventInfo {
  kind: EventKind = 'empty';
  step: Step = 0;
  wallTime: number | null = null;
  fileVersion: string | null = null;
  sourceWriter: string | null = null;
}

/**
 * Decodes the Event in r.buf[start, end), calling onValue for each value it holds.
 * Throws WireError on malformed bytes (the caller reports the record as undecodable).
 */
export function decodeEvent(
  r: ProtoReader,
  start: number,
  end: number,
  normalizer: RunNormalizer,
  v: ValueFields,
  info: EventInfo,
  onValue: (value: NormalizedValue) => void,
  onScalar?: ScalarSink,
  onBadValue?: BadValueSink,
): void {
  r.reset(start, end);
  info.kind = 'empty';
  info.step = 0;
  info.wallTime = null;
  info.fileVersion = null;
  info.sourceWriter = null;
  // The step may follow the summary in the bytes, so remember where the summary is and walk it last.
  let summaryStart = -1,
    summaryEnd = -1;
  let blobStart = -1,
    blobEnd = -1;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 0x09:
        info.wallTime = r.double();
        break;
      case 0x10:
        info.step = r.int64();
        break;
      case 0x2a:
        summaryEnd = r.lenEnd();
        summaryStart = r.pos;
        r.pos = summaryEnd;
        info.kind = 'summary';
        break;
      case 0x1a: {
        const e = r.lenEnd();
        info.fileVersion = decodeUtf8(r.buf, r.pos, e);
        r.pos = e;
        info.kind = 'file_version';
        break;
      }
      case 0x22:
      case 0x42:
      case 0x4a:
      case 0x32:
      case 0x3a: {
        const e = r.lenEnd();
        blobStart = r.pos;
        blobEnd = e;
        r.pos = e;
        info.kind = KIND_BY_FIELD[tag >>> 3]!;
        break;
      }
      case 0x52: {
        // source_metadata { writer = 1 }
        const e = r.lenEnd();
        while (r.pos < e) {
          const t = r.uint32();
          if (t === 0x0a) {
            const e2 = r.lenEnd();
            info.sourceWriter = decodeUtf8(r.buf, r.pos, e2);
            r.pos = e2;
          } else r.skip(t & 7);
        }
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  if (r.pos !== end) throw new WireError('Event overruns its record');
  if (info.kind === 'summary') decodeSummary(r, summaryStart, summaryEnd, normalizer, v, info, onValue, onScalar, onBadValue);
  else if (info.kind === 'graph_def') {
    onValue({
      tag: GRAPH_TAG,
      step: info.step,
      wallTime: info.wallTime,
      kind: 'graph',
      plugin: PLUGIN.graphs,
      data: { kind: 'graph', graphDef: r.buf.slice(blobStart, blobEnd) },
    });
  } else if (info.kind === 'tagged_run_metadata') {
    r.reset(blobStart, blobEnd);
    let tag = '';
    let runMetadata = new Uint8Array(0);
    while (r.pos < blobEnd) {
      const t = r.uint32();
      if (t === 0x0a) {
        const e = r.lenEnd();
        tag = decodeUtf8(r.buf, r.pos, e);
        r.pos = e;
      } else if (t === 0x12) {
        const e = r.lenEnd();
        runMetadata = r.buf.slice(r.pos, e);
        r.pos = e;
      } else r.skip(t & 7);
    }
    onValue({
      tag,
      step: info.step,
      wallTime: info.wallTime,
      kind: 'run_metadata',
      plugin: PLUGIN.graphs,
      data: { kind: 'run_metadata', tag, runMetadata },
    });
  }
}

/** Receives a Summary.Value that could not be decoded (its tag, if readable, and why). */
export type BadValueSink = (tag: string, reason: string) => void;

function decodeSummary(
  r: ProtoReader,
  start: number,
  end: number,
  normalizer: RunNormalizer,
  v: ValueFields,
  info: EventInfo,
  onValue: (value: NormalizedValue) => void,
  onScalar: ScalarSink | undefined,
  onBadValue: BadValueSink | undefined,
): void {
  let pos = start;
  while (pos < end) {
    r.reset(pos, end);
    const tag = r.uint32();
    if (tag !== 0x0a) {
      r.skip(tag & 7);
      pos = r.pos;
      continue;
    }
    const valueEnd = r.lenEnd();
    pos = valueEnd;
    if (onBadValue === undefined) {
      decodeValue(r, valueEnd, normalizer, v, info, onValue, onScalar);
      continue;
    }
    // The value's bytes are framed (valueEnd is checked), so an error inside them concerns this
    // value alone: report it and go on with the event's other values.
    const valueStart = r.pos;
    try {
      decodeValue(r, valueEnd, normalizer, v, info, onValue, onScalar);
    } catch (err) {
      const tagText =
        v.tagEnd > v.tagStart && v.tagStart >= valueStart && v.tagEnd <= valueEnd
          ? decodeUtf8(r.buf, v.tagStart, Math.min(v.tagEnd, v.tagStart + 200))
          : '';
      onBadValue(tagText, err instanceof Error ? err.message : String(err));
    }
  }
}

function decodeValue(
  r: ProtoReader,
  valueEnd: number,
  normalizer: RunNormalizer,
  v: ValueFields,
  info: EventInfo,
  onValue: (value: NormalizedValue) => void,
  onScalar: ScalarSink | undefined,
): void {
  parseValue(r, valueEnd, v);
  if (onScalar !== undefined && normalizer.tryScalar(r, v, info.step, info.wallTime, onScalar)) return;
  onValue(normalizer.normalize(r, v, info.step, info.wallTime));
}

/** Finds the fields of the Summary.Value at r.buf[r.pos, end). */
function parseValue(r: ProtoReader, end: number, v: ValueFields): void {
  v.reset();
  v.tagStart = v.tagEnd = r.pos;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 0x0a:
        v.tagEnd = r.lenEnd();
        v.tagStart = r.pos;
        r.pos = v.tagEnd;
        break;
      case 0x15:
        v.simpleValue = r.float();
        v.field = ValueField.Simple;
        break;
      case 0x4a: {
        const e = r.lenEnd();
        parseMetadata(r, e, v);
        break;
      }
      case 0x1a:
      case 0x22:
      case 0x2a:
      case 0x32:
      case 0x42: {
        v.msgEnd = r.lenEnd();
        v.msgStart = r.pos;
        r.pos = v.msgEnd;
        v.field = (tag >>> 3) as ValueField;
        break;
      }
      default:
        if ((tag & 7) === WIRE_LEN || (tag & 7) < 6) r.skip(tag & 7);
        else throw new WireError(`bad wire type in Summary.Value at ${r.pos}`);
    }
  }
  if (r.pos !== end) throw new WireError('Summary.Value overruns its length');
}
