// Synthetic logdirs for the UI benchmarks, written with our SummaryWriter.
import { join } from 'node:path';
import { SummaryWriter } from '../lib/tfevents/index.ts';

/** `runs` runs, each with `tags` scalar tags (grouped as loss/*, acc/*, lr/*...) of `points` steps. */
export function writeScalarLogdir(root: string, runs: number, tags: number, points: number): void {
  const groups = ['loss', 'acc', 'lr', 'grad', 'weights'];
  for (let r = 0; r < runs; r++) {
    const w = new SummaryWriter(join(root, `run_${String(r).padStart(3, '0')}`), { flushSecs: 3600, maxQueue: 100_000 });
    const t0 = 1_750_000_000 + r * 10;
    for (let s = 0; s < points; s++) {
      for (let t = 0; t < tags; t++) {
        const v = Math.exp(-s / (50 + r)) + 0.05 * Math.sin(s * 0.37 + t + r) + 0.01 * t;
        w.addScalar(`${groups[t % groups.length]}/metric_${t}`, v, s, t0 + s);
      }
    }
    w.close();
  }
}
