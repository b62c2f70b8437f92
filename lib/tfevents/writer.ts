// SummaryWriter: PyTorch's torch.utils.tensorboard.SummaryWriter, camelCased. Every method writes
// the same Event/Summary fields PyTorch writes, so TensorBoard (and Board) show them the same way.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EventFileWriter, type EventFileWriterOptions } from './event-file-writer.ts';
import {
  encodeEvent,
  encodeScalarTensor,
  encodeSimpleValueSummary,
  encodeSummary,
  encodeTensor,
  type ValueFieldsOut,
} from './event-encode.ts';
import { DT } from './dtypes.ts';
import { describeGraph, encodeGraphDef, encodeRunMetadata } from './graph.ts';
import { makeHistogram, type Bins } from './histogram.ts';
import { hparamsValues, type HparamValue } from './hparams.ts';
import { decodePng, encodePng, gridHWC, materialize, toHWC, type ArrayInput, type HWCImage } from './image.ts';
import jpeg from 'jpeg-js';
import { computePrCurve } from './pr-curve.ts';
import { encodeWav } from './audio.ts';
import { encodeLayout, CUSTOM_SCALARS_TAG, type CustomScalarLayout } from './custom-scalars.ts';
import { encodeTagDir, metadataTsv, projectorConfigPbtxt, spritePng, tensorsTsv, zfill5, type EmbeddingInfo } from './projector.ts';
import { encodeGif, prepareVideo } from './video.ts';
import { imageSize } from './image-size.ts';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import type { Step } from './types.ts';
import { PLUGIN } from '../domain/plugins.ts';

