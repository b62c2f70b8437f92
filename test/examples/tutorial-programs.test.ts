// The tutorial's programs of chapters 1, 2.0.1, 4.2-4.4, 5 and 6.2.1 in examples/: each runs and prints exactly what
// its PyTorch 1.13 twin prints (test/fixtures/examples-golden.py computes the expected lines with real torch).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared.ts';
import { main as tensorBasics } from '../../examples/tensor-basics.ts';
import { main as scatter } from '../../examples/scatter.ts';
import { main as nnLayers } from '../../examples/nn-layers.ts';
import { main as nnContainers } from '../../examples/nn-containers.ts';
import { main as autograd } from '../../examples/autograd.ts';
import { main as optimizerWalkthrough } from '../../examples/optimizer-walkthrough.ts';

const golden = JSON.parse(readFileSync(resolve(REPO_ROOT, 'test/fixtures/examples-golden.json'), 'utf8')) as Record<string, string[]>;

function printed(run: (log: (s: string) => void) => void): string[] {
  const lines: string[] = [];
  run((s) => lines.push(s));
  return lines.join('\n').split('\n');
}

describe('tutorial programs print what PyTorch prints', () => {
  const programs: Array<[string, (log: (s: string) => void) => void]> = [
    ['tensor-basics', tensorBasics],
    ['scatter', scatter],
    ['nn-layers', (log) => nnLayers(log)],
    ['nn-containers', nnContainers],
    ['autograd', autograd],
    ['optimizer-walkthrough', optimizerWalkthrough],
  ];
  for (const [name, run] of programs) {
    it(name, () => {
      expect(printed(run)).toEqual(golden[name]);
    });
  }
});
