// The Adam family (torch.optim 1.13 single-tensor algorithms): Adam (+amsgrad), AdamW (decoupled decay), Adamax,
// NAdam and RAdam. Moments are kept as tensors in the parameter's dtype; `step` is a 0-dim float32 tensor as in PyTorch.
import type { Tensor } from '../engine/index.ts';
import { fusedKernels } from '../engine/kernels/index.ts';
import {
  Optimizer,
  writable,
  readable,
  zerosState,
  residentZerosState,
  scalarState,
  type ParamGroup,
  type ParamsInput,
  type ParamState,
} from './optimizer.ts';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

function checkCommon(lr: number, eps: number, betas: [number, number], wd: number): void {
  if (!(lr >= 0)) throw new Error(`Invalid learning rate: ${lr}`);
  if (!(eps >= 0)) throw new Error(`Invalid epsilon value: ${eps}`);
  if (!(betas[0] >= 0 && betas[0] < 1)) throw new Error(`Invalid beta parameter at index 0: ${betas[0]}`);
  if (!(betas[1] >= 0 && betas[1] < 1)) throw new Error(`Invalid beta parameter at index 1: ${betas[1]}`);
  if (!(wd >= 0)) throw new Error(`Invalid weight_decay value: ${wd}`);
}

/** Increments the 0-dim float32 `step` tensor and returns the new count. */
function bumpStep(state: ParamState): number {
  const t = state.step as Tensor;
  const a = writable(t);
  a[0] = a[0]! + 1;
  return a[0]!;
}

/** Shared by Adam and AdamW: they differ only in how weight decay is applied. */
function adamUpdate(p: Tensor, state: ParamState, group: ParamGroup, decoupled: boolean): void {
  const [beta1, beta2] = group.betas as [number, number];
  const lr = group.lr;
  const eps = group.eps as number;
  const wd = group.weightDecay as number;
  const amsgrad = group.amsgrad as boolean;
  const sign = group.maximize ? -1 : 1;
  if (state.step === undefined) {
    state.step = scalarState(0);
    const resident = residentZerosState(p, amsgrad ? 3 : 2);
    state.expAvg = resident?.[0] ?? zerosState(p);
    state.expAvgSq = resident?.[1] ?? zerosState(p);
    if (amsgrad) state.maxExpAvgSq = resident?.[2] ?? zerosState(p);
  }
  const step = bumpStep(state);
  const w = writable(p);
  const g = readable(p.grad!);
  const m = writable(state.expAvg as Tensor);
  const v = writable(state.expAvgSq as Tensor);
  const vmax = amsgrad ? writable(state.maxExpAvgSq as Tensor) : null;
  const bc1 = 1 - beta1 ** step;
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const stepSize = lr / bc1;
  const n = w.length;
  if (decoupled && wd !== 0) {
    const f = 1 - lr * wd;
    for (let i = 0; i < n; i++) w[i] = w[i]! * f;
  }
  adamKernel(w, g, m, v, vmax, sign, decoupled ? 0 : wd, beta1, beta2, stepSize, bc2Sqrt, eps);
}

/**
 * The Adam update over whole arrays. A plain function with every constant hoisted, so V8 compiles one tight loop;
 * values are re-read after each store so float32 state rounds exactly as PyTorch's in-place ops do.
 */
function adamKernel(
  w: Float32Array | Float64Array,
  g: Float32Array | Float64Array,
  m: Float32Array | Float64Array,
  v: Float32Array | Float64Array,
  vmax: Float32Array | Float64Array | null,
  sign: number,
  l2: number,
  beta1: number,
  beta2: number,
  stepSize: number,
  bc2Sqrt: number,
  eps: number,
): void {
  const n = w.length;
  const nat = fusedKernels();
  if (
    nat &&
    w instanceof Float32Array &&
    g instanceof Float32Array &&
    m instanceof Float32Array &&
    v instanceof Float32Array &&
    (vmax === null || vmax instanceof Float32Array)
  ) {
    // One fused C or WebAssembly SIMD pass in float32 arithmetic, as PyTorch's CPU kernels (the loop below computes in double).
    return nat.adamUpdate(w, g, m, v, vmax, sign, l2, beta1, beta2, stepSize, bc2Sqrt, eps);
  }
  const c1 = 1 - beta1,
    c2 = 1 - beta2;
  if (vmax === null) {
    for (let i = 0; i < n; i++) {
      const gi = sign * g[i]! + l2 * w[i]!;
      m[i] = beta1 * m[i]! + c1 * gi;
      v[i] = beta2 * v[i]! + c2 * gi * gi;
      w[i] = w[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2Sqrt + eps);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = sign * g[i]! + l2 * w[i]!;
    m[i] = beta1 * m[i]! + c1 * gi;
    v[i] = beta2 * v[i]! + c2 * gi * gi;
    if (v[i]! > vmax[i]!) vmax[i] = v[i]!;
    w[i] = w[i]! - (stepSize * m[i]!) / (Math.sqrt(vmax[i]!) / bc2Sqrt + eps);
  }
}

export class Adam extends Optimizer {
  constructor(params: ParamsInput, opts: AdamOptions = {}) {
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false, maximize = false } = opts;
    checkCommon(lr, eps, betas, weightDecay);
    super(params, {
      lr,
      betas: [...betas],
      eps,
      weightDecay,
      amsgrad,
      maximize,
      foreach: null,
      capturable: false,
      differentiable: false,
      fused: false,
    });
  }
  protected updateGroup(group: ParamGroup): void {
    for (const p of group.params) if (p.grad !== null) adamUpdate(p, this.stateOf(p), group, false);
  }
}

