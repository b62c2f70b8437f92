// RNN (tanh/relu), LSTM, GRU (layers, bidirectional, batch_first, h0/c0) and their cells, composed from engine ops
// in PyTorch's order, so outputs and grad_fns match: the input projection of all timesteps is one addmm (fast GEMM),
// each step adds h·W_hhᵀ, outputs are stacked (StackBackward0) and directions concatenated (CatBackward0).
import { Tensor, zeros, stack, cat, customOp } from '../../engine/index.ts';
import { Module } from '../module.ts';
import { Parameter, parameterData } from '../parameter.ts';
import * as F from '../functional/index.ts';
import * as init from '../init.ts';
import { pyBool, pyFloat } from '../pyrepr.ts';
import type { FactoryOptions } from './basic.ts';

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** transpose(0, 1) recorded under a given node name (PyTorch's RNN/GRU use transpose_ -> TransposeBackward1). */
function swap01(t: Tensor, name: string): Tensor {
  if (name === 'TransposeBackward0') return t.transpose(0, 1);
  return customOp(
    name,
    [t],
    () => t.transpose(0, 1).contiguous(),
    ([g]) => [g!.transpose(0, 1).contiguous()],
    { op: 'transpose' },
  ) as Tensor;
}

interface CellWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
}

/** One timestep given the precomputed input projection `xp` (B, G·H). Returns [h, c]. */
function step(mode: Mode, xp: Tensor, h: Tensor, c: Tensor | null, w: CellWeights): [Tensor, Tensor | null] {
  const hp = F.linear(h, w.wHh, w.bHh);
  if (mode === 'RNN_TANH') return [xp.add(hp).tanh(), null];
  if (mode === 'RNN_RELU') return [xp.add(hp).relu(), null];
  if (mode === 'LSTM') {
    const [i, f, g, o] = xp.add(hp).chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const c2 = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
    return [o.sigmoid().mul(c2.tanh()), c2];
  }
  const [xr, xz, xn] = xp.chunk(3, 1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = hp.chunk(3, 1) as [Tensor, Tensor, Tensor];
  const r = xr.add(hr).sigmoid();
  const z = xz.add(hz).sigmoid();
  const n = xn.add(r.mul(hn)).tanh();
  return [n.add(z.mul(h.sub(n))), null];
}

export interface RNNOptions extends FactoryOptions {
  numLayers?: number;
  nonlinearity?: 'tanh' | 'relu';
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
}

abstract class RNNBase extends Module {
  declare mode: Mode;
  declare inputSize: number;
  declare hiddenSize: number;
  declare numLayers: number;
  declare bias: boolean;
  declare batchFirst: boolean;
  declare dropout: number;
  declare bidirectional: boolean;

  protected constructor(mode: Mode, inputSize: number, hiddenSize: number, o: RNNOptions) {
    super();
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = o.numLayers ?? 1;
    this.bias = o.bias ?? true;
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = o.dropout ?? 0;
    this.bidirectional = o.bidirectional ?? false;
    if (this.dropout < 0 || this.dropout > 1)
      throw new Error('dropout should be a number in range [0, 1] representing the probability of an element being zeroed');
    const G = GATES[mode] * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    const dtype = o.dtype ?? 'float32';
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const inp = l === 0 ? inputSize : hiddenSize * dirs;
        this.registerParameter(`weight_ih${sfx}`, new Parameter(parameterData([G, inp], dtype)));
        this.registerParameter(`weight_hh${sfx}`, new Parameter(parameterData([G, hiddenSize], dtype)));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, new Parameter(parameterData([G], dtype)));
          this.registerParameter(`bias_hh${sfx}`, new Parameter(parameterData([G], dtype)));
        }
      }
    }
    this.resetParameters();
  }

  resetParameters(): void {
    const s = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -s, s);
  }

  private weights(l: number, d: number): CellWeights {
    const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
    const p = (n: string) => this._parameters.get(n) ?? null;
    return { wIh: p(`weight_ih${sfx}`)!, wHh: p(`weight_hh${sfx}`)!, bIh: p(`bias_ih${sfx}`), bHh: p(`bias_hh${sfx}`) };
  }

  /** Runs all layers; `hx` is h0 (and c0 for LSTM) shaped (L·D, B, H). */
  protected run(input: Tensor, hx: Tensor | [Tensor, Tensor] | null | undefined): [Tensor, Tensor | [Tensor, Tensor]] {
    const isLstm = this.mode === 'LSTM';
    const unbatched = input.dim() === 2;
    if (input.dim() !== 2 && input.dim() !== 3)
      throw new Error(`${this.constructor.name}: Expected input to be 2D or 3D, got ${input.dim()}D instead`);
    let x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    if (x.shape[2] !== this.inputSize)
      throw new Error(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${x.shape[2]}`);
    const [T, B] = x.shape as [number, number];
    const dirs = this.bidirectional ? 2 : 1;
    const H = this.hiddenSize;
    let h0: Tensor,
      c0: Tensor | null = null;
    const stateShape = [this.numLayers * dirs, B, H];
    const prep = (t: Tensor) => (unbatched ? t.unsqueeze(1) : t);
    if (hx) {
      if (isLstm) {
        if (!Array.isArray(hx)) throw new Error('LSTM expects (h0, c0) as a pair of tensors');
        h0 = prep(hx[0]);
        c0 = prep(hx[1]);
      } else {
        h0 = prep(hx as Tensor);
      }
      for (const t of [h0, c0]) {
        if (t && (t.shape.length !== 3 || t.shape.some((s, i) => s !== stateShape[i]))) {
          throw new Error(`Expected hidden size (${stateShape.join(', ')}), got [${t.shape.join(', ')}]`);
        }
      }
    } else {
      h0 = zeros(stateShape, { dtype: x.dtype });
      if (isLstm) c0 = zeros(stateShape, { dtype: x.dtype });
    }
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const w = this.weights(l, d);
        const idx = l * dirs + d;
        // input projection for all timesteps at once: (T·B, I) -> (T, B, G·H)
        const xp = F.linear(x.reshape([T * B, x.shape[2]!]), w.wIh, w.bIh).view([T, B, -1]);
        let h = h0.select(0, idx);
        let c = c0 ? c0.select(0, idx) : null;
        const hs: Tensor[] = new Array(T);
        for (let s = 0; s < T; s++) {
          const t = d === 0 ? s : T - 1 - s;
          [h, c] = step(this.mode, xp.select(0, t), h, c, w);
          hs[t] = h;
        }
        outs.push(stack(hs, 0));
        hN.push(h);
        if (c) cN.push(c);
      }
      x = dirs === 2 ? cat(outs, 2) : outs[0]!;
      if (this.dropout > 0 && this.training && l < this.numLayers - 1) x = F.dropout(x, this.dropout, true);
    }
    let output = x;
    let hOut = stack(hN, 0);
    let cOut = isLstm ? stack(cN, 0) : null;
    if (unbatched) {
      output = output.squeeze(1);
      hOut = hOut.squeeze(1);
      if (cOut) cOut = cOut.squeeze(1);
    } else if (this.batchFirst) {
      output = swap01(output, isLstm ? 'TransposeBackward0' : 'TransposeBackward1');
    }
    return [output, cOut ? [hOut, cOut] : hOut];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst !== false) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional !== false) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

/** Elman RNN: returns [output, h_n]. */
export class RNN extends RNNBase {
  declare nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new Error(`Unknown nonlinearity '${String(nl)}'. Select from 'tanh' or 'relu'.`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }
  override forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    return this.run(input, h0) as [Tensor, Tensor];
  }
}

/** LSTM (gates i, f, g, o): returns [output, [h_n, c_n]]. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: Omit<RNNOptions, 'nonlinearity'> = {}) {
    super('LSTM', inputSize, hiddenSize, opts);
  }
  override forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    return this.run(input, hx) as [Tensor, [Tensor, Tensor]];
  }
}

/** GRU (gates r, z, n): returns [output, h_n]. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: Omit<RNNOptions, 'nonlinearity'> = {}) {
    super('GRU', inputSize, hiddenSize, opts);
  }
  override forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    return this.run(input, h0) as [Tensor, Tensor];
  }
}

abstract class RNNCellBase extends Module {
  declare inputSize: number;
  declare hiddenSize: number;
  declare bias: boolean;
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;

  protected constructor(inputSize: number, hiddenSize: number, gates: number, o: { bias?: boolean } & FactoryOptions) {
    super();
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = o.bias ?? true;
    const dtype = o.dtype ?? 'float32';
    this.weight_ih = new Parameter(parameterData([gates * hiddenSize, inputSize], dtype));
    this.weight_hh = new Parameter(parameterData([gates * hiddenSize, hiddenSize], dtype));
    if (this.bias) {
      this.bias_ih = new Parameter(parameterData([gates * hiddenSize], dtype));
      this.bias_hh = new Parameter(parameterData([gates * hiddenSize], dtype));
    } else {
      this.registerParameter('bias_ih', null);
      this.registerParameter('bias_hh', null);
    }
    const s = 1 / Math.sqrt(hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -s, s);
  }

  protected weights(): CellWeights {
    return { wIh: this.weight_ih, wHh: this.weight_hh, bIh: this.bias_ih, bHh: this.bias_hh };
  }

  protected batch(x: Tensor): { x: Tensor; unbatched: boolean } {
    if (x.dim() !== 1 && x.dim() !== 2) throw new Error(`${this.constructor.name}: Expected input to be 1D or 2D, got ${x.dim()}D instead`);
    return x.dim() === 1 ? { x: x.unsqueeze(0), unbatched: true } : { x, unbatched: false };
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    const nl = (this as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== 'tanh') s += `, nonlinearity=${nl}`;
    return s;
  }
}

export class RNNCell extends RNNCellBase {
  declare nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } & FactoryOptions = {}) {
    super(inputSize, hiddenSize, 1, opts);
    this.nonlinearity = opts.nonlinearity ?? 'tanh';
  }
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const { x, unbatched } = this.batch(input);
    const h = hx ? (unbatched ? hx.unsqueeze(0) : hx) : zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype });
    const xp = F.linear(x, this.weight_ih, this.bias_ih);
    const [h2] = step(this.nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', xp, h, null, this.weights());
    return unbatched ? h2.squeeze(0) : h2;
  }
}

export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } & FactoryOptions = {}) {
    super(inputSize, hiddenSize, 4, opts);
  }
  override forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const { x, unbatched } = this.batch(input);
    const z = () => zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype });
    const h = hx ? (unbatched ? hx[0].unsqueeze(0) : hx[0]) : z();
    const c = hx ? (unbatched ? hx[1].unsqueeze(0) : hx[1]) : z();
    const xp = F.linear(x, this.weight_ih, this.bias_ih);
    const [h2, c2] = step('LSTM', xp, h, c, this.weights());
    return unbatched ? [h2.squeeze(0), c2!.squeeze(0)] : [h2, c2!];
  }
}

export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } & FactoryOptions = {}) {
    super(inputSize, hiddenSize, 3, opts);
  }
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const { x, unbatched } = this.batch(input);
    const h = hx ? (unbatched ? hx.unsqueeze(0) : hx) : zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype });
    const xp = F.linear(x, this.weight_ih, this.bias_ih);
    const [h2] = step('GRU', xp, h, null, this.weights());
    return unbatched ? h2.squeeze(0) : h2;
  }
}
