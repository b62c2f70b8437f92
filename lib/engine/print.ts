// toString() matching PyTorch 1.13's str(tensor) (torch/_tensor_str.py): 4 decimals, a common width,
// scientific notation switch, summarization with '...' over 1000 elements, 80-column wrapping, suffixes.
import { isFloating, type DType } from './dtype.ts';
import type { Tensor } from './tensor.ts';

export const printOptions = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null as boolean | null };

/** Python's '{:.Nf}': round half to even on the exact binary value (JS toFixed rounds exact ties up). */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x !== x ? 'nan' : x > 0 ? 'inf' : '-inf';
  let s = x.toFixed(digits);
  const long = Math.abs(x).toFixed(Math.min(digits + 30, 100));
  const tail = long.slice(long.indexOf('.') + 1 + digits);
  if (/^50*$/.test(tail)) {
    // exact tie: toFixed rounded away from zero; go to even instead
    const trunc = Math.abs(x)
      .toFixed(digits + 1)
      .slice(0, -1);
    const lastDigit = Number(trunc.replace('.', '').slice(-1));
    if (lastDigit % 2 === 0) s = (x < 0 ? '-' : '') + (trunc.endsWith('.') ? trunc.slice(0, -1) : trunc);
  }
  if (Object.is(x, -0) || (x < 0 && !s.startsWith('-'))) s = '-' + s.replace(/^-/, '');
  return s;
}

/** Python's '{:.Ne}' (two-digit exponent, half-to-even on exact ties). */
export function pyExp(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x !== x ? 'nan' : x > 0 ? 'inf' : '-inf';
  let s = x.toExponential(digits);
  const long = Math.abs(x).toExponential(Math.min(digits + 30, 100));
  const mant = long.slice(0, long.indexOf('e'));
  const tail = mant.slice(mant.indexOf('.') + 1 + digits);
  if (/^50*$/.test(tail)) {
    const lastDigit = Number(
      mant
        .slice(0, mant.indexOf('.') + 1 + digits)
        .replace('.', '')
        .slice(-1),
    );
    if (lastDigit % 2 === 0)
      s = (x < 0 ? '-' : '') + mant.slice(0, mant.indexOf('.') + 1 + digits).replace(/\.$/, '') + long.slice(long.indexOf('e'));
  }
  if (Object.is(x, -0)) s = '-' + s;
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function pyInt(v: number, dtype: DType): string {
  if (dtype === 'bool') return v ? 'True' : 'False';
  return String(v);
}

/** Width and mode decided from the (summarized) values, as torch's _Formatter. */
class Formatter {
  floating: boolean;
  intMode = true;
  sciMode = false;
  maxWidth = 1;
  constructor(
    values: ArrayLike<number>,
    private dtype: DType,
  ) {
    this.floating = isFloating(dtype);
    if (!this.floating) {
      for (let i = 0; i < values.length; i++) this.maxWidth = Math.max(this.maxWidth, pyInt(values[i]!, dtype).length);
      return;
    }
    const nz: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isFinite(v) && v !== 0) nz.push(v);
    }
    if (nz.length === 0) return;
    let mn = Infinity,
      mx = 0;
    for (const v of nz) {
      const a = Math.abs(v);
      if (a < mn) mn = a;
      if (a > mx) mx = a;
    }
    for (const v of nz)
      if (v !== Math.ceil(v)) {
        this.intMode = false;
        break;
      }
    const p = printOptions.precision;
    if (this.intMode) {
      if (mx / mn > 1000 || mx > 1e8) {
        this.sciMode = true;
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, pyExp(v, p).length);
      } else {
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, pyFixed(v, 0).length + 1);
      }
    } else if (mx / mn > 1000 || mx > 1e8 || mn < 1e-4) {
      this.sciMode = true;
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, pyExp(v, p).length);
    } else {
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, pyFixed(v, p).length);
    }
    if (printOptions.sciMode !== null) this.sciMode = printOptions.sciMode;
  }
  format(v: number): string {
    let r: string;
    if (!this.floating) r = pyInt(v, this.dtype);
    else if (this.sciMode) r = pyExp(v, printOptions.precision);
    else if (this.intMode) {
      r = pyFixed(v, 0);
      if (Number.isFinite(v)) r += '.';
    } else r = pyFixed(v, printOptions.precision);
    return r.padStart(this.maxWidth, ' ');
  }
}

