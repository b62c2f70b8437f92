// Normalization of Summary.Values into the model of types.ts, in ONE place: legacy simple_value,
// Summary.Image/HistogramProto/Audio, and TF2 tensors whose meaning depends on the tag's plugin.
// TF2 writers may put plugin metadata only on a tag's first value, so RunNormalizer remembers it.
import { decodeToJson } from './proto.ts';
import { DT } from './dtypes.ts';
import {
  BadValueError,
  checkedStrings,
  firstNumber,
  numbers,
  parseTensor,
  scalarOfTensor,
  stringBytes,
  TensorFields,
  tensorData,
} from './tensor.ts';
import { decodeUtf8, ProtoReader, WireError } from './wire.ts';
import type {
  AudioData,
  HistogramData,
  HparamsData,
  ImageData,
  NormalizedValue,
  PrCurveData,
  Step,
  ValueData,
  ValueKind,
} from './types.ts';

import { PLUGIN } from '../domain/plugins.ts';

/** Plugin names as TensorBoard spells them: the one table is lib/domain/plugins.ts. */
export { PLUGIN };

/** Which oneof of Summary.Value is set. */
export const enum ValueField {
  None = 0,
  Simple = 2,
  OldHisto = 3,
  Image = 4,
  Histo = 5,
  Audio = 6,
  Tensor = 8,
}

/** Positions of one Summary.Value's fields in the reader's buffer (reused for every value). */
export class ValueFields {
  tagStart = 0;
  tagEnd = 0;
  field: ValueField = ValueField.None;
  simpleValue = 0;
  /** Span of the image/histo/audio/tensor sub-message. */
  msgStart = 0;
  msgEnd = 0;
  hasMetadata = false;
  pluginStart = -1;
  pluginEnd = -1;
  contentStart = -1;
  contentEnd = -1;
  displayName: string | undefined = undefined;
  description: string | undefined = undefined;

  reset(): void {
    this.field = ValueField.None;
    this.hasMetadata = false;
    this.pluginStart = this.pluginEnd = this.contentStart = this.contentEnd = -1;
    this.displayName = this.description = undefined;
  }
}

interface TagInfo {
  plugin: string | null;
  content: Uint8Array | null;
}

/** Receives scalars without a NormalizedValue object (see DecodeOptions.onScalar). */
export type ScalarSink = (tag: string, step: Step, wallTime: number | null, value: number, plugin: string | null) => void;

/** Per-run state: tag names seen (decoded once) and the plugin each tag belongs to. */
export class RunNormalizer {
  private readonly tags = new Map<string, TagInfo>();
  /** Recently seen tag bytes -> tag and its info, so the hot path rarely decodes UTF-8 or hashes. */
  private readonly tagCache: Array<{ bytes: Uint8Array; str: string; info: TagInfo }> = [];
  /** Index after the last cache hit: writers cycle through their tags in a fixed order. */
  private hint = 0;
  private readonly tensor = new TensorFields();

  /** The plugin remembered for `tag` (from the first value that carried metadata), or null. */
  pluginOf(tag: string): string | null {
    return this.tags.get(tag)?.plugin ?? null;
  }

  /** Seeds the plugin of `tag`, e.g. from a store when resuming a file mid-way after a restart
   *  (TF2 writers may have put the plugin metadata only on the tag's first value). */
  rememberPlugin(tag: string, plugin: string): void {
    const info = this.tags.get(tag);
    if (info === undefined) this.tags.set(tag, { plugin, content: null });
    else if (info.plugin === null) info.plugin = plugin;
  }

  /** Tags seen so far with their plugins. */
  knownTags(): Map<string, string | null> {
    return new Map([...this.tags].map(([t, i]) => [t, i.plugin]));
  }

  tagString(buf: Uint8Array, start: number, end: number): string {
    return this.tagEntry(buf, start, end).str;
  }

  /** The tag named by buf[start, end) and what is remembered about it (its plugin), as the generic path resolves it. */
  tagAt(buf: Uint8Array, start: number, end: number): { readonly str: string; readonly info: { readonly plugin: string | null } } {
    return this.tagEntry(buf, start, end);
  }

