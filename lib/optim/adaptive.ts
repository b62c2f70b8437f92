// Per-coordinate adaptive methods without bias-corrected moments: RMSprop (centered, momentum), Adagrad, Adadelta
// (torch.optim 1.13 single-tensor algorithms). RMSprop and Adadelta count steps with a plain number, as PyTorch does.
import type { Tensor } from '../engine/index.ts';
import { Optimizer, writable, readable, zerosState, scalarState, type ParamGroup, type ParamsInput } from './optimizer.ts';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

export class RMSprop extends Optimizer {
  constructor(params: ParamsInput, opts: RMSpropOptions = {}) {
    const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, maximize = false } = opts;
    if (!(lr >= 0)) throw new Error(`Invalid learning rate: ${lr}`);
    if (!(eps >= 0)) throw new Error(`Invalid epsilon value: ${eps}`);
    if (!(momentum >= 0)) throw new Error(`Invalid momentum value: ${momentum}`);
    if (!(weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${weightDecay}`);
    if (!(alpha >= 0)) throw new Error(`Invalid alpha value: ${alpha}`);
    super(params, { lr, momentum, alpha, eps, centered, weightDecay, foreach: null, maximize, differentiable: false });
  }
  protected updateGroup(group: ParamGroup): void {
    const alpha = group.alpha as number;
    const eps = group.eps as number;
    const wd = group.weightDecay as number;
    const momentum = group.momentum as number;
    const centered = group.centered as boolean;
    const sign = group.maximize ? -1 : 1;
    const lr = group.lr;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.squareAvg = zerosState(p);
        if (momentum > 0) state.momentumBuffer = zerosState(p);
        if (centered) state.gradAvg = zerosState(p);
      }
      state.step = (state.step as number) + 1;
      const w = writable(p);
      const g = readable(p.grad);
      const sq = writable(state.squareAvg as Tensor);
      const ga = centered ? writable(state.gradAvg as Tensor) : null;
      const buf = momentum > 0 ? writable(state.momentumBuffer as Tensor) : null;
      for (let i = 0; i < w.length; i++) {
        const gi = sign * g[i]! + wd * w[i]!;
        sq[i] = alpha * sq[i]! + (1 - alpha) * gi * gi;
        let avg: number;
        if (ga) {
          ga[i] = alpha * ga[i]! + (1 - alpha) * gi;
          avg = Math.sqrt(sq[i]! - ga[i]! * ga[i]!) + eps;
        } else {
          avg = Math.sqrt(sq[i]!) + eps;
        }
        if (buf) {
          buf[i] = momentum * buf[i]! + gi / avg;
          w[i] = w[i]! - lr * buf[i]!;
        } else {
          w[i] = w[i]! - (lr * gi) / avg;
        }
      }
    }
  }
}

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

export class Adagrad extends Optimizer {
  constructor(params: ParamsInput, opts: AdagradOptions = {}) {
    const { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, maximize = false } = opts;
    if (!(lr >= 0)) throw new Error(`Invalid learning rate: ${lr}`);
    if (!(lrDecay >= 0)) throw new Error(`Invalid lr_decay value: ${lrDecay}`);
    if (!(weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${weightDecay}`);
    if (!(initialAccumulatorValue >= 0)) throw new Error(`Invalid initial_accumulator_value value: ${initialAccumulatorValue}`);
    if (!(eps >= 0)) throw new Error(`Invalid epsilon value: ${eps}`);
    super(params, { lr, lrDecay, eps, weightDecay, initialAccumulatorValue, foreach: null, maximize });
    // PyTorch creates Adagrad's state for every parameter up front.
    for (const g of this.paramGroups) for (const p of g.params) this.initState(p, g);
  }
  private initState(p: Tensor, g: ParamGroup): void {
    const s = this.stateOf(p);
    if (s.step !== undefined) return;
    s.step = scalarState(0);
    s.sum = zerosState(p, g.initialAccumulatorValue as number);
  }
  protected updateGroup(group: ParamGroup): void {
    const eps = group.eps as number;
    const wd = group.weightDecay as number;
    const lrDecay = group.lrDecay as number;
    const sign = group.maximize ? -1 : 1;
    for (const p of group.params) {
      if (p.grad === null) continue;
      this.initState(p, group);
      const state = this.stateOf(p);
      const stepArr = writable(state.step as Tensor);
      stepArr[0] = stepArr[0]! + 1;
      const clr = group.lr / (1 + (stepArr[0]! - 1) * lrDecay);
      const w = writable(p);
      const g = readable(p.grad);
      const sum = writable(state.sum as Tensor);
      for (let i = 0; i < w.length; i++) {
        const gi = sign * g[i]! + wd * w[i]!;
        sum[i] = sum[i]! + gi * gi;
        w[i] = w[i]! - (clr * gi) / (Math.sqrt(sum[i]!) + eps);
      }
    }
  }
}

export class Adadelta extends Optimizer {
  constructor(params: ParamsInput, opts: { lr?: number; rho?: number; eps?: number; weightDecay?: number; maximize?: boolean } = {}) {
    const { lr = 1.0, rho = 0.9, eps = 1e-6, weightDecay = 0, maximize = false } = opts;
    if (!(lr >= 0)) throw new Error(`Invalid learning rate: ${lr}`);
    if (!(rho >= 0 && rho <= 1)) throw new Error(`Invalid rho value: ${rho}`);
    if (!(eps >= 0)) throw new Error(`Invalid epsilon value: ${eps}`);
    if (!(weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${weightDecay}`);
    super(params, { lr, rho, eps, weightDecay, maximize, foreach: null });
  }
  protected updateGroup(group: ParamGroup): void {
    const rho = group.rho as number;
    const eps = group.eps as number;
    const wd = group.weightDecay as number;
    const sign = group.maximize ? -1 : 1;
    const lr = group.lr;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.squareAvg = zerosState(p);
        state.accDelta = zerosState(p);
      }
      state.step = (state.step as number) + 1;
      const w = writable(p);
      const g = readable(p.grad);
      const sq = writable(state.squareAvg as Tensor);
      const acc = writable(state.accDelta as Tensor);
      for (let i = 0; i < w.length; i++) {
        const gi = sign * g[i]! + wd * w[i]!;
        sq[i] = rho * sq[i]! + (1 - rho) * gi * gi;
        const std = Math.sqrt(sq[i]! + eps);
        const delta = (Math.sqrt(acc[i]! + eps) / std) * gi;
        acc[i] = rho * acc[i]! + (1 - rho) * delta * delta;
        w[i] = w[i]! - lr * delta;
      }
    }
  }
}