/** A contiguous row-major snapshot to print from. */
interface Block {
  data: ArrayLike<number>;
  shape: number[];
  off: number;
}

function sub(b: Block, i: number): Block {
  const inner = b.shape.slice(1).reduce((a, c) => a * c, 1);
  return { data: b.data, shape: b.shape.slice(1), off: b.off + i * inner };
}

/** The values the formatter sees: only the printed edges when summarizing. */
function summarizedValues(b: Block, summarize: boolean, out: number[]): void {
  const e = printOptions.edgeitems;
  if (b.shape.length === 0) {
    out.push(b.data[b.off]!);
    return;
  }
  const n = b.shape[0]!;
  const idx = summarize && n > 2 * e ? [...Array(e).keys(), ...Array.from({ length: e }, (_, k) => n - e + k)] : [...Array(n).keys()];
  for (const i of idx) summarizedValues(sub(b, i), summarize, out);
}

function vectorStr(b: Block, indent: number, summarize: boolean, f: Formatter): string {
  const e = printOptions.edgeitems;
  const elementLength = f.maxWidth + 2;
  const perLine = Math.max(1, Math.floor((printOptions.linewidth - indent) / elementLength));
  const n = b.shape[0]!;
  const at = (i: number) => f.format(b.data[b.off + i]!);
  let data: string[];
  if (summarize && n > 2 * e) {
    data = [...Array.from({ length: e }, (_, i) => at(i)), ' ...', ...Array.from({ length: e }, (_, i) => at(n - e + i))];
  } else data = Array.from({ length: n }, (_, i) => at(i));
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

function tensorStr(b: Block, indent: number, summarize: boolean, f: Formatter): string {
  const dim = b.shape.length;
  if (dim === 0) return f.format(b.data[b.off]!);
  if (dim === 1) return vectorStr(b, indent, summarize, f);
  const e = printOptions.edgeitems,
    n = b.shape[0]!;
  let slices: string[];
  if (summarize && n > 2 * e) {
    slices = [
      ...Array.from({ length: e }, (_, i) => tensorStr(sub(b, i), indent + 1, summarize, f)),
      '...',
      ...Array.from({ length: e }, (_, i) => tensorStr(sub(b, n - e + i), indent + 1, summarize, f)),
    ];
  } else slices = Array.from({ length: n }, (_, i) => tensorStr(sub(b, i), indent + 1, summarize, f));
  return '[' + slices.join(',' + '\n'.repeat(dim - 1) + ' '.repeat(indent + 1)) + ']';
}

function addSuffixes(s: string, suffixes: string[], indent: number): string {
  const parts = [s];
  let lastLineLen = s.length - s.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > printOptions.linewidth) {
      parts.push(',\n' + ' '.repeat(indent) + suffix);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(', ' + suffix);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/** Only the array part of the string (as torch's _tensor_str), for a given indent. */
export function formatTensorData(t: Tensor, indent: number): string {
  if (t.numel() === 0) return '[]';
  const summarize = t.numel() > printOptions.threshold;
  const block: Block = { data: t.dataSync(), shape: [...t.shape], off: 0 };
  const vals: number[] = [];
  summarizedValues(block, summarize, vals);
  return tensorStr(block, indent, summarize, new Formatter(vals, t.dtype));
}

/** str(tensor) exactly as PyTorch prints it; `prefix` lets subclasses print 'Parameter(' etc. */
export function formatTensor(t: Tensor, prefix = 'tensor('): string {
  const indent = prefix.length;
  const suffixes: string[] = [];
  const defaultDtype = t.dtype === 'float32' || t.dtype === 'int64' || t.dtype === 'bool';
  let body: string;
  if (t.numel() === 0) {
    if (t.dim() !== 1) suffixes.push(`size=(${t.shape.join(', ')}${t.dim() === 1 ? ',' : ''})`);
    if (t.dtype !== 'float32') suffixes.push(`dtype=torch.${t.dtype}`);
    body = '[]';
  } else {
    if (!defaultDtype) suffixes.push(`dtype=torch.${t.dtype}`);
    body = formatTensorData(t, indent);
  }
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent);
}