export interface SummaryWriterOptions extends EventFileWriterOptions {
  /** Appended to the default log directory name (ignored when logDir is given), as in PyTorch. */
  comment?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => String(n).padStart(2, '0');

/** runs/<Mon><DD>_<HH>-<MM>-<SS>_<host><comment>: datetime.now().strftime("%b%d_%H-%M-%S") as PyTorch. */
export function defaultLogDir(comment = '', now = new Date()): string {
  const stamp = `${MONTHS[now.getMonth()]}${pad2(now.getDate())}_${pad2(now.getHours())}-${pad2(now.getMinutes())}-${pad2(now.getSeconds())}`;
  return join('runs', `${stamp}_${hostname()}${comment}`);
}

/** Python's time.time(): seconds with sub-millisecond precision. */
function nowSecs(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

function toFloat64(values: unknown, what: string): Float64Array {
  if (typeof values === 'number') return Float64Array.of(values);
  const m = materialize(values, what);
  return Float64Array.from(m.data);
}

function checkStep(step: Step | undefined, what: string): void {
  if (step === undefined || typeof step === 'bigint') return;
  if (!Number.isFinite(step)) throw new Error(`${what}: step must be a finite integer, got ${step}`);
}

/** Options of addImage/addImages. */
export interface ImageOptions {
  dataformats?: string;
  walltime?: number;
  shape?: readonly number[];
}

export class SummaryWriter {
  readonly logDir: string;
  private readonly opts: SummaryWriterOptions;
  private fileWriter: EventFileWriter | null = null;
  private readonly subWriters = new Map<string, EventFileWriter>();
  private closed = false;
  /** Embeddings added so far: projector_config.pbtxt is rewritten whole on each (PyTorch's _projector_config). */
  private readonly embeddings: EmbeddingInfo[] = [];

  constructor(logDir?: string, opts: SummaryWriterOptions = {}) {
    this.logDir = logDir ?? defaultLogDir(opts.comment ?? '');
    this.opts = opts;
    this.writer(); // create the file now, as PyTorch does
  }

  /** PyTorch's get_logdir(). */
  getLogdir(): string {
    return this.logDir;
  }

  /** Path of the main event file. */
  get filePath(): string {
    return (this.fileWriter ?? this.writer()).path;
  }

  private writer(): EventFileWriter {
    if (this.closed) throw new Error(`SummaryWriter(${this.logDir}) is closed`);
    this.fileWriter ??= new EventFileWriter(this.logDir, this.opts);
    return this.fileWriter;
  }

  private addSummary(summary: Uint8Array, step: Step | undefined, walltime: number | undefined, w = this.writer()): void {
    w.addEvent(encodeEvent({ wallTime: walltime ?? nowSecs(), step, summary }));
  }

  private addValues(values: ValueFieldsOut[], step: Step | undefined, walltime: number | undefined): void {
    this.addSummary(encodeSummary(values), step, walltime);
  }

  /**
   * A scalar (simple_value, float32 as in PyTorch). newStyle writes a rank-0 tensor with the
   * 'scalars' plugin instead, doublePrecision makes that tensor DT_DOUBLE.
   */
  addScalar(
    tag: string,
    value: number | { item(): number },
    step?: Step,
    walltime?: number,
    opts: { newStyle?: boolean; doublePrecision?: boolean } = {},
  ): void {
    const v = typeof value === 'number' ? value : value.item();
    if (typeof v !== 'number') throw new TypeError(`addScalar('${tag}'): value must be a number, got ${typeof v}`);
    checkStep(step, 'addScalar');
    if (opts.newStyle) {
      this.addValues(
        [{ tag, tensor: encodeScalarTensor(v, opts.doublePrecision ?? false), metadata: { pluginName: PLUGIN.scalars } }],
        step,
        walltime,
      );
    } else {
      this.addSummary(encodeSimpleValueSummary(tag, v), step, walltime);
    }
  }

  /**
   * Several scalars sharing a chart: one sub-run per key, in
   * `<logDir>/<mainTag with '/' -> '_'>_<key>`, each value tagged mainTag (PyTorch's layout).
   */
  addScalars(mainTag: string, tagScalarDict: Record<string, number>, step?: Step, walltime?: number): void {
    const wt = walltime ?? nowSecs();
    checkStep(step, 'addScalars');
    for (const [key, value] of Object.entries(tagScalarDict)) {
      const dir = `${this.logDir}/${mainTag.replaceAll('/', '_')}_${key}`;
      let fw = this.subWriters.get(dir);
      if (fw === undefined) {
        if (this.closed) throw new Error(`SummaryWriter(${this.logDir}) is closed`);
        fw = new EventFileWriter(dir, this.opts);
        this.subWriters.set(dir, fw);
      }
      this.addSummary(encodeSimpleValueSummary(mainTag, value), step, wt, fw);
    }
  }

  /** Histogram of `values` with PyTorch's default 'tensorflow' bins, numpy bin names, a count or edges. */
  addHistogram(
    tag: string,
    values: ArrayInput | number,
    step?: Step,
    bins: Bins = 'tensorflow',
    walltime?: number,
    maxBins?: number,
  ): void {
    const h = makeHistogram(toFloat64(values, `addHistogram('${tag}')`), bins, maxBins);
    this.addValues([{ tag, histo: h }], step, walltime);
  }

  /** A histogram from precomputed statistics (PyTorch's add_histogram_raw). */
  addHistogramRaw(
    tag: string,
    min: number,
    max: number,
    num: number,
    sum: number,
    sumSquares: number,
    bucketLimits: number[],
    bucketCounts: number[],
    step?: Step,
    walltime?: number,
  ): void {
    if (bucketLimits.length !== bucketCounts.length) {
      throw new Error(
        `addHistogramRaw('${tag}'): bucketLimits has ${bucketLimits.length} entries but bucketCounts has ${bucketCounts.length}`,
      );
    }
    this.addValues([{ tag, histo: { min, max, num, sum, sumSquares, bucketLimit: bucketLimits, bucket: bucketCounts } }], step, walltime);
  }

  /**
   * One image: float in [0, 1] (scaled by 255) or uint8, dataformats 'CHW' (default), 'HWC', 'HW'
   * or any permutation. Flat typed arrays need `opts.shape`.
   */
  addImage(tag: string, img: ArrayInput, step?: Step, opts: ImageOptions = {}): void {
    const hwc = toHWC(img, opts.dataformats ?? 'CHW', `addImage('${tag}')`, opts.shape);
    this.writeImage(tag, hwc, step, opts.walltime);
  }

  /** A batch (default 'NCHW') tiled into one image: ncols = min(N, 8), no padding, as PyTorch. */
  addImages(tag: string, imgs: ArrayInput, step?: Step, opts: ImageOptions = {}): void {
    const what = `addImages('${tag}')`;
    const fmt = (opts.dataformats ?? 'NCHW').toUpperCase();
    if (fmt.length !== 4) throw new Error(`${what}: dataformats '${opts.dataformats}' must have 4 letters (N, C, H, W)`);
    const hwc = gridHWC(materialize(imgs, what, opts.shape), fmt, what);
    this.writeImage(tag, hwc, step, opts.walltime);
  }

  private writeImage(tag: string, hwc: ReturnType<typeof toHWC>, step: Step | undefined, walltime: number | undefined): void {
    const encoded = encodePng(hwc);
    this.addValues([{ tag, image: { height: hwc.height, width: hwc.width, colorspace: hwc.channels, encoded } }], step, walltime);
  }

  /**
   * Audio: a 1-D signal in [-1, 1] (after squeezing singleton dims; clipped) written as a mono
   * 16-bit WAV, as PyTorch's add_audio.
   */
  addAudio(tag: string, snd: ArrayInput, step?: Step, opts: { sampleRate?: number; walltime?: number } = {}): void {
    const what = `addAudio('${tag}')`;
    const m = materialize(snd, what);
    const dims = m.shape.filter((d) => d !== 1);
    if (dims.length > 1) throw new Error(`${what}: audio must be 1-dimensional after squeezing, got shape [${m.shape}]`);
    const sampleRate = opts.sampleRate ?? 44100;
    if (!Number.isInteger(sampleRate) || sampleRate <= 0)
      throw new Error(`${what}: sampleRate must be a positive integer, got ${sampleRate}`);
    const encoded = encodeWav(m.data, sampleRate);
    this.addValues(
      [{ tag, audio: { sampleRate, numChannels: 1, lengthFrames: m.data.length, encoded, contentType: 'audio/wav' } }],
      step,
      opts.walltime,
    );
  }

  /** Markdown text: tag '<tag>/text_summary', DT_STRING [1] tensor, plugin 'text' (as PyTorch). */
  addText(tag: string, text: string, step?: Step, walltime?: number): void {
    if (typeof text !== 'string') throw new TypeError(`addText('${tag}'): text must be a string`);
    const tensor = encodeTensor(DT.STRING, [1], { strings: [new TextEncoder().encode(text)] });
    this.addValues([{ tag: `${tag}/text_summary`, tensor, metadata: { pluginName: 'text' } }], step, walltime);
  }

  /** Precision-recall curve: DT_FLOAT [6, numThresholds] tensor, plugin 'pr_curves' (numThresholds <= 127). */
  addPrCurve(
    tag: string,
    labels: ArrayInput,
    predictions: ArrayInput,
    step?: Step,
    opts: { numThresholds?: number; weights?: number | ArrayLike<number>; walltime?: number } = {},
  ): void {
    const what = `addPrCurve('${tag}')`;
    const n = Math.min(opts.numThresholds ?? 127, 127);
    if (!Number.isInteger(n) || n < 2) throw new Error(`${what}: numThresholds must be an integer >= 2, got ${opts.numThresholds}`);
    const l = materialize(labels, what);
    const p = materialize(predictions, what);
    const f32 = p.data instanceof Float32Array;
    const rows = computePrCurve(l.data, p.data, n, opts.weights ?? 1, f32);
    const flat = [...rows.tp, ...rows.fp, ...rows.tn, ...rows.fn, ...rows.precision, ...rows.recall];
    const tensor = encodeTensor(DT.FLOAT, [6, n], { floats: flat });
    // PrCurvePluginData { version: 0, num_thresholds: n }: only field 2 is serialized.
    const content = Uint8Array.of(0x10, n);
    this.addValues([{ tag, tensor, metadata: { pluginName: PLUGIN.prCurves, content } }], step, opts.walltime);
  }

  /**
   * Hyperparameters and their final metrics, written as PyTorch does: into a child run named by the
   * current time (str(time.time())) unless runName is given, holding the three hparams payloads and
   * one scalar per metric.
   */
  addHparams(
    hparamDict: Record<string, HparamValue | null | undefined>,
    metricDict: Record<string, number>,
    opts: { hparamDomainDiscrete?: Record<string, Array<number | string | boolean>>; runName?: string; globalStep?: Step } = {},
  ): void {
    const values = hparamsValues(hparamDict, metricDict, opts.hparamDomainDiscrete);
    const runName = opts.runName || String(nowSecs());
    // PyTorch opens the child with default options (no filename suffix); only our fsync choice carries over.
    const child = new SummaryWriter(join(this.logDir, runName), this.opts.fsync === undefined ? {} : { fsync: this.opts.fsync });
    try {
      for (const v of values) child.addValues([v], opts.globalStep, undefined);
      for (const [k, v] of Object.entries(metricDict)) child.addScalar(k, v, opts.globalStep);
    } finally {
      child.close();
    }
  }

  /**
   * The model's graph: a GraphDescription directly, or (model, input) traced by the tracer lib/nn
   * registers. Writes the GraphDef event and a RunMetadata event tagged "step1", as PyTorch.
   */
  addGraph(model: unknown, input?: unknown, walltime?: number): void {
    const g = describeGraph(model, input);
    const w = this.writer();
    const wt = walltime ?? nowSecs();
    w.addEvent(encodeEvent({ wallTime: wt, graphDef: encodeGraphDef(g) }));
    w.addEvent(encodeEvent({ wallTime: wt, taggedRunMetadata: { tag: 'step1', runMetadata: encodeRunMetadata(g) } }));
  }

  /**
   * Embedding Projector data, as PyTorch's add_embedding: <logDir>/<5-digit step>/<tag>/ gets
   * tensors.tsv (and metadata.tsv, sprite.png), and <logDir>/projector_config.pbtxt lists every
   * embedding this writer added. `metadata`: one label per point, or rows of columns with
   * `metadataHeader`. `labelImg`: (N, C, H, W) images in [0, 1].
   */
  addEmbedding(
    mat: ArrayInput,
    opts: { metadata?: unknown[]; labelImg?: ArrayInput; globalStep?: number; tag?: string; metadataHeader?: string[] } = {},
  ): void {
    const tag = opts.tag ?? 'default';
    const what = `addEmbedding('${tag}')`;
    const step = opts.globalStep ?? 0;
    if (!Number.isInteger(step)) throw new Error(`${what}: globalStep must be an integer, got ${step}`);
    if (this.closed) throw new Error(`SummaryWriter(${this.logDir}) is closed`);
    const subdir = `${zfill5(step)}/${encodeTagDir(tag)}`;
    const dir = join(this.logDir, subdir);
    // Validate and encode everything before touching the disk, so bad input leaves no partial folder.
    const tensors = tensorsTsv(mat, what);
    let meta: string | undefined;
    if (opts.metadata !== undefined) {
      if (opts.metadata.length !== tensors.rows)
        throw new Error(
          `${what}: metadata has ${opts.metadata.length} labels but mat has ${tensors.rows} points (#labels should equal #data points)`,
        );
      meta = metadataTsv(opts.metadata, opts.metadataHeader, what);
    }
    const sprite = opts.labelImg !== undefined ? spritePng(opts.labelImg, tensors.rows, what) : undefined;
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new Error(`${what}: ${dir} exists but is a file`);
      console.warn('warning: Embedding dir exists, did you set global_step for add_embedding()?');
    }
    mkdirSync(dir, { recursive: true });
    if (meta !== undefined) writeFileSync(join(dir, 'metadata.tsv'), meta);
    if (sprite) writeFileSync(join(dir, 'sprite.png'), sprite.png);
    writeFileSync(join(dir, 'tensors.tsv'), tensors.text);
    const info: EmbeddingInfo = { tensorName: `${tag}:${zfill5(step)}`, tensorPath: `${subdir}/tensors.tsv` };
    if (meta !== undefined) info.metadataPath = `${subdir}/metadata.tsv`;
    if (sprite) info.sprite = { imagePath: `${subdir}/sprite.png`, singleImageDim: [sprite.width, sprite.height] };
    this.embeddings.push(info);
    writeFileSync(join(this.logDir, 'projector_config.pbtxt'), projectorConfigPbtxt(this.embeddings));
  }

  /**
   * The Custom Scalars layout, as PyTorch's add_custom_scalars: { category: { chartTitle:
   * ['Multiline', tags] | ['Margin', [value, lower, upper]] } }.
   */
  addCustomScalars(layout: CustomScalarLayout): void {
    const tensor = encodeTensor(DT.STRING, [], { strings: [encodeLayout(layout)] });
    this.addValues([{ tag: CUSTOM_SCALARS_TAG, tensor, metadata: { pluginName: PLUGIN.customScalars } }], undefined, undefined);
  }

  /**
   * A video (N, T, C, H, W), floats in [0, 1] or uint8: the batch tiled into a grid per frame (as
   * PyTorch's add_video) and written as an animated GIF image summary at `fps` frames per second.
   */
  addVideo(tag: string, vid: ArrayInput, step?: Step, opts: { fps?: number; walltime?: number } = {}): void {
    const what = `addVideo('${tag}')`;
    const fps = opts.fps ?? 4;
    if (!(fps > 0)) throw new Error(`${what}: fps must be positive, got ${fps}`);
    const frames = prepareVideo(vid, what);
    const encoded = encodeGif(frames, fps);
    this.addValues(
      [{ tag, image: { height: frames.height, width: frames.width, colorspace: frames.channels, encoded } }],
      step,
      opts.walltime,
    );
  }

  /**
   * A rendered figure: encoded PNG or JPEG bytes (e.g. from a plotting library's canvas), logged
   * as an image as they are. Several figures are tiled into one image as add_figure does for a list.
   */
  addFigure(tag: string, figure: Uint8Array | Uint8Array[], step?: Step, opts: { walltime?: number } = {}): void {
    const what = `addFigure('${tag}')`;
    if (Array.isArray(figure)) {
      const imgs = figure.map((f, i) => decodeEncodedImage(f, `${what} figure ${i}`));
      const { height: h, width: w } = imgs[0] ?? { height: 0, width: 0 };
      if (imgs.length === 0) throw new Error(`${what}: the figure list is empty`);
      if (imgs.some((im) => im.height !== h || im.width !== w)) throw new Error(`${what}: figures in a list must share one size`);
      const data = new Uint8Array(imgs.length * 3 * h * w);
      imgs.forEach((im, n) => {
        for (let c = 0; c < 3; c++) for (let p = 0; p < h * w; p++) data[(n * 3 + c) * h * w + p] = im.pixels[p * 3 + c]!;
      });
      const hwc = gridHWC({ data, shape: [imgs.length, 3, h, w], isUint8: true }, 'NCHW', what);
      this.writeImage(tag, hwc, step, opts.walltime);
      return;
    }
    const size = imageSize(figure, what);
    this.addValues(
      [{ tag, image: { height: size.height, width: size.width, colorspace: size.channels, encoded: figure } }],
      step,
      opts.walltime,
    );
  }

  /** Writes every queued event of this writer and its addScalars sub-runs to disk. */
  flush(): void {
    this.fileWriter?.flush();
    for (const w of this.subWriters.values()) w.flush();
  }

  /** Flushes and closes all files. Further add* calls throw. */
  close(): void {
    if (this.closed) return;
    this.fileWriter?.close();
    for (const w of this.subWriters.values()) w.close();
    this.closed = true;
  }
}

/** PNG or JPEG bytes -> RGB pixels (for tiling a list of figures). */
function decodeEncodedImage(bytes: Uint8Array, what: string): HWCImage {
  const size = imageSize(bytes, what);
  if (size.format === 'png') return decodePng(bytes, 3);
  const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  const pixels = new Uint8Array(d.width * d.height * 3);
  for (let p = 0; p < d.width * d.height; p++) {
    pixels[p * 3] = d.data[p * 4]!;
    pixels[p * 3 + 1] = d.data[p * 4 + 1]!;
    pixels[p * 3 + 2] = d.data[p * 4 + 2]!;
  }
  return { height: d.height, width: d.width, channels: 3, pixels };
}
