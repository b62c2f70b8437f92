// The tutorial's chapter 6 programs in examples/: each converges and logs its loss with SummaryWriter.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEventFile } from '../../lib/tfevents/index.ts';
import { main as manual } from '../../examples/linear-regression-manual.ts';
import { main as withNn } from '../../examples/linear-regression-nn.ts';
import { main as quadratic } from '../../examples/minimize-quadratic.ts';

const root = mkdtempSync(join(tmpdir(), 'board-ex6-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const quiet = () => undefined;

/** Scalar values of `tag` logged under `dir`, by step. */
function scalars(dir: string, tag: string): number[] {
  const file = readdirSync(dir).find((f) => f.includes('tfevents'))!;
  const out: number[] = [];
  for (const v of readEventFile(join(dir, file)).values) {
    if (v.tag === tag && v.kind === 'scalar') out[Number(v.step)] = Number((v.data as { value: number }).value);
  }
  return out;
}

describe('chapter 6 examples', () => {
  it('manual gradient descent recovers y = 3x + 0.8', () => {
    const dir = join(root, 'manual');
    const lines: string[] = [];
    const r = manual(dir, { log: (s) => lines.push(s) });
    // The tutorial's 5000 iterations at lr 0.01, printing every 1000th: w, b and the loss move towards 3, 0.8, 0.
    expect(r.losses).toHaveLength(5000);
    expect(lines).toHaveLength(5);
    const printed = lines.map((l) => l.split(' ').slice(1).map(Number));
    expect(lines.every((l) => l.startsWith('w,b,loss '))).toBe(true);
    for (let i = 1; i < 5; i++) expect(printed[i]![2]!).toBeLessThan(printed[i - 1]![2]!);
    expect(r.w).toBeCloseTo(3, 1);
    expect(r.b).toBeCloseTo(0.8, 1);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]! / 100);
    const logged = scalars(dir, 'Loss/train');
    expect(logged).toHaveLength(r.losses.length);
    expect(logged[10]).toBeCloseTo(r.losses[10]!, 5);
  });

  it('nn.Linear + optim.SGD recovers y = 2x + 1', () => {
    const dir = join(root, 'nn');
    const lines: string[] = [];
    const r = withNn(dir, { log: (s) => lines.push(...s.split('\n')) });
    // The tutorial's 100 epochs at lr 0.01 on x = 0..10: the slope is close to 2
    // while the intercept is still on its way (the bias direction is the slow one at this lr), as in the tutorial.
    expect(r.losses).toHaveLength(100);
    expect(Math.abs(r.w - 2)).toBeLessThan(0.2);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]! / 100);
    // It prints the loss every 10 epochs, then the predictions (11 x 1) and the targets 2x + 1.
    expect(lines.slice(0, 10).map((l) => l.split(',')[0])).toEqual(Array.from({ length: 10 }, (_, i) => `epoch ${10 * (i + 1)}`));
    expect(r.predicted.shape).toEqual([11, 1]);
    expect(lines.slice(-11)).toEqual([
      'tensor([[ 1.],',
      ...Array.from({ length: 9 }, (_, i) => `        [${String(2 * (i + 1) + 1).padStart(2)}.],`),
      '        [21.]])',
    ]);
    expect(scalars(dir, 'Loss/train')).toHaveLength(r.losses.length);
  });

  it('SGD minimizes (x - 5)^2', () => {
    const dir = join(root, 'quad');
    const r = quadratic(dir, { log: quiet });
    expect(r.x).toBeCloseTo(5, 4);
    // the tutorial starts at x = 4: f = (4 - 5)^2 = 1, and one SGD step (lr 0.1, grad -2) moves x to 4.2
    expect(r.values[0]).toBe(1);
    const xs = scalars(dir, 'x');
    expect(xs[0]).toBeCloseTo(4.2, 5);
  });
});
