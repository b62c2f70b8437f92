import { describe, expect, test } from 'vitest';
import { nn, optim, tensor, Tensor } from 'board';

const f32 = (d: number[]) => tensor(d, { dtype: 'float32' });

function quadratic(): { p: Tensor; loss: () => Tensor } {
  const p = f32([4, -3]).requiresGrad_();
  return {
    p,
    loss: () =>
      p
        .sub(f32([1, 2]))
        .pow(2)
        .sum(),
  };
}

describe('optimizers', () => {
  test.each([
    ['SGD', (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true })],
    ['Adam', (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.3 })],
    ['AdamW', (ps: Tensor[]) => new optim.AdamW(ps, { lr: 0.3 })],
    ['RMSprop', (ps: Tensor[]) => new optim.RMSprop(ps, { lr: 0.05, centered: true, momentum: 0.5 })],
    ['Adagrad', (ps: Tensor[]) => new optim.Adagrad(ps, { lr: 1 })],
    ['Adamax', (ps: Tensor[]) => new optim.Adamax(ps, { lr: 0.3 })],
  ])('%s minimizes a quadratic', (_name, make) => {
    const { p, loss } = quadratic();
    const opt = make([p]);
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      loss().backward();
      opt.step();
    }
    expect(Number(loss().item())).toBeLessThan(1e-2);
  });

  test('zeroGrad: zeros by default (PyTorch 1.13), null with setToNone; step skips params without grad', () => {
    const a = f32([1, 2]).requiresGrad_();
    const b = f32([3]).requiresGrad_();
    const opt = new optim.SGD([a, b], { lr: 0.1, momentum: 0.9 });
    a.mul(2).sum().backward();
    opt.step();
    expect(b.tolist()).toEqual([3]);
    expect(opt.state.has(b)).toBe(false);
    opt.zeroGrad();
    expect(a.grad!.tolist()).toEqual([0, 0]);
    opt.zeroGrad({ setToNone: true });
    expect(a.grad).toBeNull();
  });

  test('step(closure) evaluates the closure and returns its loss', () => {
    const { p, loss } = quadratic();
    const opt = new optim.SGD([p], { lr: 0.1 });
    const l = opt.step(() => {
      opt.zeroGrad();
      const v = loss();
      v.backward();
      return v;
    }) as Tensor;
    expect(Number(l.item())).toBe(34);
    expect(p.tolist()).toEqual([Math.fround(4 - 0.1 * 6), Math.fround(-3 + 0.1 * 10)]);
  });

  test('param groups, defaults, addParamGroup checks', () => {
    const a = f32([1]).requiresGrad_();
    const b = f32([2]).requiresGrad_();
    const opt = new optim.Adam([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
    expect(opt.defaults.betas).toEqual([0.9, 0.999]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/more than one parameter group/);
    expect(() => new optim.SGD([a], {} as { lr: number })).toThrow(/learning rate/);
    expect(String(opt)).toContain('Parameter Group 1\n    amsgrad: False\n    betas: (0.9, 0.999)');
  });

  test('stateDict / loadStateDict resume the same trajectory', () => {
    const run = (steps: number, resumeAt?: number) => {
      const p = f32([1, -1, 0.5]).requiresGrad_();
      let opt = new optim.Adam([p], { lr: 0.1, amsgrad: true });
      for (let i = 0; i < steps; i++) {
        if (i === resumeAt) {
          const sd = opt.stateDict();
          opt = new optim.Adam([p], { lr: 0.7 });
          opt.loadStateDict(sd);
        }
        opt.zeroGrad();
        p.mul(p)
          .mul(f32([1, 2, 3]))
          .sum()
          .backward();
        opt.step();
      }
      return p.tolist();
    };
    expect(run(6, 3)).toEqual(run(6));
  });

  test('stateDict has PyTorch structure', () => {
    const p = f32([1]).requiresGrad_();
    const opt = new optim.RMSprop([p], { lr: 0.01 });
    p.sum().backward();
    opt.step();
    const sd = opt.stateDict();
    expect(Object.keys(sd.state['0']!)).toEqual(['step', 'square_avg']);
    expect(sd.state['0']!.step).toBe(1);
    expect(sd.param_groups[0]).toMatchObject({ lr: 0.01, weight_decay: 0, params: [0], foreach: null });
  });
});

describe('lr schedulers', () => {
  const sgd = () => new optim.SGD([f32([0]).requiresGrad_()], { lr: 0.1, momentum: 0.9 });

  test('StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR follow PyTorch', () => {
    const o = sgd();
    const s = new optim.lrScheduler.StepLR(o, { stepSize: 2, gamma: 0.5 });
    const lrs: number[] = [];
    for (let e = 0; e < 5; e++) {
      lrs.push(o.paramGroups[0]!.lr);
      s.step();
    }
    expect(lrs).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    const o2 = sgd();
    const c = new optim.lrScheduler.CosineAnnealingLR(o2, { TMax: 2 });
    const cl: number[] = [];
    for (let e = 0; e < 5; e++) {
      cl.push(o2.paramGroups[0]!.lr);
      c.step();
    }
    expect(cl.map((x) => Number(x.toFixed(10)))).toEqual([0.1, 0.05, 0, 0.05, 0.1]);
  });

  test('OneCycleLR cycles momentum and rejects stepping past the end; ReduceLROnPlateau reduces after patience', () => {
    const o = sgd();
    const s = new optim.lrScheduler.OneCycleLR(o, { maxLr: 1, totalSteps: 4 });
    expect(o.paramGroups[0]!.momentum).toBe(0.95);
    for (let i = 0; i < 4; i++) s.step();
    expect(() => s.step()).toThrow(/Tried to step 5 times/);
    const o2 = sgd();
    const r = new optim.lrScheduler.ReduceLROnPlateau(o2, { patience: 1, factor: 0.5 });
    for (const m of [1, 1, 1, 1]) r.step(m);
    expect(o2.paramGroups[0]!.lr).toBe(0.05);
  });

  test('scheduler state round-trips through stateDict', () => {
    const o = sgd();
    const s = new optim.lrScheduler.MultiStepLR(o, { milestones: [1, 3, 3] });
    s.step();
    const s2 = new optim.lrScheduler.MultiStepLR(sgd(), { milestones: [] });
    s2.loadStateDict(s.stateDict());
    expect(s2.lastEpoch).toBe(1);
    expect(s2.milestones.get(3)).toBe(2);
  });
});

describe('with nn', () => {
  test('model.parameters() feeds an optimizer', () => {
    const m = new nn.Linear(3, 1);
    const opt = new optim.SGD(m.parameters(), { lr: 0.01 });
    expect(opt.paramGroups[0]!.params).toHaveLength(2);
  });
});