  private tagEntry(buf: Uint8Array, start: number, end: number): { str: string; info: TagInfo } {
    const len = end - start;
    const cache = this.tagCache;
    const n = cache.length;
    for (let j = 0; j < n; j++) {
      let i = this.hint + j;
      if (i >= n) i -= n;
      const e = cache[i]!;
      const b = e.bytes;
      if (b.length !== len) continue;
      let k = len - 1;
      while (k >= 0 && b[k] === buf[start + k]) k--;
      if (k >= 0) continue;
      this.hint = i + 1 === n ? 0 : i + 1;
      return e;
    }
    const str = decodeUtf8(buf, start, end);
    let info = this.tags.get(str);
    if (info === undefined) {
      info = { plugin: null, content: null };
      this.tags.set(str, info);
    }
    // A copy carved from Node's shared pool, not an ArrayBuffer of its own per tag (a sweep meets
    // ~20 tags per run, issue 16).
    const bytes: Uint8Array = Buffer.allocUnsafe(len);
    for (let k = 0; k < len; k++) bytes[k] = buf[start + k]!;
    const entry = { bytes, str, info };
    if (n >= 64) cache.shift();
    cache.push(entry);
    this.hint = 0;
    return entry;
  }

  /** The tag of `v`, with its remembered plugin (set from this value's metadata if it is the first). */
  private resolveTag(r: ProtoReader, v: ValueFields): { str: string; info: TagInfo } {
    const entry = this.tagEntry(r.buf, v.tagStart, v.tagEnd);
    const info = entry.info;
    if (v.hasMetadata && info.plugin === null && v.pluginStart >= 0 && v.pluginEnd > v.pluginStart) {
      info.plugin = decodeUtf8(r.buf, v.pluginStart, v.pluginEnd);
      info.content = v.contentStart >= 0 ? r.buf.slice(v.contentStart, v.contentEnd) : new Uint8Array(0);
    }
    return entry;
  }

  /**
   * Column-friendly fast path: if `v` is a plain scalar (simple_value, or a 'scalars' tensor) without
   * display name or description, hands it to onScalar without allocating and returns true.
   */
  tryScalar(r: ProtoReader, v: ValueFields, step: Step, wallTime: number | null, onScalar: ScalarSink): boolean {
    if (v.displayName !== undefined || v.description !== undefined) return false;
    if (v.field === ValueField.Simple) {
      const e = this.resolveTag(r, v);
      onScalar(e.str, step, wallTime, v.simpleValue, e.info.plugin);
      return true;
    }
    if (v.field !== ValueField.Tensor) return false;
    const e = this.resolveTag(r, v);
    if (e.info.plugin !== PLUGIN.scalars) return false;
    onScalar(e.str, step, wallTime, scalarOfTensor(r, v.msgStart, v.msgEnd), e.info.plugin);
    return true;
  }

  /** Builds the NormalizedValue for the Summary.Value described by `v`. */
  normalize(r: ProtoReader, v: ValueFields, step: Step, wallTime: number | null): NormalizedValue {
    const entry = this.resolveTag(r, v);
    const tag = entry.str;
    const info = entry.info;
    // The content of this very value wins for hparams (each of its three tags has its own payload).
    const content = v.contentStart >= 0 ? r.buf.subarray(v.contentStart, v.contentEnd) : info.content;
    const plugin = info.plugin;
    let kind: ValueKind;
    let data: ValueData;
    if (v.field === ValueField.Simple) {
      kind = 'scalar';
      data = { kind: 'scalar', value: v.simpleValue };
    } else {
      [kind, data] = this.decodeOther(r, v, plugin, content);
    }
    const out: NormalizedValue = { tag, step, wallTime, kind, plugin, data };
    if (v.displayName) out.displayName = v.displayName;
    if (v.description) out.description = v.description;
    return out;
  }

  private decodeOther(r: ProtoReader, v: ValueFields, plugin: string | null, content: Uint8Array | null): [ValueKind, ValueData] {
    switch (v.field) {
      case ValueField.Image:
        return ['image', decodeImage(r, v.msgStart, v.msgEnd)];
      case ValueField.Histo:
        return ['histogram', decodeHistogram(r, v.msgStart, v.msgEnd)];
      case ValueField.Audio:
        return ['audio', decodeAudio(r, v.msgStart, v.msgEnd)];
      case ValueField.OldHisto:
        return [
          'unknown_plugin',
          { kind: 'unknown_plugin', plugin: plugin ?? '', content: r.buf.slice(v.msgStart, v.msgEnd), tensor: null },
        ];
      case ValueField.Tensor: {
        r.pos = v.msgStart;
        parseTensor(r, v.msgEnd, this.tensor);
        return tensorByPlugin(r, this.tensor, plugin, content);
      }
      default:
        // Metadata only: PyTorch's add_hparams writes its three payloads this way.
        if (plugin === PLUGIN.hparams && content) return ['hparams', decodeHparams(content)];
        return [
          'unknown_plugin',
          { kind: 'unknown_plugin', plugin: plugin ?? '', content: content ? content.slice() : new Uint8Array(0), tensor: null },
        ];
    }
  }
}

