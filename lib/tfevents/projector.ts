// The Embedding Projector's files, as PyTorch's add_embedding writes them and TensorBoard's
// projector plugin reads them: <logdir>/projector_config.pbtxt (a ProjectorConfig in protobuf text
// format) listing embeddings whose tensors.tsv, metadata.tsv and sprite.png sit under
// <logdir>/<5-digit step>/<tag>/. Also the reader of such folders (PyTorch's or TensorFlow's).
import { pyFloat, pyStr } from '../nn/pyrepr.ts';
import { encodePng, materialize, type ArrayInput } from './image.ts';

export interface EmbeddingInfo {
  tensorName: string;
  tensorPath?: string;
  metadataPath?: string;
  tensorShape?: number[];
  sprite?: { imagePath: string; singleImageDim: number[] };
}

/** PyTorch's str(step).zfill(5): zero-padded to 5 characters, sign first. */
export function zfill5(step: number | bigint): string {
  const s = String(step);
  return s.startsWith('-') ? `-${s.slice(1).padStart(4, '0')}` : s.padStart(5, '0');
}

/** SummaryWriter._encode: '%', '/' and '\' of a tag become %25, %2f, %5c (in that order). */
export function encodeTagDir(tag: string): string {
  return tag.replaceAll('%', '%25').replaceAll('/', '%2f').replaceAll('\\', '%5c');
}

/** tensors.tsv: one row per point, Python's str() of each item (float32 values widened to double). */
export function tensorsTsv(mat: ArrayInput, what: string): { text: string; rows: number; cols: number } {
  const m = materialize(mat, what);
  if (m.shape.length !== 2) throw new Error(`${what}: mat must be 2-D (points x dimensions), got shape [${m.shape}]`);
  const [rows, cols] = m.shape as [number, number];
  if (m.data.length !== rows * cols)
    throw new Error(`${what}: shape [${m.shape}] needs ${rows * cols} values but the data has ${m.data.length}`);
  const ints = isIntegerArray(m.data, mat);
  const f32 = m.data instanceof Float32Array;
  const parts: string[] = [];
  for (let r = 0; r < rows; r++) {
    const row = new Array<string>(cols);
    for (let c = 0; c < cols; c++) {
      const v = m.data[r * cols + c]!;
      row[c] = ints ? String(v) : pyFloat(f32 ? Math.fround(v) : v);
    }
    parts.push(`${row.join('\t')}\n`);
  }
  return { text: parts.join(''), rows, cols };
}

function isIntegerArray(data: ArrayLike<number>, src: unknown): boolean {
  if (
    data instanceof Int8Array ||
    data instanceof Int16Array ||
    data instanceof Int32Array ||
    data instanceof Uint8Array ||
    data instanceof Uint16Array ||
    data instanceof Uint32Array
  )
    return true;
  const dtype = (src as { dtype?: string } | null)?.dtype;
  return typeof dtype === 'string' && /^u?int/.test(dtype);
}

/** metadata.tsv as make_tsv: one label per line, or with a header, tab-joined columns. */
export function metadataTsv(metadata: unknown[], header: string[] | undefined, what: string): string {
  if (!header || header.length === 0) return `${metadata.map(pyStr).join('\n')}\n`;
  const rows = metadata.map((row, i) => {
    if (!Array.isArray(row) || row.length !== header.length)
      throw new Error(`${what}: metadata row ${i} must have ${header.length} columns like metadataHeader`);
    return row.map(pyStr).join('\t');
  });
  return `${[header.map(pyStr).join('\t'), ...rows].join('\n')}\n`;
}

/**
 * sprite.png as make_sprite: label images (N, C, H, W; C 1 or 3) tiled row-major into a grid of
 * ceil(sqrt(N)) columns on a black square canvas as wide as the grid, values * 255 clipped and
 * truncated to uint8, RGB PNG.
 */
