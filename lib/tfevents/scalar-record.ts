// The scalar fast path (issue 16): almost every record of a training log is one Event holding one
// scalar, laid out the same way by every writer (protobuf serializes fields in number order):
//   Event { 1: wall_time (double), 2: step (varint, omitted when 0), 5: summary {
//     1: value { 1: tag, then 2: simple_value (float)  |  8: tensor (TF2 'scalars') } } }
// parseScalarRecord recognises exactly that shape in one pass over the bytes, with no field
// objects, no generic field loop and no string per record. Anything else (other fields, another
// order, several values, metadata, a step past 2^49, a malformed length) returns false and the
// record goes through the generic decoder (event-decode.ts), which gives the same result for these
// records and handles every other case, errors included. It never throws and has no side effects.

/** The fields of one scalar record (reused for every record). */
export class ScalarRecord {
  /** NaN when the event has no wall_time. */
  wall = NaN;
  step = 0;
  /** The tag's bytes: buf[tagStart, tagEnd). */
  tagStart = 0;
  tagEnd = 0;
  /** simple_value, when tensorStart < 0. */
  value = 0;
  /** The TF2 tensor's bytes buf[tensorStart, tensorEnd), or -1 for a simple_value. */
  tensorStart = -1;
  tensorEnd = -1;
}

/** Whether buf[start, end) is a one-scalar Event of the common shape; fills `out` if so. */
export function parseScalarRecord(buf: Uint8Array, view: DataView, start: number, end: number, out: ScalarRecord): boolean {
  let p = start;
  let wall = NaN;
  let step = 0;
  if (p < end && buf[p] === 0x09) {
    if (p + 9 > end) return false;
    wall = view.getFloat64(p + 1, true);
    p += 9;
  }
  if (p < end && buf[p] === 0x10) {
    // Up to 7 varint bytes (49 bits): always a safe integer. Longer ones (huge or negative
    // steps, which take 10 bytes) go the generic way.
    p++;
    let mul = 1;
    let i = 0;
    for (;;) {
      if (p >= end || i === 7) return false;
      const b = buf[p++]!;
      step += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
      i++;
    }
  }
  // summary: must be the last field and hold exactly one value, which must end the record.
  if (p >= end || buf[p] !== 0x2a) return false;
  p = lengthEnd(buf, p + 1, end);
  if (p !== end) return false;
  p = lenStart;
  if (p >= end || buf[p] !== 0x0a) return false;
  p = lengthEnd(buf, p + 1, end);
  if (p !== end) return false;
  p = lenStart;
  if (p >= end || buf[p] !== 0x0a) return false;
  const tagEnd = lengthEnd(buf, p + 1, end);
  if (tagEnd < 0) return false;
  const tagStart = lenStart;
  p = tagEnd;
  if (p >= end) return false;
  if (buf[p] === 0x15) {
    if (p + 5 !== end) return false;
    out.value = view.getFloat32(p + 1, true);
    out.tensorStart = out.tensorEnd = -1;
  } else if (buf[p] === 0x42) {
    const e = lengthEnd(buf, p + 1, end);
    if (e !== end) return false;
    out.tensorStart = lenStart;
    out.tensorEnd = e;
  } else return false;
  out.wall = wall;
  out.step = step;
  out.tagStart = tagStart;
  out.tagEnd = tagEnd;
  return true;
}

/** Start of the payload of the last length read by lengthEnd (module state: no object per call). */
let lenStart = 0;

/** Reads a length varint at buf[p]; returns the payload's end (its start in lenStart), or -1 if it overruns `end`. */
function lengthEnd(buf: Uint8Array, p: number, end: number): number {
  let len = 0;
  let shift = 0;
  for (;;) {
    if (p >= end || shift > 21) return -1;
    const b = buf[p++]!;
    len |= (b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
  }
  lenStart = p;
  const e = p + len;
  return e > end ? -1 : e;
}