function tensorByPlugin(r: ProtoReader, t: TensorFields, plugin: string | null, content: Uint8Array | null): [ValueKind, ValueData] {
  switch (plugin) {
    case PLUGIN.scalars:
      return ['scalar', { kind: 'scalar', value: firstNumber(r, t) }];
    case PLUGIN.images:
      if (t.dtype === DT.STRING) return ['image', imagesFromTensor(r, t)];
      break;
    case PLUGIN.histograms:
      if (t.shape.length === 2 && t.shape[1] === 3) return ['histogram', histogramFromTensor(numbers(r, t))];
      break;
    case PLUGIN.text:
      if (t.dtype === DT.STRING) return ['text', { kind: 'text', texts: checkedStrings(r, t), shape: t.shape.slice() }];
      break;
    case PLUGIN.prCurves:
      if (t.shape.length === 2 && t.shape[0] === 6) return ['pr_curve', prCurveFromTensor(numbers(r, t), t.shape[1]!, content)];
      break;
    case PLUGIN.hparams:
      // TF2's hparams API writes an empty DT_FLOAT tensor next to the payload.
      if (content) return ['hparams', decodeHparams(content)];
      break;
    case PLUGIN.customScalars:
      // The serialized Layout proto is binary: keep its bytes as the content (UTF-8 decoding, as
      // for other string tensors, would mangle varints >= 0x80).
      if (t.dtype === DT.STRING) {
        const b = stringBytes(r, t)[0];
        if (b) return ['unknown_plugin', { kind: 'unknown_plugin', plugin, content: b.slice(), tensor: null }];
      }
      break;
    case null:
      return ['tensor', tensorData(r, t)];
  }
  return [
    'unknown_plugin',
    { kind: 'unknown_plugin', plugin: plugin ?? '', content: content ? content.slice() : new Uint8Array(0), tensor: tensorData(r, t) },
  ];
}

function decodeHparams(content: Uint8Array): HparamsData {
  const payload = decodeToJson('tensorboard.hparams.HParamsPluginData', content);
  const part = 'experiment' in payload ? 'experiment' : 'sessionStartInfo' in payload ? 'session_start' : 'session_end';
  return { kind: 'hparams', part, payload };
}

/** Summary.Image (TF1/PyTorch). */
function decodeImage(r: ProtoReader, start: number, end: number): ImageData {
  r.pos = start;
  const saved = r.end;
  r.end = end;
  let width = 0,
    height = 0,
    colorspace = 0;
  let encoded = new Uint8Array(0);
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 0x08:
        height = r.uint32();
        break;
      case 0x10:
        width = r.uint32();
        break;
      case 0x18:
        colorspace = r.uint32();
        break;
      case 0x22: {
        const e = r.lenEnd();
        encoded = r.buf.slice(r.pos, e);
        r.pos = e;
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  r.end = saved;
  return { kind: 'image', images: [{ width, height, colorspace, encoded }] };
}

/** PNG IHDR color type -> Summary.Image colorspace (0 when not a PNG). */
function pngColorspace(b: Uint8Array): number {
  if (b.length < 26 || b[0] !== 0x89 || b[1] !== 0x50 || b[2] !== 0x4e || b[3] !== 0x47) return 0;
  switch (b[25]) {
    case 0:
      return 1;
    case 4:
      return 2;
    case 2:
    case 3:
      return 3;
    case 6:
      return 4;
    default:
      return 0;
  }
}

/** TF2 image tensor: DT_STRING [width, height, encoded...]. */
function imagesFromTensor(r: ProtoReader, t: TensorFields): ImageData {
  const parts = stringBytes(r, t);
  const width = parts.length > 0 ? Number(decodeUtf8(parts[0]!, 0, parts[0]!.length)) : 0;
  const height = parts.length > 1 ? Number(decodeUtf8(parts[1]!, 0, parts[1]!.length)) : 0;
  return {
    kind: 'image',
    images: parts.slice(2).map((p) => ({ width, height, colorspace: pngColorspace(p), encoded: p.slice() })),
  };
}

/** HistogramProto (TF1/PyTorch), converted to left/right edges the way TensorBoard migrates it. */
function decodeHistogram(r: ProtoReader, start: number, end: number): HistogramData {
  r.pos = start;
  const saved = r.end;
  r.end = end;
  let min = 0,
    max = 0,
    num = 0,
    sum = 0,
    sumSquares = 0;
  const limits: number[] = [];
  const counts: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 0x09:
        min = r.double();
        break;
      case 0x11:
        max = r.double();
        break;
      case 0x19:
        num = r.double();
        break;
      case 0x21:
        sum = r.double();
        break;
      case 0x29:
        sumSquares = r.double();
        break;
      case 0x32: {
        const e = r.lenEnd();
        while (r.pos < e) limits.push(r.double());
        if (r.pos !== e) throw new WireError('bucket_limit overruns its field');
        break;
      }
      case 0x31:
        limits.push(r.double());
        break;
      case 0x3a: {
        const e = r.lenEnd();
        while (r.pos < e) counts.push(r.double());
        if (r.pos !== e) throw new WireError('bucket overruns its field');
        break;
      }
      case 0x39:
        counts.push(r.double());
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.end = saved;
  const k = counts.length;
  const left = new Float64Array(k),
    right = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    left[i] = i === 0 ? min : limits[i - 1]!;
    right[i] = i === k - 1 ? max : limits[i]!;
  }
  return { kind: 'histogram', min, max, num, sum, sumSquares, left, right, counts: Float64Array.from(counts) };
}