export function spritePng(labelImg: ArrayInput, points: number, what: string): { png: Uint8Array; width: number; height: number } {
  const m = materialize(labelImg, what);
  if (m.shape.length !== 4) throw new Error(`${what}: labelImg must be (N, C, H, W), got shape [${m.shape}]`);
  const [n, c, h, w] = m.shape as [number, number, number, number];
  if (n !== points) throw new Error(`${what}: labelImg has ${n} images but mat has ${points} points (#images should equal #data points)`);
  if (c !== 1 && c !== 3) throw new Error(`${what}: labelImg must have 1 or 3 channels, got ${c}`);
  const ncols = Math.min(n, Math.ceil(Math.sqrt(n)));
  const nrows = Math.ceil(n / ncols);
  const side = w * ncols;
  if (h * nrows > side)
    throw new Error(
      `${what}: the sprite grid is ${h * nrows} px tall but only ${side} px wide (PyTorch cannot square it either): use images at least as wide as tall`,
    );
  const f32 = m.data instanceof Float32Array;
  const pixels = new Uint8Array(side * side * 3);
  for (let i = 0; i < n; i++) {
    const oy = Math.floor(i / ncols) * h,
      ox = (i % ncols) * w;
    for (let ch = 0; ch < 3; ch++) {
      const src = c === 1 ? 0 : ch;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const raw = m.data[((i * c + src) * h + y) * w + x]!;
          const v = (f32 ? Math.fround(raw) : raw) * 255;
          pixels[((oy + y) * side + ox + x) * 3 + ch] = v >= 255 ? 255 : v > 0 ? Math.trunc(v) : 0;
        }
    }
  }
  return { png: encodePng({ height: side, width: side, channels: 3, pixels }), width: w, height: h };
}

// ---- protobuf text format (ProjectorConfig) --------------------------------------------------

/** C-style escaping of protobuf's text_format (non-ASCII UTF-8 bytes as octal, as Python's default). */
function cEscape(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x5c) out += '\\\\';
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

/** text_format.MessageToString(ProjectorConfig): fields in field-number order, two-space indent. */
export function projectorConfigPbtxt(embeddings: EmbeddingInfo[]): string {
  let out = '';
  for (const e of embeddings) {
    out += 'embeddings {\n';
    out += `  tensor_name: "${cEscape(e.tensorName)}"\n`; // 1
    if (e.metadataPath !== undefined) out += `  metadata_path: "${cEscape(e.metadataPath)}"\n`; // 2
    for (const d of e.tensorShape ?? []) out += `  tensor_shape: ${d}\n`; // 4
    if (e.sprite) {
      // 5
      out += `  sprite {\n    image_path: "${cEscape(e.sprite.imagePath)}"\n`;
      for (const d of e.sprite.singleImageDim) out += `    single_image_dim: ${d}\n`;
      out += '  }\n';
    }
    if (e.tensorPath !== undefined) out += `  tensor_path: "${cEscape(e.tensorPath)}"\n`; // 8
    out += '}\n';
  }
  return out;
}

type PbValue = string | number | PbMessage;
interface PbMessage {
  [field: string]: PbValue[];
}

