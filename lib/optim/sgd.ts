// Stochastic gradient descent with momentum, dampening, Nesterov, L2 weight decay and maximize (torch.optim.SGD).
import type { Tensor } from '../engine/index.ts';
import { fusedKernels } from '../engine/kernels/index.ts';
import { Optimizer, writable, readable, zerosState, residentZerosState, type ParamGroup, type ParamsInput } from './optimizer.ts';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

export class SGD extends Optimizer {
  constructor(params: ParamsInput, opts: SGDOptions) {
    const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = opts;
    if (lr === undefined || lr < 0) throw new Error(`Invalid learning rate: ${lr}`);
    if (momentum < 0) throw new Error(`Invalid momentum value: ${momentum}`);
    if (weightDecay < 0) throw new Error(`Invalid weight_decay value: ${weightDecay}`);
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new Error('Nesterov momentum requires a momentum and zero dampening');
    super(params, { lr, momentum, dampening, weightDecay, nesterov, maximize, foreach: null, differentiable: false });
  }

  protected updateGroup(group: ParamGroup): void {
    const lr = group.lr;
    const momentum = group.momentum as number;
    const dampening = group.dampening as number;
    const wd = group.weightDecay as number;
    const nesterov = group.nesterov as boolean;
    const sign = group.maximize ? -1 : 1;
    const nat = fusedKernels();
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p);
      const w = writable(p);
      const g = readable(p.grad);
      const n = w.length;
      if (nat && w instanceof Float32Array && g instanceof Float32Array) {
        // Fused C or WebAssembly SIMD pass (float32 arithmetic, as PyTorch); same state handling as the loops below.
        let buf: Tensor | null = null,
          first = false;
        if (momentum !== 0) {
          buf = (state.momentumBuffer as Tensor | null | undefined) ?? null;
          first = !buf;
          if (!buf) state.momentumBuffer = buf = residentZerosState(p, 1)?.[0] ?? zerosState(p);
        } else state.momentumBuffer = null;
        nat.sgdUpdate(w, g, buf ? (writable(buf) as Float32Array) : null, lr, momentum, dampening, wd, nesterov, sign, first);
        continue;
      }
      if (momentum === 0) {
        state.momentumBuffer = null;
        if (wd === 0) {
          for (let i = 0; i < n; i++) w[i] = w[i]! - lr * sign * g[i]!;
        } else {
          for (let i = 0; i < n; i++) w[i] = w[i]! - lr * (sign * g[i]! + wd * w[i]!);
        }
        continue;
      }
      let bufT = state.momentumBuffer as Tensor | null | undefined;
      const first = !bufT;
      if (!bufT) {
        bufT = zerosState(p);
        state.momentumBuffer = bufT;
      }
      const buf = writable(bufT);
      // PyTorch updates a float32 buffer in float32 (buf.mul_(momentum).add_(d)), rounding after each
      // operation; doing the sum in float64 and rounding once drifts in the last bits over many steps.
      const r = w instanceof Float32Array ? Math.fround : (x: number) => x;
      const mom = r(momentum),
        damp = r(1 - dampening);
      for (let i = 0; i < n; i++) {
        const d = r(r(sign * g[i]!) + r(wd * w[i]!));
        // First step: buf = d exactly (no dampening), as PyTorch clones the gradient.
        const b = first ? d : r(r(mom * buf[i]!) + r(damp * d));
        buf[i] = b;
        const upd = nesterov ? r(d + r(mom * b)) : b;
        w[i] = w[i]! - lr * upd;
      }
    }
  }
}