/**
 * TF2 histogram tensor [k, 3] of (left, right, count). The tensor has no sum / sum of squares:
 * they are estimated from bucket centers.
 */
function histogramFromTensor(v: Float64Array): HistogramData {
  const k = Math.floor(v.length / 3);
  const left = new Float64Array(k),
    right = new Float64Array(k),
    counts = new Float64Array(k);
  let num = 0,
    sum = 0,
    sumSquares = 0;
  for (let i = 0; i < k; i++) {
    left[i] = v[3 * i]!;
    right[i] = v[3 * i + 1]!;
    counts[i] = v[3 * i + 2]!;
    const c = (left[i]! + right[i]!) / 2;
    num += counts[i]!;
    sum += counts[i]! * c;
    sumSquares += counts[i]! * c * c;
  }
  return { kind: 'histogram', min: k ? left[0]! : 0, max: k ? right[k - 1]! : 0, num, sum, sumSquares, left, right, counts };
}

function prCurveFromTensor(v: Float64Array, n: number, content: Uint8Array | null): PrCurveData {
  const row = (i: number) => v.slice(i * n, (i + 1) * n);
  let numThresholds = n;
  if (content && content.length) {
    // PrCurvePluginData { int32 version = 1; uint32 num_thresholds = 2; }
    const r = new ProtoReader(content);
    r.reset(0, content.length);
    while (r.pos < r.end) {
      const tag = r.uint32();
      if (tag === 0x10) numThresholds = r.uint32();
      else r.skip(tag & 7);
    }
    // The stored curve holds numThresholds points per row: more than the tensor has is a lie.
    if (numThresholds > n) throw new BadValueError(`pr_curve declares ${numThresholds} thresholds but its tensor holds ${n}`);
  }
  return { kind: 'pr_curve', tp: row(0), fp: row(1), tn: row(2), fn: row(3), precision: row(4), recall: row(5), numThresholds };
}

function decodeAudio(r: ProtoReader, start: number, end: number): AudioData {
  r.pos = start;
  const saved = r.end;
  r.end = end;
  const a: AudioData = { kind: 'audio', sampleRate: 0, numChannels: 0, lengthFrames: 0, encoded: new Uint8Array(0), contentType: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 0x0d:
        a.sampleRate = r.float();
        break;
      case 0x10:
        a.numChannels = r.int64Number();
        break;
      case 0x18:
        a.lengthFrames = r.int64Number();
        break;
      case 0x22: {
        const e = r.lenEnd();
        a.encoded = r.buf.slice(r.pos, e);
        r.pos = e;
        break;
      }
      case 0x2a: {
        const e = r.lenEnd();
        a.contentType = decodeUtf8(r.buf, r.pos, e);
        r.pos = e;
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  r.end = saved;
  return a;
}

/** Parses SummaryMetadata at r.buf[r.pos, end) into v. */
export function parseMetadata(r: ProtoReader, end: number, v: ValueFields): void {
  v.hasMetadata = true;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) {
      const pdEnd = r.lenEnd();
      while (r.pos < pdEnd) {
        const t2 = r.uint32();
        if (t2 === 0x0a) {
          const e = r.lenEnd();
          v.pluginStart = r.pos;
          v.pluginEnd = e;
          r.pos = e;
        } else if (t2 === 0x12) {
          const e = r.lenEnd();
          v.contentStart = r.pos;
          v.contentEnd = e;
          r.pos = e;
        } else r.skip(t2 & 7);
      }
    } else if (tag === 0x12) {
      const e = r.lenEnd();
      v.displayName = decodeUtf8(r.buf, r.pos, e);
      r.pos = e;
    } else if (tag === 0x1a) {
      const e = r.lenEnd();
      v.description = decodeUtf8(r.buf, r.pos, e);
      r.pos = e;
    } else r.skip(tag & 7);
  }
}