/** Parses protobuf text format (messages, strings, numbers, enums; '#' comments) into repeated-field lists. */
export function parsePbtxt(text: string, file = 'projector_config.pbtxt'): PbMessage {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${file}: ${msg} at offset ${i}`);
  };
  const skip = () => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (text[i] === '#') {
        while (i < text.length && text[i] !== '\n') i++;
        continue;
      }
      return;
    }
  };
  const ident = () => {
    const m = /^[A-Za-z_][\w.]*/.exec(text.slice(i, i + 200));
    if (!m) fail('expected a field name');
    i += m![0].length;
    return m![0];
  };
  const str = (): string => {
    const q = text[i]!;
    i++;
    const bytes: number[] = [];
    while (i < text.length && text[i] !== q) {
      const ch = text[i]!;
      if (ch === '\n') fail('newline in string');
      if (ch !== '\\') {
        for (const b of new TextEncoder().encode(String.fromCodePoint(text.codePointAt(i)!))) bytes.push(b);
        i += text.codePointAt(i)! > 0xffff ? 2 : 1;
        continue;
      }
      const e = text[i + 1]!;
      i += 2;
      const simple: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, "'": 39, '\\': 92, a: 7, b: 8, f: 12, v: 11, '?': 63 };
      if (e in simple) bytes.push(simple[e]!);
      else if (/[0-7]/.test(e)) {
        let o = e;
        while (o.length < 3 && /[0-7]/.test(text[i] ?? '')) o += text[i++];
        bytes.push(parseInt(o, 8));
      } else if (e === 'x') {
        let h = '';
        while (h.length < 2 && /[0-9a-fA-F]/.test(text[i] ?? '')) h += text[i++];
        bytes.push(parseInt(h, 16));
      } else fail(`unknown escape \\${e}`);
    }
    if (text[i] !== q) fail('unterminated string');
    i++;
    return new TextDecoder().decode(Uint8Array.from(bytes));
  };
  const message = (end: string | null): PbMessage => {
    const msg: PbMessage = {};
    for (;;) {
      skip();
      if (i >= text.length) {
        if (end) fail(`missing '${end}'`);
        return msg;
      }
      if (end && text[i] === end) {
        i++;
        return msg;
      }
      const name = ident();
      skip();
      if (text[i] === ':') {
        i++;
        skip();
      }
      const one = (): PbValue => {
        if (text[i] === '{' || text[i] === '<') {
          const close = text[i] === '{' ? '}' : '>';
          i++;
          return message(close);
        }
        if (text[i] === '"' || text[i] === "'") {
          let v = str();
          skip();
          while (text[i] === '"' || text[i] === "'") {
            v += str();
            skip();
          }
          return v;
        }
        const m = /^[-+\w.]+/.exec(text.slice(i, i + 100));
        if (!m) return fail(`expected a value for '${name}'`);
        i += m[0].length;
        return /^[-+]?(\d|\.\d|inf|nan)/i.test(m[0]) ? Number(m[0]) : m[0];
      };
      const list = (msg[name] ??= []);
      if (text[i] === '[') {
        // repeated field list syntax: name: [a, b]
        i++;
        for (skip(); text[i] !== ']'; skip()) {
          if (i >= text.length) fail(`missing ']'`);
          list.push(one());
          skip();
          if (text[i] === ',') i++;
        }
        i++;
      } else list.push(one());
      skip();
      if (text[i] === ',' || text[i] === ';') i++;
    }
  };
  return message(null);
}

/** The embeddings of a projector_config.pbtxt (TensorFlow's or PyTorch's). */
/** A projector_config.pbtxt: its embeddings and the checkpoint it names, if any. */
export interface ProjectorConfigFile {
  /** model_checkpoint_path: the checkpoint prefix holding tensors named without a tensor_path. */
  modelCheckpointPath?: string;
  embeddings: EmbeddingInfo[];
}

export function readProjectorConfigFile(text: string, file?: string): ProjectorConfigFile {
  const cfg = parsePbtxt(text, file);
  const s = (m: PbMessage, k: string) => {
    const v = m[k]?.[0];
    return typeof v === 'string' ? v : undefined;
  };
  const embeddings = (cfg.embeddings ?? [])
    .filter((e): e is PbMessage => typeof e === 'object')
    .map((e) => {
      const info: EmbeddingInfo = { tensorName: s(e, 'tensor_name') ?? '' };
      const tp = s(e, 'tensor_path');
      if (tp !== undefined) info.tensorPath = tp;
      const mp = s(e, 'metadata_path');
      if (mp !== undefined) info.metadataPath = mp;
      if (e.tensor_shape) info.tensorShape = e.tensor_shape.map(Number);
      const sp = e.sprite?.[0];
      if (sp && typeof sp === 'object')
        info.sprite = { imagePath: s(sp, 'image_path') ?? '', singleImageDim: (sp.single_image_dim ?? []).map(Number) };
      return info;
    });
  const out: ProjectorConfigFile = { embeddings };
  const ckpt = s(cfg, 'model_checkpoint_path');
  if (ckpt) out.modelCheckpointPath = ckpt;
  return out;
}

/** The embeddings of a projector_config.pbtxt. */
export function readProjectorConfig(text: string, file?: string): EmbeddingInfo[] {
  return readProjectorConfigFile(text, file).embeddings;
}

/** tensors.tsv -> row-major float32 values and shape; names the file and line of a bad value. */
export function parseTensorsTsv(text: string, file = 'tensors.tsv'): { data: Float32Array; shape: [number, number] } {
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  const rows = lines.length;
  const cols = rows ? lines[0]!.split('\t').length : 0;
  const data = new Float32Array(rows * cols);
  lines.forEach((line, r) => {
    const cells = line.split('\t');
    if (cells.length !== cols) throw new Error(`${file}: line ${r + 1} has ${cells.length} values, line 1 has ${cols}`);
    cells.forEach((cell, c) => {
      const v = Number(
        cell
          .trim()
          .replace(/^(-?)inf$/i, '$1Infinity')
          .replace(/^nan$/i, 'NaN'),
      );
      if (Number.isNaN(v) && !/^nan$/i.test(cell.trim()))
        throw new Error(`${file}: line ${r + 1} column ${c + 1}: '${cell.slice(0, 40)}' is not a number`);
      data[r * cols + c] = v;
    });
  });
  return { data, shape: [rows, cols] };
}

/**
 * metadata.tsv: one column without a header, or (TensorBoard's rule) a header row when there are
 * two or more columns.
 */
export function parseMetadataTsv(text: string): { columns: string[]; rows: string[][] } {
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const cells = lines.map((l) => l.split('\t'));
  if (cells.length && cells[0]!.length > 1) return { columns: cells[0]!, rows: cells.slice(1) };
  return { columns: ['label'], rows: cells };
}
