// Learning-rate schedulers with PyTorch 1.13's recursive ("chainable") formulas, so the float64 values
// match torch.optim.lr_scheduler digit for digit (the oracle compares at rtol 1e-9).
// Hyperparameters live on the optimizer's param groups (camelCase keys: lr, initialLr, maxLr, ...).

/** What a scheduler needs from an optimizer: its param groups and defaults. */
export interface SchedulableOptimizer {
  paramGroups: Array<Record<string, unknown> & { lr: number }>;
  defaults: Record<string, unknown>;
}

/** Python's modulo (result has the divisor's sign), needed by CosineAnnealingLR. */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function perGroup<T>(name: string, value: T | T[], n: number): T[] {
  if (Array.isArray(value)) {
    if (value.length !== n) throw new Error(`expected ${n} values for ${name}, got ${value.length}`);
    return value.slice();
  }
  return new Array<T>(n).fill(value);
}

/** Base class (torch.optim.lr_scheduler._LRScheduler): `step()` advances lastEpoch and writes each group's lr. */
export abstract class LRScheduler {
  readonly optimizer: SchedulableOptimizer;
  baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  constructor(optimizer: SchedulableOptimizer, lastEpoch = -1) {
    this.optimizer = optimizer;
    if (lastEpoch === -1) {
      for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      optimizer.paramGroups.forEach((g, i) => {
        if (g.initialLr === undefined)
          throw new Error(`param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Subclasses call this at the end of their constructor (PyTorch's _initial_step). */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The lr of each group for the current `lastEpoch` (chainable form: reads the group's current lr). */
  protected abstract getLr(): number[];

  step(): void {
    this.stepCount += 1;
    this.lastEpoch += 1;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = lrs[i]!;
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lrs set by the last `step()` (get_last_lr). */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** Every field except the optimizer and functions, with PyTorch's key names. */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || typeof v === 'function') continue;
      out[k] = Array.isArray(v) ? v.slice() : v;
    }
    return out;
  }

  loadStateDict(state: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(state)) (this as Record<string, unknown>)[k] = Array.isArray(v) ? v.slice() : v;
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

/** Multiplies the lr by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
}

/** Multiplies the lr by gamma at each milestone; a milestone listed k times applies gamma^k. */
export class MultiStepLR extends LRScheduler {
  milestones: Map<number, number>;
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: { milestones: number[]; gamma?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.milestones = new Map();
    for (const m of opts.milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = opts.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma ** count);
  }
  override stateDict(): Record<string, unknown> {
    const sd = super.stateDict();
    sd.milestones = Object.fromEntries(this.milestones);
    return sd;
  }
  override loadStateDict(state: Record<string, unknown>): void {
    const { milestones, ...rest } = state;
    super.loadStateDict(rest);
    if (milestones) this.milestones = new Map(Object.entries(milestones as Record<string, number>).map(([k, v]) => [Number(k), v]));
  }
}

/** Multiplies the lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: { gamma: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.gamma = opts.gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
}

/** Cosine annealing from the base lr to etaMin over TMax epochs; keeps following the cosine afterwards (period 2·TMax). */
export class CosineAnnealingLR extends LRScheduler {
  TMax: number;
  etaMin: number;
  constructor(optimizer: SchedulableOptimizer, opts: { TMax: number; etaMin?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.TMax = opts.TMax;
    this.etaMin = opts.etaMin ?? 0;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { TMax, etaMin, lastEpoch: e } = this;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return this.groupLrs();
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / TMax))) / 2);
    }
    if (pyMod(e - 1 - TMax, 2 * TMax) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / TMax))) / 2);
    }
    return groups.map(
      (g) => ((1 + Math.cos((Math.PI * e) / TMax)) / (1 + Math.cos((Math.PI * (e - 1)) / TMax))) * (g.lr - etaMin) + etaMin,
    );
  }
}

/** lr = initial lr × lrLambda(epoch) (one function, or one per group). */
export class LambdaLR extends LRScheduler {
  lrLambdas: Array<(epoch: number) => number>;
  constructor(
    optimizer: SchedulableOptimizer,
    opts: { lrLambda: ((epoch: number) => number) | Array<(epoch: number) => number>; lastEpoch?: number },
  ) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.lrLambdas = perGroup('lrLambda', opts.lrLambda, optimizer.paramGroups.length);
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i]!(this.lastEpoch));
  }
  override stateDict(): Record<string, unknown> {
    const sd = super.stateDict();
    delete sd.lrLambdas; // functions are not state (PyTorch saves only callable objects' __dict__)
    return sd;
  }
}

/** Scales the lr linearly from startFactor to endFactor over totalIters epochs. */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(
    optimizer: SchedulableOptimizer,
    opts: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {},
  ) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.startFactor = opts.startFactor ?? 1 / 3;
    this.endFactor = opts.endFactor ?? 1.0;
    this.totalIters = opts.totalIters ?? 5;
    if (this.startFactor > 1 || this.startFactor <= 0)
      throw new Error('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    if (this.endFactor > 1 || this.endFactor < 0) throw new Error('Ending multiplicative factor expected to be between 0 and 1.');
    this.initialStep();
  }
  protected getLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n, lastEpoch: e } = this;
    if (e === 0) return this.groupLrs().map((lr) => lr * s);
    if (e > n) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/** The 1cycle policy: warm up to maxLr, anneal to maxLr/(divFactor·finalDivFactor), cycling momentum inversely. */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1 = false;
  private phases: Phase[];

  constructor(
    optimizer: SchedulableOptimizer,
    opts: {
      maxLr: number | number[];
      totalSteps?: number;
      epochs?: number;
      stepsPerEpoch?: number;
      pctStart?: number;
      annealStrategy?: 'cos' | 'linear';
      cycleMomentum?: boolean;
      baseMomentum?: number | number[];
      maxMomentum?: number | number[];
      divFactor?: number;
      finalDivFactor?: number;
      threePhase?: boolean;
      lastEpoch?: number;
    },
  ) {
    const lastEpoch = opts.lastEpoch ?? -1;
    let total: number;
    if (opts.totalSteps !== undefined) {
      if (opts.totalSteps <= 0 || !Number.isInteger(opts.totalSteps))
        throw new Error(`Expected positive integer totalSteps, but got ${opts.totalSteps}`);
      total = opts.totalSteps;
    } else if (opts.epochs !== undefined && opts.stepsPerEpoch !== undefined) {
      total = opts.epochs * opts.stepsPerEpoch;
    } else {
      throw new Error('You must define either totalSteps OR (epochs AND stepsPerEpoch)');
    }
    const pct = opts.pctStart ?? 0.3;
    if (pct < 0 || pct > 1) throw new Error(`Expected float between 0 and 1 pctStart, but got ${pct}`);
    const phases: Phase[] = opts.threePhase
      ? [
          { endStep: pct * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pct * total - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: total - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pct * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: total - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    const groups = optimizer.paramGroups;
    const maxLrs = perGroup('maxLr', opts.maxLr, groups.length);
    const divFactor = opts.divFactor ?? 25;
    const finalDivFactor = opts.finalDivFactor ?? 1e4;
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    }
    const cycleMomentum = opts.cycleMomentum ?? true;
    let useBeta1 = false;
    if (cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
        throw new Error('optimizer must support momentum or beta1 with `cycleMomentum` option enabled');
      }
      useBeta1 = 'betas' in optimizer.defaults;
      const maxM = perGroup('maxMomentum', opts.maxMomentum ?? 0.95, groups.length);
      const baseM = perGroup('baseMomentum', opts.baseMomentum ?? 0.85, groups.length);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxM[i]!, ...(g.betas as number[]).slice(1)];
          else g.momentum = maxM[i];
          g.maxMomentum = maxM[i];
          g.baseMomentum = baseM[i];
        });
      }
    }
    super(optimizer, lastEpoch);
    this.totalSteps = total;
    this.phases = phases;
    this.annealStrategy = opts.annealStrategy ?? 'cos';
    if (this.annealStrategy !== 'cos' && this.annealStrategy !== 'linear') {
      throw new Error(`annealStrategy must be one of 'cos' or 'linear', instead got ${String(this.annealStrategy)}`);
    }
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new Error(`Tried to step ${step} times. The specified number of total steps is ${this.totalSteps}`);
    }
    return this.optimizer.paramGroups.map((g) => {
      let start = 0;
      let lr = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i]!;
        if (step <= ph.endStep || i === this.phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) {
            const m = this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct);
            if (this.useBeta1) g.betas = [m, ...(g.betas as number[]).slice(1)];
            else g.momentum = m;
          }
          break;
        }
        start = ph.endStep;
      }
      return lr;
    });
  }
}

/** Reduces the lr by `factor` when a metric has stopped improving for `patience` epochs. */
export class ReduceLROnPlateau {
  readonly optimizer: SchedulableOptimizer;
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  best = Infinity;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    optimizer: SchedulableOptimizer,
    opts: {
      mode?: 'min' | 'max';
      factor?: number;
      patience?: number;
      threshold?: number;
      thresholdMode?: 'rel' | 'abs';
      cooldown?: number;
      minLr?: number | number[];
      eps?: number;
    } = {},
  ) {
    this.optimizer = optimizer;
    this.factor = opts.factor ?? 0.1;
    if (this.factor >= 1.0) throw new Error('Factor should be < 1.0.');
    this.mode = opts.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`mode ${String(this.mode)} is unknown!`);
    this.thresholdMode = opts.thresholdMode ?? 'rel';
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs')
      throw new Error(`threshold mode ${String(this.thresholdMode)} is unknown!`);
    this.patience = opts.patience ?? 10;
    this.threshold = opts.threshold ?? 1e-4;
    this.cooldown = opts.cooldown ?? 0;
    this.minLrs = perGroup('minLr', opts.minLr ?? 0, optimizer.paramGroups.length);
    this.eps = opts.eps ?? 1e-8;
    this.reset();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private reset(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** Records one epoch's metric (a number or a 0-dim tensor-like with item()). */
  step(metrics: number | { item(): number }): void {
    const current = typeof metrics === 'number' ? metrics : Number(metrics.item());
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const oldLr = g.lr;
        const newLr = Math.max(oldLr * this.factor, this.minLrs[i]!);
        if (oldLr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) if (k !== 'optimizer') out[k] = Array.isArray(v) ? v.slice() : v;
    return out;
  }

  loadStateDict(state: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(state)) (this as Record<string, unknown>)[k] = v;
  }
}