/** Adam with decoupled weight decay: p *= 1 - lr·wd before the Adam step (default weightDecay 1e-2). */
export class AdamW extends Optimizer {
  constructor(params: ParamsInput, opts: AdamOptions = {}) {
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2, amsgrad = false, maximize = false } = opts;
    checkCommon(lr, eps, betas, weightDecay);
    super(params, { lr, betas: [...betas], eps, weightDecay, amsgrad, foreach: null, maximize, capturable: false });
  }
  protected updateGroup(group: ParamGroup): void {
    for (const p of group.params) if (p.grad !== null) adamUpdate(p, this.stateOf(p), group, true);
  }
}

/** Adam with the infinity norm: exp_inf = max(beta2·exp_inf, |g| + eps). */
export class Adamax extends Optimizer {
  constructor(params: ParamsInput, opts: Omit<AdamOptions, 'amsgrad'> = {}) {
    const { lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, maximize = false } = opts;
    checkCommon(lr, eps, betas, weightDecay);
    super(params, { lr, betas: [...betas], eps, weightDecay, foreach: null, maximize });
  }
  protected updateGroup(group: ParamGroup): void {
    const [beta1, beta2] = group.betas as [number, number];
    const eps = group.eps as number;
    const wd = group.weightDecay as number;
    const sign = group.maximize ? -1 : 1;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = scalarState(0);
        state.expAvg = zerosState(p);
        state.expInf = zerosState(p);
      }
      const step = bumpStep(state);
      const w = writable(p);
      const g = readable(p.grad);
      const m = writable(state.expAvg as Tensor);
      const u = writable(state.expInf as Tensor);
      const clr = group.lr / (1 - beta1 ** step);
      for (let i = 0; i < w.length; i++) {
        const gi = sign * g[i]! + wd * w[i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        const a = beta2 * u[i]!;
        const b = Math.abs(gi) + eps;
        u[i] = a > b ? a : b;
        w[i] = w[i]! - (clr * m[i]!) / u[i]!;
      }
    }
  }
}

/** Adam with Nesterov momentum and the momentum-decay schedule (torch.optim.NAdam). */
export class NAdam extends Optimizer {
  constructor(
    params: ParamsInput,
    opts: { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; momentumDecay?: number } = {},
  ) {
    const { lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, momentumDecay = 4e-3 } = opts;
    checkCommon(lr, eps, betas, weightDecay);
    if (!(momentumDecay >= 0)) throw new Error(`Invalid momentum_decay value: ${momentumDecay}`);
    super(params, { lr, betas: [...betas], eps, weightDecay, momentumDecay, foreach: null });
  }
  protected updateGroup(group: ParamGroup): void {
    const [beta1, beta2] = group.betas as [number, number];
    const eps = group.eps as number;
    const wd = group.weightDecay as number;
    const psi = group.momentumDecay as number;
    const lr = group.lr;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = scalarState(0);
        state.muProduct = scalarState(1);
        state.expAvg = zerosState(p);
        state.expAvgSq = zerosState(p);
      }
      const step = bumpStep(state);
      const bc2 = 1 - beta2 ** step;
      const mu = beta1 * (1 - 0.5 * 0.96 ** (step * psi));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * psi));
      const muProdArr = writable(state.muProduct as Tensor);
      muProdArr[0] = muProdArr[0]! * mu;
      const muProduct = muProdArr[0]!;
      // PyTorch 1.13 multiplies mu in twice here (mu_product · mu · mu_next); the oracle's trajectories confirm it.
      const muProductNext = muProduct * mu * muNext;
      const c1 = (-lr * (1 - mu)) / (1 - muProduct);
      const c2 = (-lr * muNext) / (1 - muProductNext);
      const w = writable(p);
      const g = readable(p.grad);
      const m = writable(state.expAvg as Tensor);
      const v = writable(state.expAvgSq as Tensor);
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]! + wd * w[i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
        const denom = Math.sqrt(v[i]! / bc2) + eps;
        w[i] = w[i]! + (c1 * gi) / denom;
        w[i] = w[i]! + (c2 * m[i]!) / denom;
      }
    }
  }
}

/** Rectified Adam: plain momentum SGD until the variance estimate is tractable (rho_t > 5). */
export class RAdam extends Optimizer {
  constructor(params: ParamsInput, opts: { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number } = {}) {
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = opts;
    checkCommon(lr, eps, betas, weightDecay);
    super(params, { lr, betas: [...betas], eps, weightDecay, foreach: null });
  }
  protected updateGroup(group: ParamGroup): void {
    const [beta1, beta2] = group.betas as [number, number];
    const eps = group.eps as number;
    const wd = group.weightDecay as number;
    const lr = group.lr;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = scalarState(0);
        state.expAvg = zerosState(p);
        state.expAvgSq = zerosState(p);
      }
      const step = bumpStep(state);
      const bc1 = 1 - beta1 ** step;
      const bc2 = 1 - beta2 ** step;
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * step * beta2 ** step) / bc2;
      const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
      const w = writable(p);
      const g = readable(p.grad);
      const m = writable(state.expAvg as Tensor);
      const v = writable(state.expAvgSq as Tensor);
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]! + wd * w[i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
        const corrected = m[i]! / bc1;
        if (rhoT > 5) w[i] = w[i]! - corrected * lr * (Math.sqrt(bc2) / (Math.sqrt(v[i]!) + eps)) * rect;
        else w[i] = w[i]! - corrected * lr;
      }
    }
  }
}
